package dev.caravan.provider;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caravan.api.GatewayException;
import dev.caravan.api.JsonFactories;

/**
 * JSON for translators, which are plain functions and hold no mapper of their own. What the upstream
 * sends and cannot be read is the upstream's fault: a 502, or an error chunk in a stream.
 */
public final class ProviderJson {

    private static final ObjectMapper JSON = new ObjectMapper(JsonFactories.create());

    private ProviderJson() {
    }

    public static ObjectNode object() {
        return JsonNodeFactory.instance.objectNode();
    }

    /** A complete upstream answer. */
    public static JsonNode readAnswer(byte[] body) {
        return readObject(body, "The upstream answer is not a JSON object.");
    }

    /** The data of one server-sent event. */
    public static JsonNode readEvent(String data) {
        return readObject(data.getBytes(StandardCharsets.UTF_8), "The upstream sent a stream event that is not a JSON object.");
    }

    /** Upstream JSON that must be an object; the failure never quotes it. */
    private static JsonNode readObject(byte[] json, String failure) {
        try {
            JsonNode node = JSON.readTree(json);
            if (node != null && node.isObject()) {
                return node;
            }
        } catch (IOException e) {
            // reported below
        }
        throw GatewayException.badUpstream(failure);
    }

    /** Client-supplied JSON text (tool call arguments), or null when it is not JSON. */
    public static JsonNode parseOrNull(String text) {
        try {
            return text == null ? null : JSON.readTree(text);
        } catch (IOException e) {
            return null;
        }
    }

    /** An upstream error body, or an empty object when it is not JSON (an HTML error page). */
    public static JsonNode readErrorBody(byte[] body) {
        try {
            JsonNode node = body == null || body.length == 0 ? null : JSON.readTree(body);
            return node == null ? object() : node;
        } catch (IOException e) {
            return object();
        }
    }

    public static byte[] bytes(JsonNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String text(JsonNode node) {
        try {
            return JSON.writeValueAsString(node);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
