package dev.caravan.metering;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What a stream delivered, gathered from the OpenAI chunks as they pass: the upstream's usage if it
 * reports one, the finish reason, and the generated text, kept only in memory and only to count
 * tokens when the upstream reports no usage.
 */
final class ChunkAccounting {

    private final StringBuilder generated = new StringBuilder();
    private JsonNode usage;
    private String finishReason;
    private String id;
    private String model;
    private long created;

    void observe(JsonNode chunk) {
        if (id == null) {
            id = chunk.path("id").asText(null);
            model = chunk.path("model").asText(null);
            created = chunk.path("created").asLong(0);
        }
        JsonNode reported = chunk.get("usage");
        if (reported != null && reported.isObject()) {
            usage = reported;
        }
        for (JsonNode choice : chunk.path("choices")) {
            JsonNode delta = choice.path("delta");
            appendText(delta.get("content"));
            appendText(delta.get("reasoning_content"));
            appendText(delta.get("refusal"));
            for (JsonNode call : delta.path("tool_calls")) {
                appendText(call.path("function").get("name"));
                appendText(call.path("function").get("arguments"));
            }
            JsonNode reason = choice.get("finish_reason");
            if (reason != null && reason.isTextual()) {
                finishReason = reason.asText();
            }
        }
    }

    private void appendText(JsonNode text) {
        if (text != null && text.isTextual()) {
            generated.append(text.asText());
        }
    }

    boolean hasUsage() {
        return usage != null;
    }

    JsonNode usage() {
        return usage;
    }

    CharSequence generatedText() {
        return generated;
    }

    String finishReason() {
        return finishReason;
    }

    String id() {
        return id;
    }

    String model() {
        return model;
    }

    long created() {
        return created;
    }
}
