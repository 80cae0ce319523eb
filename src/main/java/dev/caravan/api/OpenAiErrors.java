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
