package dev.caravan.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Builds the OpenAI error body {@code {"error":{"message","type","code","param"}}}. */
public final class OpenAiErrors {

    private static final ObjectMapper JSON = new ObjectMapper(JsonFactories.create());
    private static final int MAX_PATH_SHOWN = 200;

    private OpenAiErrors() {
    }

    public static ObjectNode errorObject(String message, String type, String code, String param) {
        ObjectNode error = JSON.createObjectNode();
        error.put("message", message);
        error.put("type", type);
        error.put("code", code);
        error.put("param", param);
        return error;
    }

    /**
     * The body for a refusal that carries only an HTTP status (Spring MVC's own: unknown path, wrong
     * method, bad media type, the servlet container's error page).
     */
    public static byte[] forStatus(int status) {
        return forStatus(status, null);
    }

    /** As {@link #forStatus(int)}, naming the path a 404 was for (when known), which the client may not realise it sent. */
    public static byte[] forStatus(int status, String path) {
        String message = switch (status) {
            case 404 -> unknownPath(path);
            case 405 -> "This method is not allowed on this path.";
            case 413 -> "The request body is too large.";
            case 415 -> "Send the body as application/json.";
            default -> status >= 500 ? "The gateway failed to handle the request." : "The request was not valid.";
        };
        return body(message, status >= 500 ? "server_error" : "invalid_request_error",
                status == 404 ? "not_found" : null, null);
    }

    private static String unknownPath(String path) {
        if (path == null || path.isEmpty()) {
            return "Unknown path. The API is under /v1 (for example POST /v1/chat/completions).";
        }
        // client text, echoed: bounded, and JSON-escaped by the writer
        String shown = path.length() > MAX_PATH_SHOWN ? path.substring(0, MAX_PATH_SHOWN) + "..." : path;
        return "Unknown path " + shown + ". The API is under /v1 (for example POST /v1/chat/completions, GET /v1/models).";
    }

    public static byte[] body(GatewayException e) {
        return body(e.getMessage(), e.type(), e.code(), e.param());
    }

    public static byte[] body(String message, String type, String code, String param) {
        ObjectNode root = JSON.createObjectNode();
        root.set("error", errorObject(message, type, code, param));
        try {
            return JSON.writeValueAsBytes(root);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
