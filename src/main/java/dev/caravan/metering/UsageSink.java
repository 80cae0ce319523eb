package dev.caravan.metering;

import java.util.List;

import dev.caravan.api.FlowVariables;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.springframework.stereotype.Component;

/**
 * Hands a finished stream's usage record to the one usage tap, {@code direct:usage-tap}
 * (routes/usage-tap.camel.yaml), where every other answer's record goes too, without holding up the
 * caller: the route a stream's end is reported from is still writing to the client.
 */
@Component
public class UsageSink {

    /** The tap's name is a contract between this class and the routes (docs/routes.md). */
    public static final String USAGE_TAP = "direct:usage-tap";

    private final ProducerTemplate producer;

    public UsageSink(ProducerTemplate producer) {
        this.producer = producer;
    }

    /**
     * Step of the usage tap: the exchange keeps its usage record and nothing else. A wire-tapped copy
     * carries every variable of the request (its parsed prompt, the provider's credentials, the
     * caller), and settlement batches and the settled feed copy one exchange's variables onward: none
     * of that may travel with usage to an integrator's route or sit in its queue.
     */
    public void isolate(Exchange exchange) {
        UsageRecord usage = FlowVariables.USAGE.require(exchange, "usageSink.isolate");
        for (String name : List.copyOf(exchange.getVariables().keySet())) {
            exchange.removeVariable(name);
        }
        exchange.getProperties().keySet().removeIf(name -> !name.startsWith("Camel"));
        exchange.getMessage().setBody(null);
        FlowVariables.USAGE.set(exchange, usage);
    }

    public void publish(UsageRecord record) {
        producer.asyncSend(USAGE_TAP, exchange -> FlowVariables.USAGE.set(exchange, record));
    }
}
