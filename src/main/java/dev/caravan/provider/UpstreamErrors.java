package dev.caravan.provider;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import dev.caravan.api.GatewayException;
import dev.caravan.catalog.Backend;

/**
 * How an upstream failure maps to what the client sees, shared by all protocols. The client's own
 * mistakes (400, 413, 422) are passed on with the upstream's explanation; the gateway's problems
 * with the upstream (its key refused, the model missing there) become 502 so that provider keys and
 * upstream configuration never look like the client's fault.
 * <p>
 * The upstream's own error codes travel with the result ({@link GatewayException#upstreamCodes()}) so
 * that a provider's failover policy can name them; whether the request moves on to another backend
 * is the dispatcher's decision, made from this result (docs/routing.md).
 */
public final class UpstreamErrors {

    private UpstreamErrors() {
    }

    /** An error status the upstream answered with. */
    public static GatewayException classify(int status, String upstreamMessage, String retryAfter, Backend backend) {
        return classify(status, upstreamMessage, retryAfter, "Upstream " + backend.id() + " answered " + status);
    }

    /** An error status the upstream answered with, and its error body (message and codes are read from it). */
    public static GatewayException classify(int status, byte[] body, String retryAfter, Backend backend) {
        return classify(status, message(body), retryAfter, "Upstream " + backend.id() + " answered " + status, codes(body));
    }

    public static GatewayException classify(int status, String upstreamMessage, String retryAfter, String where) {
        return classify(status, upstreamMessage, retryAfter, where, List.of());
    }

    /**
     * The same classification for a failure reported another way (an error event inside a stream
     * that started with 200), with {@code where} saying what happened, and the upstream's error codes.
     */
    public static GatewayException classify(int status, String upstreamMessage, String retryAfter, String where,
                                            List<String> codes) {
        String detail = upstreamMessage == null || upstreamMessage.isBlank() ? "" : ": " + upstreamMessage;
        return switch (status) {
            case 400, 413, 422 -> new GatewayException(status == 422 ? 400 : status, "invalid_request_error",
                    "upstream_rejected_request", null, where + detail, null, codes);
            case 401, 403 -> new GatewayException(502, "upstream_error", "upstream_auth_failed", null,
                    where + ": the gateway's credentials for this provider were refused.", null, codes);
            case 404 -> new GatewayException(502, "upstream_error", "upstream_model_not_found", null,
                    where + ": the upstream does not know this model or endpoint.", null, codes);
            case 408, 504 -> new GatewayException(504, "upstream_error", "upstream_timeout", null, where + detail, null, codes);
            case 429 -> new GatewayException(429, "rate_limit_error", "upstream_rate_limited", null,
                    where + detail, parseRetryAfter(retryAfter), codes);
            // Anthropic's "overloaded" status: temporary, like a 503
            case 529 -> new GatewayException(503, "upstream_error", "upstream_overloaded", null, where + detail, null, codes);
            default -> new GatewayException(502, "upstream_error", "upstream_error", null, where + detail, null, codes);
        };
    }

    /**
     * The human-readable message of an upstream error body: {@code error.message} (OpenAI, Anthropic,
     * Gemini), a string {@code error}, or a top-level {@code message}; null when there is none.
     */
    public static String message(byte[] body) {
        JsonNode node = ProviderJson.readErrorBody(body);
        JsonNode message = node.path("error").path("message");
        if (message.isTextual()) {
            return message.asText();
        }
        if (node.path("error").isTextual()) {
            return node.path("error").asText();
        }
        return node.path("message").isTextual() ? node.path("message").asText() : null;
    }

    /**
     * The upstream's names for the error, as a failover policy may list them: {@code error.code} and
     * {@code error.type} (OpenAI {@code insufficient_quota}, Anthropic {@code overloaded_error}) and
     * {@code error.status} (Gemini {@code RESOURCE_EXHAUSTED}); empty when the body has none.
     */
    public static List<String> codes(byte[] body) {
        return codes(ProviderJson.readErrorBody(body).path("error"));
    }

    /** The same for an error object already read (an error event inside a stream). */
    public static List<String> codes(JsonNode error) {
        List<String> codes = new ArrayList<>();
        for (String field : new String[] {"code", "type", "status"}) {
            JsonNode value = error.path(field);
            if (value.isTextual() && !value.asText().isBlank() && !codes.contains(value.asText())) {
                codes.add(value.asText());
            }
        }
        return List.copyOf(codes);
    }

    private static Long parseRetryAfter(String retryAfter) {
        if (retryAfter == null) {
            return 1L;
        }
        try {
            return Math.max(1L, (long) Math.ceil(Double.parseDouble(retryAfter.trim())));
        } catch (NumberFormatException e) {
            return 1L;
        }
    }
}
