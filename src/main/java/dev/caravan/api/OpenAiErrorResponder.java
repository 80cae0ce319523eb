package dev.caravan.api;

import java.util.Objects;

import dev.caravan.billing.DatabaseFailures;
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
        exchange.getMessage().setBody(OpenAiErrors.body(answer(exchange)));
    }

    /**
     * Everything of the error response but its body, which is the ingress protocol's (the Anthropic
     * shape on /v1/messages): the classified failure, status, headers and metric, decided here once.
     */
    public GatewayException answer(Exchange exchange) {
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        GatewayException error = classify(failure, exchange);
        Message message = exchange.getMessage();
        message.removeHeaders("*");
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, error.status());
        message.setHeader(Exchange.CONTENT_TYPE, "application/json");
        if (error.retryAfterSeconds() != null) {
            message.setHeader("Retry-After", String.valueOf(error.retryAfterSeconds()));
        }
        // the upstream calls made before the request failed, as on a successful answer
        String attempts = FlowVariables.ATTEMPTS_SUMMARY.get(exchange);
        if (attempts != null && !attempts.isEmpty()) {
            message.setHeader("X-Caravan-Attempts", attempts);
        }
        // tagged with the catalog's model id only once the planner resolved it: client-sent names
        // would let any client create metric series at will
        metrics.recordFailure(FlowVariables.MODEL_ID.get(exchange), error.status());
        return error;
    }

    private GatewayException classify(Throwable failure, Exchange exchange) {
        // first: a database that refuses connections fails with a ConnectException inside, which
        // must not pass for an unreachable upstream (502)
        if (DatabaseFailures.isUnavailable(failure)) {
            // fail closed: no hold, no answer; nothing is charged, the client may simply try again
            return GatewayException.databaseUnavailable();
        }
        GatewayException known = GatewayException.ofUpstreamFailure(failure,
                Objects.requireNonNullElse(FlowVariables.BACKEND_ID.get(exchange), "the upstream"));
        if (known != null) {
            return known;
        }
        // A bug, not a client or upstream problem: log the type only (messages can quote request data).
        log.error("Unexpected failure in request {}: {}", FlowVariables.REQUEST_ID.get(exchange),
                failure == null ? "unknown" : failure.getClass().getName());
        return new GatewayException(500, "server_error", "internal_error", null,
                "The gateway failed to handle the request. Request id: " + FlowVariables.REQUEST_ID.get(exchange), null);
    }
}
