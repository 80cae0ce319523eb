package dev.caravan.api;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.Exchange;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Reads the request body and checks the OpenAI request shape, so that malformed input is refused
 * here with a 400 naming the field, before any money or upstream is involved. The HTTP front has
 * already read the body within {@code caravan.http.max-request-bytes}; the bound here is a second
 * line, for a route reached another way. JSON is read with {@link ClientJson}'s limits.
 */
@Component("clientRequests")
public class ClientRequestParser {

    private static final List<String> ROLES = List.of("system", "developer", "user", "assistant", "tool", "function");

    private final ClientJson json;
    private final int maxRequestBytes;

    public ClientRequestParser(ClientJson json, @Value("${caravan.http.max-request-bytes:8388608}") int maxRequestBytes) {
        this.json = json;
        this.maxRequestBytes = maxRequestBytes;
    }

    public ClientRequest parseChatCompletion(Exchange exchange) {
        ObjectNode body = readObject(exchange);
        String model = requireModel(body);
        validateMessages(body.get("messages"));
        boolean stream = optionalBoolean(body, "stream");
        JsonNode streamOptions = body.get("stream_options");
        if (streamOptions != null && !streamOptions.isNull() && !streamOptions.isObject()) {
            throw GatewayException.invalidRequest("stream_options", "'stream_options' must be an object.");
        }
        boolean includeUsage = streamOptions != null && streamOptions.path("include_usage").asBoolean(false);
        Integer maxTokens = optionalPositiveInt(body, "max_completion_tokens");
        if (maxTokens == null) {
            maxTokens = optionalPositiveInt(body, "max_tokens");
        }
        return new ClientRequest(Operation.CHAT_COMPLETION, body, model, stream, includeUsage, maxTokens,
                PricedFields.read(body));
    }

    public ClientRequest parseEmbeddings(Exchange exchange) {
        ObjectNode body = readObject(exchange);
        String model = requireModel(body);
        JsonNode input = body.get("input");
        boolean valid = input != null && (input.isTextual() || (input.isArray() && !input.isEmpty()));
        if (!valid) {
            throw GatewayException.invalidRequest("input",
                    "'input' is required: a string, an array of strings, or an array of token arrays.");
        }
        EmbeddingVectors.requestedFormat(body);
        return new ClientRequest(Operation.EMBEDDINGS, body, model, false, false, null);
    }

    /** The body as a JSON object, within the size and depth limits: for the other ingress protocols too. */
    public ObjectNode readObject(Exchange exchange) {
        JsonNode node = json.read(readBounded(exchange));
        if (!node.isObject()) {
            throw GatewayException.invalidRequest(null, "The request body must be a JSON object.");
        }
        return (ObjectNode) node;
    }

    private byte[] readBounded(Exchange exchange) {
        Object body = exchange.getMessage().getBody();
        if (body == null) {
            throw GatewayException.invalidRequest(null, "The request body is empty.");
        }
        if (body instanceof byte[] bytes) {
            return checkSize(bytes);
        }
        if (body instanceof WholeBody whole) {
            return checkSize(whole.bytes());
        }
        if (body instanceof String text) {
            return checkSize(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        try (InputStream in = exchange.getMessage().getBody(InputStream.class)) {
            byte[] bytes = in.readNBytes(maxRequestBytes + 1);
            return checkSize(bytes);
        } catch (IOException e) {
            throw GatewayException.invalidRequest(null, "The request body could not be read.");
        }
    }

    private byte[] checkSize(byte[] bytes) {
        if (bytes.length > maxRequestBytes) {
            throw GatewayException.tooLarge(maxRequestBytes);
        }
        return bytes;
    }

    private static String requireModel(ObjectNode body) {
        JsonNode model = body.get("model");
        if (model == null || model.isNull()) {
            throw GatewayException.invalidRequest("model", "'model' is required.");
        }
        if (!model.isTextual() || model.asText().isBlank()) {
            throw GatewayException.invalidRequest("model", "'model' must be a non-empty string.");
        }
        return model.asText();
    }

    private static void validateMessages(JsonNode messages) {
        if (messages == null || messages.isNull()) {
            throw GatewayException.invalidRequest("messages", "'messages' is required.");
        }
        if (!messages.isArray() || messages.isEmpty()) {
            throw GatewayException.invalidRequest("messages", "'messages' must be a non-empty array.");
        }
        for (int i = 0; i < messages.size(); i++) {
            JsonNode message = messages.get(i);
            String param = "messages[" + i + "]";
            if (!message.isObject()) {
                throw GatewayException.invalidRequest(param, "'" + param + "' must be an object.");
            }
            JsonNode role = message.get("role");
            if (role == null || !role.isTextual() || !ROLES.contains(role.asText())) {
                throw GatewayException.invalidRequest(param + ".role",
                        "'" + param + ".role' must be one of " + ROLES + ".");
            }
            JsonNode content = message.get("content");
            if (content != null && !content.isNull() && !content.isTextual() && !content.isArray()) {
                throw GatewayException.invalidRequest(param + ".content",
                        "'" + param + ".content' must be a string or an array of content parts.");
            }
        }
    }

    private static boolean optionalBoolean(ObjectNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return false;
        }
        if (!value.isBoolean()) {
            throw GatewayException.invalidRequest(field, "'" + field + "' must be a boolean.");
        }
        return value.booleanValue();
    }

    private static Integer optionalPositiveInt(ObjectNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.canConvertToExactIntegral() || value.asLong() < 1 || value.asLong() > Integer.MAX_VALUE) {
            throw GatewayException.invalidRequest(field, "'" + field + "' must be a positive integer.");
        }
        return value.asInt();
    }
}
