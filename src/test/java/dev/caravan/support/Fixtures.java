package dev.caravan.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caravan.api.ClientRequest;
import dev.caravan.api.Operation;

/**
 * The recorded provider examples under src/test/resources/fixtures (each folder's README names the
 * documentation they were written from), and client requests built the way the parser builds them.
 */
public final class Fixtures {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One server-sent event of a transcript: its {@code event:} name (or null) and its data. */
    public record SseEvent(String name, String data) {
    }

    private Fixtures() {
    }

    public static String text(String path) {
        try (InputStream in = Fixtures.class.getResourceAsStream("/fixtures/" + path)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static byte[] bytes(String path) {
        return text(path).getBytes(StandardCharsets.UTF_8);
    }

    public static ObjectNode json(String path) {
        return parse(text(path));
    }

    public static ObjectNode parse(String json) {
        try {
            return (ObjectNode) JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The events of an SSE transcript, in order. */
    public static List<SseEvent> sse(String path) {
        List<SseEvent> events = new ArrayList<>();
        for (String block : text(path).replace("\r\n", "\n").split("\n\n")) {
            String name = null;
            StringBuilder data = null;
            for (String line : block.split("\n")) {
                if (line.startsWith("event:")) {
                    name = line.substring(6).trim();
                } else if (line.startsWith("data:")) {
                    String value = line.substring(line.startsWith("data: ") ? 6 : 5);
                    data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
                }
            }
            if (data != null) {
                events.add(new SseEvent(name, data.toString()));
            }
        }
        return events;
    }

    /** A one-question chat request body with extra fields; a "messages" field among them replaces the question. */
    public static ObjectNode chatBody(String model, String fields) {
        ObjectNode body = parse("{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}");
        body.setAll(parse("{" + fields + "}"));
        return body;
    }

    /** A chat request as {@code ClientRequestParser} would hand it over. */
    public static ClientRequest chatRequest(ObjectNode body) {
        JsonNode max = body.has("max_completion_tokens") ? body.get("max_completion_tokens") : body.get("max_tokens");
        return new ClientRequest(Operation.CHAT_COMPLETION, body, body.path("model").asText(),
                body.path("stream").asBoolean(false), body.path("stream_options").path("include_usage").asBoolean(false),
                max == null ? null : max.asInt());
    }

    public static ClientRequest chatRequest(String fixturePath) {
        return chatRequest(json(fixturePath));
    }
}
