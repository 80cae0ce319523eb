package dev.caravan.routing;

import dev.caravan.api.ClientRequest;
import dev.caravan.api.FlowVariables;
import jakarta.annotation.PreDestroy;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.springframework.stereotype.Component;

/**
 * The dispatch step: sends the request to the planned candidates, one {@code direct:call-provider}
 * call per attempt, until one answers. See {@link Dispatch} for the failover and hedging rules.
 * Afterwards the exchange holds the answer (the live upstream stream for a streamed request), the
 * {@code backend} that gave it, and the {@code attempts} made.
 */
@Component("dispatcher")
public class Dispatcher {

    private final ProducerTemplate producer;
    private final BackendBreakers breakers;
    private final FreeTierQuotas quotas;
    private final BackendStats stats;
    private final RoutingMetrics metrics;
    private final FailoverPolicy failover;
    private final FirstByteWatchdog watchdog = new FirstByteWatchdog();

    public Dispatcher(ProducerTemplate producer, BackendBreakers breakers, FreeTierQuotas quotas, BackendStats stats,
                      RoutingMetrics metrics, FailoverPolicy failover) {
        this.producer = producer;
        this.breakers = breakers;
        this.quotas = quotas;
        this.stats = stats;
        this.metrics = metrics;
        this.failover = failover;
    }

    @PreDestroy
    void stop() {
        watchdog.stop();
    }

    public void dispatch(Exchange exchange) throws InterruptedException {
        Plan plan = FlowVariables.PLAN.require(exchange, "dispatcher.dispatch");
        String model = FlowVariables.CLIENT_REQUEST.require(exchange, "dispatcher.dispatch").model();
        new Dispatch(this, exchange, plan, model).run();
    }

    FirstByteWatchdog watchdog() {
        return watchdog;
    }

    ProducerTemplate producer() {
        return producer;
    }

    BackendBreakers breakers() {
        return breakers;
    }

    FreeTierQuotas quotas() {
        return quotas;
    }

    BackendStats stats() {
        return stats;
    }

    RoutingMetrics metrics() {
        return metrics;
    }

    FailoverPolicy failover() {
        return failover;
    }
}
