package dev.caravan.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Builds the OpenAI error body {@code {"error":{"message","type","code","param"}}}. */
public final class OpenAiErrors {

    private static final ObjectMapper JSON = new ObjectMapper();

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
        String message = switch (status) {
            case 404 -> "Unknown path. The API is under /v1 (for example POST /v1/chat/completions).";
            case 405 -> "This method is not allowed on this path.";
            case 413 -> "The request body is too large.";
            case 415 -> "Send the body as application/json.";
            default -> status >= 500 ? "The gateway failed to handle the request." : "The request was not valid.";
        };
        return body(message, status >= 500 ? "server_error" : "invalid_request_error",
                status == 404 ? "not_found" : null, null);
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
