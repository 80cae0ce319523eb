package dev.caravan.metering;

import org.apache.camel.ProducerTemplate;
import org.springframework.stereotype.Component;

/**
 * Hands a usage record to the {@code record-usage} route without holding up the caller: the route a
 * stream's end is reported from is still writing to the client.
 */
@Component
public class UsageSink {

    private final ProducerTemplate producer;

    public UsageSink(ProducerTemplate producer) {
        this.producer = producer;
    }

    public void publish(UsageRecord record) {
        producer.asyncSend("direct:record-usage", exchange -> exchange.setVariable("usage", record));
    }
}
