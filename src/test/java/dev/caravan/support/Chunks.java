package dev.caravan.support;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

/** Reading OpenAI chat.completion.chunk payloads in tests. */
public final class Chunks {

    private Chunks() {
    }

    /** The chunk JSON texts, without {@code [DONE]}. */
    public static List<JsonNode> parse(List<String> emitted) {
        return emitted.stream().filter(e -> !e.equals("[DONE]")).map(e -> (JsonNode) Fixtures.parse(e)).toList();
    }

    public static JsonNode delta(JsonNode chunk) {
        return chunk.path("choices").path(0).path("delta");
    }

    public static String finishReason(JsonNode chunk) {
        return chunk.path("choices").path(0).path("finish_reason").asText(null);
    }

    /** The streamed text: every delta's {@code content}, joined. */
    public static String text(List<JsonNode> chunks) {
        return joined(chunks, "content");
    }

    public static String reasoning(List<JsonNode> chunks) {
        return joined(chunks, "reasoning_content");
    }

    private static String joined(List<JsonNode> chunks, String field) {
        StringBuilder text = new StringBuilder();
        chunks.forEach(chunk -> text.append(delta(chunk).path(field).asText("")));
        return text.toString();
    }
}
