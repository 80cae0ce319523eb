package dev.caravan.api;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;

/**
 * Embeddings in the {@code encoding_format} the client asked for. Some upstreams ignore the field and
 * answer float arrays to a client that asked for base64; a client then decodes the floats' text as
 * bytes and silently gets garbage vectors. So the gateway answers in the form asked, whatever the
 * upstream returned: {@code base64} is the vector as little-endian float32, as OpenAI sends it.
 */
@Component("embeddingVectors")
public class EmbeddingVectors {

    public static final String FLOAT = "float";
    public static final String BASE64 = "base64";

    /** The client's {@code encoding_format}, checked: {@code float} when absent. */
    public static String requestedFormat(ObjectNode request) {
        JsonNode format = request.get("encoding_format");
        if (format == null || format.isNull()) {
            return FLOAT;
        }
        if (!format.isTextual() || !(format.asText().equals(FLOAT) || format.asText().equals(BASE64))) {
            throw GatewayException.invalidRequest("encoding_format", "'encoding_format' must be \"float\" or \"base64\".");
        }
        return format.asText();
    }

    /** Route step after the dispatch: the body (an OpenAI embeddings response) gets the vectors in the asked form. */
    public void encodeAsAsked(Exchange exchange) throws Exception {
        ClientRequest request = FlowVariables.CLIENT_REQUEST.require(exchange, "embeddingVectors.encodeAsAsked");
        if (request == null) {
            throw new IllegalStateException("embeddingVectors.encodeAsAsked needs the variable clientRequest: "
                    + "run clientRequests.parseEmbeddings first in the route");
        }
        boolean base64 = requestedFormat(request.body()).equals(BASE64);
        ObjectNode response = exchange.getMessage().getMandatoryBody(ObjectNode.class);
        for (JsonNode item : response.path("data")) {
            JsonNode vector = item.get("embedding");
            if (base64 && vector instanceof ArrayNode floats) {
                ((ObjectNode) item).put("embedding", toBase64(floats));
            } else if (!base64 && vector instanceof TextNode encoded) {
                ((ObjectNode) item).set("embedding", fromBase64(encoded.asText()));
            }
        }
    }

    public static String toBase64(ArrayNode floats) {
        ByteBuffer bytes = ByteBuffer.allocate(floats.size() * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (JsonNode value : floats) {
            if (!value.isNumber()) {
                throw GatewayException.badUpstream("The upstream answered an embedding with a value that is not a number.");
            }
            bytes.putFloat(value.floatValue());
        }
        return Base64.getEncoder().encodeToString(bytes.array());
    }

    private static ArrayNode fromBase64(String encoded) {
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(encoded);
        } catch (IllegalArgumentException e) {
            throw GatewayException.badUpstream("The upstream answered an embedding that is not valid base64.");
        }
        if (raw.length % Float.BYTES != 0) {
            throw GatewayException.badUpstream("The upstream answered a base64 embedding that is not float32 values.");
        }
        ByteBuffer bytes = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        ArrayNode floats = JsonNodeFactory.instance.arrayNode(raw.length / Float.BYTES);
        while (bytes.hasRemaining()) {
            floats.add(bytes.getFloat());
        }
        return floats;
    }
}
