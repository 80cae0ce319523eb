package dev.caravan.routing;

import dev.caravan.api.GatewayException;

/**
 * How one upstream attempt ended: the one classification of upstream failures. What the dispatcher
 * does about an outcome is configuration ({@link FailoverPolicy}); what the breaker counts is not:
 * every failure of the backend counts against its breaker, whether or not it fails over, and the
 * client's own mistakes never do.
 * <p>
 * The label is what usage records and metrics show; the three kinds of {@code error} share it.
 */
public enum AttemptOutcome {
    OK("ok", null),
    /** the upstream refused the request itself (400, 413, 422): another backend would refuse it too */
    CLIENT_ERROR("client_error", "client-error"),
    RATE_LIMITED("rate_limited", "rate-limited"),
    TIMEOUT("timeout", "timeout"),
    UNREACHABLE("unreachable", "unreachable"),
    /** a 5xx of the upstream (overloaded included), or any failure not classified otherwise */
    SERVER_ERROR("error", "server-error"),
    /** the gateway's own credentials or model refused there (401, 403, 404) */
    REFUSED("error", "refused"),
    /** an answer that is not valid (not JSON, not the protocol's shape) */
    INVALID_ANSWER("error", "invalid-answer"),
    /** given up by the gateway: a hedge that lost the race */
    CANCELLED("cancelled", null);

    private final String label;
    private final String policyName;

    AttemptOutcome(String label, String policyName) {
        this.label = label;
        this.policyName = policyName;
    }

    String label() {
        return label;
    }

    /** The name a failover policy's {@code when} list gives this outcome. */
    String policyName() {
        return policyName;
    }

    /** A failure of the backend: counted against its breaker, and failed over by the default policy. */
    public boolean isBackendFailure() {
        return this == RATE_LIMITED || this == TIMEOUT || this == UNREACHABLE || this == SERVER_ERROR
                || this == REFUSED || this == INVALID_ANSWER;
    }

    public static AttemptOutcome of(GatewayException failure) {
        if (failure.status() == 400 || failure.status() == 413) {
            return CLIENT_ERROR;
        }
        if (failure.status() == 429) {
            return RATE_LIMITED;
        }
        if (failure.status() == 504 || "upstream_timeout".equals(failure.code())) {
            return TIMEOUT;
        }
        if (failure.code() == null) {
            return SERVER_ERROR;
        }
        return switch (failure.code()) {
            case "upstream_unreachable" -> UNREACHABLE;
            case "upstream_auth_failed", "upstream_model_not_found" -> REFUSED;
            case "bad_upstream_response" -> INVALID_ANSWER;
            default -> SERVER_ERROR;
        };
    }
}
