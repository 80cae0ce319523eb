package dev.caravan.api;

import jakarta.servlet.http.HttpServletRequest;
import org.apache.camel.Exchange;
import org.apache.camel.component.platform.http.springboot.PlatformHttpMessage;
import org.springframework.stereotype.Component;

/**
 * The first step of every flow from {@code platform-http:}. It sets the variables the later steps
 * take what the gateway knows about the request from, never from message headers (a client writes
 * those): {@code requestId} (made by {@link RequestIdFilter}), {@code httpRequest} (the servlet request,
 * for the real {@code Authorization} header and the client's address; valid while the request is
 * served) and {@code startedNanos}.
 */
@Component("requestContext")
public class RequestContext {

    public static final String HTTP_REQUEST = "httpRequest";

    public void begin(Exchange exchange) {
        if (!(exchange.getIn() instanceof PlatformHttpMessage message) || message.getRequest() == null) {
            throw new IllegalStateException("requestContext.begin is the first step of a route from platform-http:");
        }
        HttpServletRequest request = message.getRequest();
        FlowVariables.REQUEST_ID.set(exchange, RequestIdFilter.idOf(request));
        exchange.setVariable(HTTP_REQUEST, request);
        FlowVariables.STARTED_NANOS.set(exchange, System.nanoTime());
    }

    /** The servlet request of a step that needs it; {@code step} is named when requestContext.begin did not run. */
    public static HttpServletRequest httpRequest(Exchange exchange, String step) {
        HttpServletRequest request = exchange.getVariable(HTTP_REQUEST, HttpServletRequest.class);
        if (request == null) {
            throw new IllegalStateException(step + " needs the variable " + HTTP_REQUEST
                    + ": run requestContext.begin first in the route");
        }
        return request;
    }
}
