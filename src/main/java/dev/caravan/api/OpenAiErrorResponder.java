package dev.caravan.api;

import java.net.SocketTimeoutException;
import java.net.http.HttpTimeoutException;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import dev.caravan.metering.UsageMetrics;
import org.springframework.stereotype.Component;

/**
 * The one place where a failed exchange becomes an OpenAI-shaped error response. Used by the
 * {@code openai-errors} route configuration that every HTTP-facing route opts into.
 */
@Component("openAiErrorResponder")
public class OpenAiErrorResponder {

    private static final Logger log = LoggerFactory.getLogger(OpenAiErrorResponder.class);

    private final UsageMetrics metrics;

    public OpenAiErrorResponder(UsageMetrics metrics) {
        this.metrics = metrics;
    }

    public void respond(Exchange exchange) {
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        GatewayException error = classify(failure, exchange);
        Message message = exchange.getMessage();
        message.removeHeaders("*");
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, error.status());
        message.setHeader(Exchange.CONTENT_TYPE, "application/json");
        if (error.retryAfterSeconds() != null) {
            message.setHeader("Retry-After", String.valueOf(error.retryAfterSeconds()));
        }
        message.setBody(OpenAiErrors.body(error));
        // tagged with the catalog's model id only once the planner resolved it: client-sent names
        // would let any client create metric series at will
        metrics.recordFailure(exchange.getVariable("modelId", String.class), error.status());
    }

    private GatewayException classify(Throwable failure, Exchange exchange) {
        if (failure instanceof GatewayException gateway) {
            return gateway;
        }
        String backend = exchange.getVariable("backendId", "the upstream", String.class);
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SocketTimeoutException || t instanceof HttpTimeoutException
                    || t.getClass().getSimpleName().contains("Timeout")) {
                return GatewayException.upstreamTimeout(backend);
            }
            if (t instanceof java.net.ConnectException || t instanceof java.net.UnknownHostException
                    || t instanceof java.net.NoRouteToHostException || t instanceof java.net.SocketException
                    || t instanceof org.apache.hc.core5.http.NoHttpResponseException) {
                return GatewayException.upstreamUnreachable(backend);
            }
        }
        // A bug, not a client or upstream problem: log the type only (messages can quote request data).
        log.error("Unexpected failure in request {}: {}", exchange.getVariable("requestId"),
                failure == null ? "unknown" : failure.getClass().getName());
        return new GatewayException(500, "server_error", "internal_error", null,
                "The gateway failed to handle the request. Request id: " + exchange.getVariable("requestId"), null);
    }
}
