package dev.caravan.routing;

import dev.caravan.api.GatewayException;

/**
 * How one upstream attempt ended, and what the dispatcher does about it: the failover contract in
 * one place. The client's own mistakes are answered as they are; failures of the backend move the
 * request to the next candidate (before any byte reached the client) and count against the
 * backend's breaker.
 */
enum AttemptOutcome {
    OK("ok"),
    /** the upstream refused the request itself (400, 413, 422): another backend would refuse it too */
    CLIENT_ERROR("client_error"),
    RATE_LIMITED("rate_limited"),
    TIMEOUT("timeout"),
    UNREACHABLE("unreachable"),
    /** 5xx, the gateway's credentials or model refused (401, 403, 404), or an answer that is not valid */
    ERROR("error"),
    /** given up by the gateway: a hedge that lost the race */
    CANCELLED("cancelled");

    private final String label;

    AttemptOutcome(String label) {
        this.label = label;
    }

    String label() {
        return label;
    }

    /** Worth trying the next candidate, and a failure for the backend's breaker. */
    boolean isBackendFailure() {
        return this == RATE_LIMITED || this == TIMEOUT || this == UNREACHABLE || this == ERROR;
    }

    static AttemptOutcome of(GatewayException failure) {
        if (failure.status() == 400 || failure.status() == 413) {
            return CLIENT_ERROR;
        }
        if (failure.status() == 429) {
            return RATE_LIMITED;
        }
        if (failure.status() == 504 || "upstream_timeout".equals(failure.code())) {
            return TIMEOUT;
        }
        if ("upstream_unreachable".equals(failure.code())) {
            return UNREACHABLE;
        }
        return ERROR;
    }
}
