package dev.caravan.api;

import java.io.IOException;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.springframework.stereotype.Component;

/**
 * Reads the JSON bodies clients send (chat, embeddings, the demo provider, the admin API) with one
 * set of limits, and turns every way of failing into a 400 that says where, never what: a parser's
 * message quotes the input.
 */
@Component
public class ClientJson {

    /**
     * The deepest nesting read. Structured-output schemas nest deepest in practice: OpenAI allows 10
     * levels of schema objects, each two or three JSON levels ({@code properties}, the property,
     * {@code items}), under the request's own few. 128 leaves room for any schema a provider takes,
     * while JSON nested hundreds deep is an attack on whatever walks it recursively.
     */
    public static final int MAX_DEPTH = 128;

    private final ObjectMapper json;

    public ClientJson(ObjectMapper json) {
        this.json = json.copy();
        this.json.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build());
    }

    /** @return the JSON value; never null */
    public JsonNode read(byte[] body) {
        if (body == null || body.length == 0) {
            throw GatewayException.invalidRequest(null, "The request body is empty.");
        }
        try {
            JsonNode node = json.readTree(body);
            if (node == null || node.isMissingNode()) {
                throw GatewayException.invalidRequest(null, "The request body is empty.");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw invalid(e);
        } catch (IOException e) {
            throw GatewayException.invalidRequest(null, "The request body could not be read.");
        }
    }

    private static GatewayException invalid(JsonProcessingException e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof StreamConstraintsException) {
                return GatewayException.invalidRequest(null, "The request body is nested deeper than " + MAX_DEPTH
                        + " levels, or exceeds another limit of JSON the gateway reads.");
            }
        }
        JsonLocation at = e.getLocation();
        return GatewayException.invalidRequest(null, at == null ? "The request body is not valid JSON."
                : "The request body is not valid JSON (at line " + at.getLineNr() + ", column " + at.getColumnNr() + ").");
    }
}
