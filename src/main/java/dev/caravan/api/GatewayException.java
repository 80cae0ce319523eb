package dev.caravan.api;

import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.net.http.HttpTimeoutException;

import org.apache.hc.core5.http.NoHttpResponseException;

/**
 * A failure the client is told about, already classified: HTTP status plus the OpenAI error fields.
 * Thrown anywhere in a flow; {@link OpenAiErrorResponder} turns it into the response in one place.
 * No stack trace is captured: these are expected outcomes on the hot path, not bugs.
 * <p>
 * {@code retryable} is the retry class of an upstream failure: true when another backend may well
 * succeed where this one failed (unreachable, timed out, rate limited, overloaded, a 5xx, a broken
 * answer, the gateway's own key or model refused there); false when the request itself is at fault
 * and would fail anywhere.
 */
public class GatewayException extends RuntimeException {

    private final int status;
    private final String type;
    private final String code;
    private final String param;
    private final Long retryAfterSeconds;
    private final boolean retryable;

    public GatewayException(int status, String type, String code, String param, String message, Long retryAfterSeconds) {
        this(status, type, code, param, message, retryAfterSeconds, false);
    }

    public GatewayException(int status, String type, String code, String param, String message, Long retryAfterSeconds,
                            boolean retryable) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
        this.code = code;
        this.param = param;
        this.retryAfterSeconds = retryAfterSeconds;
        this.retryable = retryable;
    }

    public static GatewayException invalidRequest(String param, String message) {
        return new GatewayException(400, "invalid_request_error", "invalid_request", param, message, null);
    }

    public static GatewayException modelNotFound(String model) {
        return new GatewayException(404, "invalid_request_error", "model_not_found", "model",
                "The model '" + model + "' does not exist. GET /v1/models lists the available models.", null);
    }

    public static GatewayException tooLarge(long limitBytes) {
        return new GatewayException(413, "invalid_request_error", "request_too_large", null,
                "The request body exceeds the limit of " + limitBytes + " bytes.", null);
    }

    public static GatewayException noBackend(String message) {
        return new GatewayException(503, "service_unavailable", "no_backend_available", "model", message, null);
    }

    /** The ledger's database cannot be reached: the request is refused before any money or upstream moves. */
    public static GatewayException databaseUnavailable() {
        return new GatewayException(503, "service_unavailable", "database_unavailable", null,
                "The gateway cannot reach its database right now; nothing was charged. Retry shortly.", 5L);
    }

    public static GatewayException badUpstream(String message) {
        return new GatewayException(502, "upstream_error", "bad_upstream_response", null, message, null, true);
    }

    public static GatewayException upstreamUnreachable(String backend) {
        return new GatewayException(502, "upstream_error", "upstream_unreachable", null,
                "The upstream backend " + backend + " could not be reached.", null, true);
    }

    public static GatewayException upstreamTimeout(String backend) {
        return new GatewayException(504, "upstream_error", "upstream_timeout", null,
                "The upstream backend " + backend + " did not answer in time.", null, true);
    }

    /**
     * A failure to talk to the upstream at all (refused, reset, timed out) as the client's error, or
     * null when the failure is not about the upstream connection (a bug in the gateway).
     */
    public static GatewayException ofUpstreamFailure(Throwable failure, String backendId) {
        if (failure instanceof GatewayException gateway) {
            return gateway;
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            // socket, connect and pool timeouts of the HTTP client are all InterruptedIOExceptions;
            // matching by type (not by name) keeps a database timeout from passing for an upstream one
            if (t instanceof InterruptedIOException || t instanceof HttpTimeoutException) {
                return upstreamTimeout(backendId);
            }
            if (t instanceof ConnectException || t instanceof UnknownHostException
                    || t instanceof NoRouteToHostException || t instanceof SocketException
                    || t instanceof NoHttpResponseException) {
                return upstreamUnreachable(backendId);
            }
        }
        return null;
    }

    public int status() {
        return status;
    }

    public String type() {
        return type;
    }

    public String code() {
        return code;
    }

    public String param() {
        return param;
    }

    public Long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    public boolean retryable() {
        return retryable;
    }
}
