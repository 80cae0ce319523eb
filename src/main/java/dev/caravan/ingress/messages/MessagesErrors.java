package dev.caravan.ingress.messages;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caravan.api.GatewayException;
import dev.caravan.api.JsonFactories;
import dev.caravan.api.OpenAiErrorResponder;
import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;

/**
 * Errors on {@code /v1/messages} in Anthropic's shape, {@code {"type":"error","error":{"type","message"}}},
 * which Anthropic's SDKs read: the failure is classified, and its status and headers set, by
 * {@link OpenAiErrorResponder} as everywhere; only the body differs. The status stays the gateway's
 * (402 for credit included, which Anthropic's API does not use): the error type names the kind.
 */
@Component("messagesErrors")
public class MessagesErrors {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final ObjectMapper JSON_WRITER = new ObjectMapper(JsonFactories.create());

    private final OpenAiErrorResponder responder;

    public MessagesErrors(OpenAiErrorResponder responder) {
        this.responder = responder;
    }

    /** The error handler step of the {@code anthropic-errors} route configuration. */
    public void respond(Exchange exchange) throws Exception {
        exchange.getMessage().setBody(JSON_WRITER.writeValueAsBytes(error(responder.answer(exchange))));
    }

    /** Anthropic's error body for a failure answered before any route ran (the servlet filters). */
    public static byte[] body(GatewayException error) {
        try {
            return JSON_WRITER.writeValueAsBytes(error(error));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The body, and the data of a stream's {@code error} event. */
    static ObjectNode error(GatewayException error) {
        // Anthropic's shape has no 'param': the field goes in front of the message, as Anthropic's own do
        String message = error.param() == null || error.getMessage().contains(error.param())
                ? error.getMessage() : error.param() + ": " + error.getMessage();
        return error(type(error.status()), message);
    }

    static ObjectNode error(String type, String message) {
        ObjectNode body = JSON.objectNode().put("type", "error");
        body.putObject("error").put("type", type).put("message", message);
        return body;
    }

    /** Anthropic's error type for a status (its API's own pairs; 402 and 502 have none there). */
    static String type(int status) {
        return switch (status) {
            case 400, 422 -> "invalid_request_error";
            case 401 -> "authentication_error";
            case 402 -> "billing_error";
            case 403 -> "permission_error";
            case 404 -> "not_found_error";
            case 408, 504 -> "timeout_error";
            case 413 -> "request_too_large";
            case 429 -> "rate_limit_error";
            case 503, 529 -> "overloaded_error";
            default -> "api_error";
        };
    }
}
