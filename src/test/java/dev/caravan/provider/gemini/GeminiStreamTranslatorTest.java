package dev.caravan.provider.gemini;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import dev.caravan.api.GatewayException;
import dev.caravan.routing.AttemptOutcome;
import dev.caravan.support.Chunks;
import dev.caravan.support.Fixtures;

import static dev.caravan.support.Chunks.delta;
import static dev.caravan.support.Chunks.text;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** Gemini alt=sse transcripts from Gemini's docs, event by event, to OpenAI chunks. */
class GeminiStreamTranslatorTest {

    private static final long CREATED = 1_763_700_000L;

    private final List<String> emitted = new ArrayList<>();

    @Test
    void translatesATextStreamIntoRoleContentFinishAndUsageChunks() {
        replay("gemini/stream-text.sse");

        List<JsonNode> chunks = chunks();
        assertThat(chunks).hasSize(6).allSatisfy(chunk -> {
            assertThat(chunk.path("id").asText()).isEqualTo("Yx4xaPi0D5-hnvgP1Jm4iAo");
            assertThat(chunk.path("model").asText()).isEqualTo("gemini-2.5-flash");
            assertThat(chunk.path("created").asLong()).isEqualTo(CREATED);
        });
        assertThat(delta(chunks.get(0))).isEqualTo(Fixtures.parse("{\"role\":\"assistant\",\"content\":\"\"}"));
        assertThat(text(chunks)).isEqualTo("The quick brown fox jumps over the lazy dog.");
        assertThat(chunks.get(4).path("choices").get(0).path("finish_reason").asText()).isEqualTo("stop");
        assertThat(chunks.get(5).path("choices")).isEmpty();
        assertThat(chunks.get(5).path("usage")).isEqualTo(Fixtures.parse(
                "{\"prompt_tokens\":10,\"completion_tokens\":9,\"total_tokens\":19}"));
    }

    @Test
    void streamsAFunctionCallAsOneToolCallChunk() {
        replay("gemini/stream-function-call.sse");

        List<JsonNode> chunks = chunks();
        assertThat(delta(chunks.get(1)).path("tool_calls")).isEqualTo(Fixtures.parse("""
                {"a":[{"index":0,"id":"call_Zx4xaPi0D5-hnvgP1Jm4iAo_0","type":"function",
                  "function":{"name":"get_current_temperature","arguments":"{\\"location\\":\\"London\\"}"}}]}""").get("a"));
        assertThat(chunks.get(2).path("choices").get(0).path("finish_reason").asText()).isEqualTo("tool_calls");
        assertThat(chunks.get(3).path("usage").path("prompt_tokens").asInt()).isEqualTo(56);
    }

    @Test
    void streamsThoughtsAsReasoningContent() {
        GeminiStreamTranslator translator = new GeminiStreamTranslator("fallback", CREATED, "gemini");
        translator.onEvent(null, """
                {"candidates":[{"content":{"parts":[{"text":"**Planning**","thought":true}],"role":"model"}}],
                 "usageMetadata":{"promptTokenCount":5}}""", emitted::add);
        translator.onEvent(null, """
                {"candidates":[{"content":{"parts":[{"text":"42"}],"role":"model"},"finishReason":"STOP"}],
                 "usageMetadata":{"promptTokenCount":5,"candidatesTokenCount":1,"thoughtsTokenCount":30}}""", emitted::add);

        List<JsonNode> chunks = chunks();
        assertThat(delta(chunks.get(1)).path("reasoning_content").asText()).isEqualTo("**Planning**");
        assertThat(text(chunks)).isEqualTo("42");
        assertThat(chunks.get(chunks.size() - 1).path("usage").path("completion_tokens").asInt()).isEqualTo(31);
        assertThat(chunks.get(0).path("id").asText()).isEqualTo("fallback");
    }

    @Test
    void throwsAnErrorObjectAsTheClassifiedRetryableFailure() {
        assertThatExceptionOfType(GatewayException.class)
                .isThrownBy(() -> replay("gemini/stream-error.sse"))
                .satisfies(error -> {
                    assertThat(error.code()).isEqualTo("upstream_overloaded");
                    assertThat(AttemptOutcome.of(error).isBackendFailure()).isTrue();
                    assertThat(error.getMessage()).isEqualTo(
                            "The upstream failed mid-stream (UNAVAILABLE): The model is overloaded. Please try again later.");
                });
        assertThat(text(chunks())).isEqualTo("The");
    }

    @Test
    void throwsABlockedPromptAsAContentBlockedError() {
        GeminiStreamTranslator translator = new GeminiStreamTranslator("fallback", CREATED, "gemini");

        assertThatExceptionOfType(GatewayException.class)
                .isThrownBy(() -> translator.onEvent(null, Fixtures.text("gemini/response-prompt-blocked.json").replace("\n", ""),
                        emitted::add))
                .satisfies(error -> assertThat(error.code()).isEqualTo("content_blocked"));
        assertThat(emitted).isEmpty();
    }

    private void replay(String fixture) {
        GeminiStreamTranslator translator = new GeminiStreamTranslator("fallback", CREATED, "gemini");
        for (Fixtures.SseEvent event : Fixtures.sse(fixture)) {
            translator.onEvent(event.name(), event.data(), emitted::add);
        }
    }

    private List<JsonNode> chunks() {
        return Chunks.parse(emitted);
    }
}
