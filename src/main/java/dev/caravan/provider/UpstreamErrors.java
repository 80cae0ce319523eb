package dev.caravan.provider;

import com.fasterxml.jackson.databind.JsonNode;
import dev.caravan.api.GatewayException;
import dev.caravan.catalog.Backend;

/**
 * How an upstream failure maps to what the client sees, shared by all protocols. The client's own
 * mistakes (400, 413, 422) are passed on with the upstream's explanation; the gateway's problems
 * with the upstream (its key refused, the model missing there) become 502 so that provider keys and
 * upstream configuration never look like the client's fault.
 * <p>
 * The retry class follows the client's status: a failure that becomes a 5xx or a 429 is
 * {@code retryable} (another backend may succeed), one that becomes a 4xx is the request's own fault.
 */
public final class UpstreamErrors {

    private UpstreamErrors() {
    }

    /** An error status the upstream answered with. */
    public static GatewayException classify(int status, String upstreamMessage, String retryAfter, Backend backend) {
        return classify(status, upstreamMessage, retryAfter, "Upstream " + backend.id() + " answered " + status);
    }

    /**
     * The same classification for a failure reported another way (an error event inside a stream
     * that started with 200), with {@code where} saying what happened.
     */
    public static GatewayException classify(int status, String upstreamMessage, String retryAfter, String where) {
        String detail = upstreamMessage == null || upstreamMessage.isBlank() ? "" : ": " + upstreamMessage;
        return switch (status) {
            case 400, 413, 422 -> new GatewayException(status == 422 ? 400 : status, "invalid_request_error",
                    "upstream_rejected_request", null, where + detail, null, false);
            case 401, 403 -> new GatewayException(502, "upstream_error", "upstream_auth_failed", null,
                    where + ": the gateway's credentials for this provider were refused.", null, true);
            case 404 -> new GatewayException(502, "upstream_error", "upstream_model_not_found", null,
                    where + ": the upstream does not know this model or endpoint.", null, true);
            case 408, 504 -> new GatewayException(504, "upstream_error", "upstream_timeout", null, where + detail, null, true);
            case 429 -> new GatewayException(429, "rate_limit_error", "upstream_rate_limited", null,
                    where + detail, parseRetryAfter(retryAfter), true);
            // Anthropic's "overloaded" status: temporary, like a 503
            case 529 -> new GatewayException(503, "upstream_error", "upstream_overloaded", null, where + detail, null, true);
            default -> new GatewayException(502, "upstream_error", "upstream_error", null, where + detail, null, true);
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
