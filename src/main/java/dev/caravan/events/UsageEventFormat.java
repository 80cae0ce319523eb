package dev.caravan.events;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

import dev.caravan.billing.Ledger;
import org.apache.camel.Exchange;
import org.apache.camel.spi.DataFormat;
import org.apache.camel.spi.DataFormatName;
import org.apache.camel.support.service.ServiceSupport;
import org.springframework.stereotype.Component;

/**
 * A Camel data format for routes that forward usage: {@code - marshal: {custom: {ref: usageEvent}}}
 * turns a settled request (the body on the settled feed, docs/routes.md) into the usage event of
 * docs/billing-events.md, byte for byte what goes to Kafka, and sets {@code Content-Type:
 * application/json}. Marshal only: the event is for other systems to read.
 */
@Component("usageEvent")
public class UsageEventFormat extends ServiceSupport implements DataFormat, DataFormatName {

    private final UsageEventJson events;

    public UsageEventFormat(UsageEventJson events) {
        this.events = events;
    }

    @Override
    public String getDataFormatName() {
        return "usageEvent";
    }

    @Override
    public void marshal(Exchange exchange, Object graph, OutputStream stream) throws Exception {
        if (!(graph instanceof Ledger.Settled settled)) {
            throw new IllegalArgumentException("usageEvent marshals a settled request (the body on caravan.usage.settled), not "
                    + (graph == null ? "null" : graph.getClass().getName()));
        }
        stream.write(events.toJson(settled).getBytes(StandardCharsets.UTF_8));
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
    }

    @Override
    public Object unmarshal(Exchange exchange, InputStream stream) {
        throw new UnsupportedOperationException("usageEvent only marshals");
    }
}
