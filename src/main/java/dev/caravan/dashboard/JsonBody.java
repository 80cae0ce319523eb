package dev.caravan.dashboard;

import java.io.IOException;
import java.io.InputStream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.caravan.api.ClientJson;
import dev.caravan.api.GatewayException;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.stereotype.Component;

/**
 * The dashboard's request bodies: small JSON objects (a form's fields), read up to {@value #MAX_BYTES}
 * bytes, depth-limited by {@link ClientJson}. Fields are strings or numbers; anything else is a 400
 * naming the field.
 */
@Component
public class JsonBody {

    static final int MAX_BYTES = 16 * 1024;

    private final ClientJson clientJson;

    public JsonBody(ClientJson clientJson) {
        this.clientJson = clientJson;
    }

    public JsonNode object(HttpServletRequest request) {
        byte[] body;
        try (InputStream in = request.getInputStream()) {
            body = in.readNBytes(MAX_BYTES + 1);
        } catch (IOException e) {
            throw GatewayException.invalidRequest(null, "The request body could not be read.");
        }
        if (body.length > MAX_BYTES) {
            throw GatewayException.tooLarge(MAX_BYTES);
        }
        if (body.length == 0) {
            throw GatewayException.invalidRequest(null, "A JSON object body is required.");
        }
        JsonNode node = clientJson.read(body);
        if (!node.isObject()) {
            throw GatewayException.invalidRequest(null, "The request body must be a JSON object.");
        }
        return node;
    }

    /** A string field, or null when absent; any other JSON type is a 400 on the field. */
    public static String text(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw GatewayException.invalidRequest(field, "'" + field + "' must be a string.");
        }
        return value.asText();
    }
}
