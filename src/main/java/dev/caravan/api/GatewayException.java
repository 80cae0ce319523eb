package dev.caravan.api;

import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.net.http.HttpTimeoutException;
import java.util.List;

import org.apache.hc.core5.http.NoHttpResponseException;

/**
 * A failure the client is told about, already classified: HTTP status plus the OpenAI error fields.
 * Thrown anywhere in a flow; {@link OpenAiErrorResponder} turns it into the response in one place.
 * No stack trace is captured: these are expected outcomes on the hot path, not bugs.
 * <p>
 * Whether an upstream failure moves the request on to another backend is not decided here: the
 * dispatcher classifies the failure by its status and code ({@code AttemptOutcome}) and asks the
 * provider's failover policy. {@code upstreamCodes} are the upstream's own names for the error (an
 * OpenAI {@code insufficient_quota}, an Anthropic {@code overloaded_error}), which a policy may name;
 * they are never shown to the client.
 */
public class GatewayException extends RuntimeException {

    private final int status;
    private final String type;
    private final String code;
    private final String param;
    private final Long retryAfterSeconds;
    private final List<String> upstreamCodes;

    public GatewayException(int status, String type, String code, String param, String message, Long retryAfterSeconds) {
        this(status, type, code, param, message, retryAfterSeconds, List.of());
    }

    public GatewayException(int status, String type, String code, String param, String message, Long retryAfterSeconds,
                            List<String> upstreamCodes) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
        this.code = code;
        this.param = param;
        this.retryAfterSeconds = retryAfterSeconds;
        this.upstreamCodes = List.copyOf(upstreamCodes);
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
        return new GatewayException(502, "upstream_error", "bad_upstream_response", null, message, null);
    }

    public static GatewayException upstreamUnreachable(String backend) {
        return new GatewayException(502, "upstream_error", "upstream_unreachable", null,
                "The upstream backend " + backend + " could not be reached.", null);
    }

    public static GatewayException upstreamTimeout(String backend) {
        return new GatewayException(504, "upstream_error", "upstream_timeout", null,
                "The upstream backend " + backend + " did not answer in time.", null);
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

    /** The upstream's own codes for this error (from its error body); empty when it gave none. */
    public List<String> upstreamCodes() {
        return upstreamCodes;
    }
}
