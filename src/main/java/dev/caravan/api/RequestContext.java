package dev.caravan.api;

import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;

/** The first step of every flow: the request id (set by {@link RequestIdFilter}) and the start time. */
@Component("requestContext")
public class RequestContext {

    public void begin(Exchange exchange) {
        exchange.setVariable("requestId", exchange.getMessage().getHeader(RequestIdFilter.HEADER, String.class));
        exchange.setVariable("startedNanos", System.nanoTime());
    }
}
