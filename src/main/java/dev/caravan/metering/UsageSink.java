package dev.caravan.metering;

import dev.caravan.api.FlowVariables;
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

    public void publish(UsageRecord record) {
        producer.asyncSend(USAGE_TAP, exchange -> FlowVariables.USAGE.set(exchange, record));
    }
}
