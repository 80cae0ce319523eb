package dev.caravan.events;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import dev.caravan.billing.Ledger;

/**
 * The dead letters of usage forwarding (the {@code usage-forwarding} route configuration): a settled
 * request a forwarding route could not deliver after its retries. Logged with its request id, the
 * route and the failure's type (never the target's answer, which may quote what was sent), and
 * counted as {@code caravan_usage_forward_failures_total{route}}. The request itself is settled and in
 * the usage table: {@code GET /v1/usage} and the Kafka events still have it.
 */
@Component("usageForwarding")
public class UsageForwarding {

    private static final Logger log = LoggerFactory.getLogger(UsageForwarding.class);

    private final MeterRegistry registry;

    public UsageForwarding(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Route step of {@code usage-forwarding-failed}. */
    public void failed(Exchange exchange) {
        String route = exchange.getProperty(Exchange.FAILURE_ROUTE_ID, "unknown", String.class);
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        Object body = exchange.getIn().getBody();
        String requestId = body instanceof Ledger.Settled settled ? settled.usage().requestId() : "unknown";
        log.warn("Usage of request {} not forwarded by route {} after its retries: {}", requestId, route,
                failure == null ? "unknown failure" : failure.getClass().getName());
        Counter.builder("caravan_usage_forward_failures").description("Settled requests a forwarding route gave up on")
                .tag("route", route).register(registry).increment();
    }
}
