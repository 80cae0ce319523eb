package dev.caravan.provider.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import dev.caravan.api.GatewayException;
import dev.caravan.catalog.Backend;
import dev.caravan.provider.ProviderJson;
import dev.caravan.provider.UpstreamErrors;

/**
 * Gemini's errors ({@code {"error":{"code","message","status","details"}}}) as the client's. Three
 * need more than the HTTP status: an invalid API key is a 400 with reason {@code API_KEY_INVALID}
 * (the gateway's fault, not the client's), {@code FAILED_PRECONDITION} (a region or billing problem
 * of the gateway's account) is a 400 too, and 503 {@code UNAVAILABLE} means the model is overloaded.
 * A 429's retry delay comes in the details, not in {@code Retry-After}.
 */
final class GeminiErrors {

    private GeminiErrors() {
    }

    static GatewayException toClientError(int status, byte[] body, String retryAfter, Backend backend) {
        JsonNode error = ProviderJson.readErrorBody(body).path("error");
        String where = "Upstream " + backend.id() + " answered " + status
                + (error.path("status").isTextual() ? " " + error.path("status").asText() : "");
        return UpstreamErrors.classify(effectiveStatus(status, error), error.path("message").asText(null),
                retryAfter != null ? retryAfter : retryDelay(error), where, UpstreamErrors.codes(error));
    }

    /** An error object inside a stream that started with 200. */
    static GatewayException midStream(JsonNode error) {
        String status = error.path("status").asText("UNKNOWN");
        return UpstreamErrors.classify(effectiveStatus(error.path("code").asInt(500), error), error.path("message").asText(null),
                retryDelay(error), "The upstream failed mid-stream (" + status + ")", UpstreamErrors.codes(error));
    }

    private static int effectiveStatus(int status, JsonNode error) {
        if (hasReason(error, "API_KEY_INVALID")) {
            return 401;
        }
        if ("FAILED_PRECONDITION".equals(error.path("status").asText())) {
            return 500; // the gateway's account cannot use the API here: an upstream error, with its message
        }
        return status == 503 ? 529 : status;
    }

    private static boolean hasReason(JsonNode error, String reason) {
        for (JsonNode detail : error.path("details")) {
            if (reason.equals(detail.path("reason").asText())) {
                return true;
            }
        }
        return false;
    }

    /** {@code google.rpc.RetryInfo}'s {@code retryDelay}, such as {@code "37s"}, in seconds. */
    private static String retryDelay(JsonNode error) {
        for (JsonNode detail : error.path("details")) {
            String delay = detail.path("retryDelay").asText("");
            if (delay.endsWith("s")) {
                return delay.substring(0, delay.length() - 1);
            }
        }
        return null;
    }
}
