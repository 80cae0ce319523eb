package dev.caravan.provider;

import dev.caravan.api.GatewayException;
import dev.caravan.catalog.Backend;

/**
 * How an upstream HTTP status maps to what the client sees, shared by all protocols. The client's own
 * mistakes (400, 413, 422) are passed on with the upstream's explanation; the gateway's problems
 * with the upstream (its key refused, the model missing there) become 502 so that provider keys and
 * upstream configuration never look like the client's fault.
 */
public final class UpstreamErrors {

    private UpstreamErrors() {
    }

    public static GatewayException classify(int status, String upstreamMessage, String retryAfter, Backend backend) {
        String detail = upstreamMessage == null || upstreamMessage.isBlank() ? "" : ": " + upstreamMessage;
        String where = "Upstream " + backend.id() + " answered " + status;
        return switch (status) {
            case 400, 413, 422 -> new GatewayException(status == 422 ? 400 : status, "invalid_request_error",
                    "upstream_rejected_request", null, where + detail, null);
            case 401, 403 -> new GatewayException(502, "upstream_error", "upstream_auth_failed", null,
                    where + ": the gateway's credentials for this provider were refused.", null);
            case 404 -> new GatewayException(502, "upstream_error", "upstream_model_not_found", null,
                    where + ": the upstream does not know this model or endpoint.", null);
            case 408, 504 -> new GatewayException(504, "upstream_error", "upstream_timeout", null, where + detail, null);
            case 429 -> new GatewayException(429, "rate_limit_error", "upstream_rate_limited", null,
                    where + detail, parseRetryAfter(retryAfter));
            default -> new GatewayException(502, "upstream_error", "upstream_error", null, where + detail, null);
        };
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
