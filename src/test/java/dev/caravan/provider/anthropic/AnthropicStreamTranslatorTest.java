package dev.caravan.provider.anthropic;

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

/** Anthropic stream transcripts from Anthropic's docs, event by event, to OpenAI chunks. */
class AnthropicStreamTranslatorTest {

    private static final long CREATED = 1_763_700_000L;

    private final List<String> emitted = new ArrayList<>();

    @Test
    void translatesATextStreamIntoRoleContentFinishAndUsageChunksInOrder() {
        replay("anthropic/stream-text.sse", null);

        assertThat(emitted).last().isEqualTo("[DONE]");
        List<JsonNode> chunks = chunks();
        assertThat(chunks).hasSize(5).allSatisfy(chunk -> {
            assertThat(chunk.path("id").asText()).isEqualTo("msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY");
            assertThat(chunk.path("object").asText()).isEqualTo("chat.completion.chunk");
            assertThat(chunk.path("created").asLong()).isEqualTo(CREATED);
            assertThat(chunk.path("model").asText()).isEqualTo("claude-sonnet-4-5-20250929");
        });
        assertThat(delta(chunks.get(0))).isEqualTo(Fixtures.parse("{\"role\":\"assistant\",\"content\":\"\"}"));
        assertThat(text(chunks)).isEqualTo("Hello!");
        assertThat(chunks.get(3).path("choices").get(0).path("finish_reason").asText()).isEqualTo("stop");
        assertThat(chunks.get(4).path("choices")).isEmpty();
        assertThat(chunks.get(4).path("usage")).isEqualTo(Fixtures.parse(
                "{\"prompt_tokens\":25,\"completion_tokens\":15,\"total_tokens\":40}"));
    }

    @Test
    void assemblesToolCallArgumentsFromInputJsonDeltas() {
        replay("anthropic/stream-tool-use.sse", null);

        List<JsonNode> chunks = chunks();
        assertThat(text(chunks)).isEqualTo("Okay, let's check the weather for San Francisco, CA:");
        List<JsonNode> calls = chunks.stream().filter(c -> delta(c).has("tool_calls")).map(c -> delta(c).path("tool_calls").get(0)).toList();
        assertThat(calls.get(0)).isEqualTo(Fixtures.parse("""
                {"index":0,"id":"toolu_01T1x1fJ34qAmk2tNTrN7Up6","type":"function","function":{"name":"get_weather","arguments":""}}"""));
        assertThat(calls.subList(1, calls.size())).allSatisfy(call -> {
            assertThat(call.path("index").asInt()).isZero();
            assertThat(call.has("id")).isFalse();
        });
        StringBuilder arguments = new StringBuilder();
        calls.forEach(call -> arguments.append(call.path("function").path("arguments").asText()));
        assertThat(Fixtures.parse(arguments.toString()))
                .isEqualTo(Fixtures.parse("{\"location\": \"San Francisco, CA\", \"unit\": \"fahrenheit\"}"));
        assertThat(chunks.get(chunks.size() - 2).path("choices").get(0).path("finish_reason").asText()).isEqualTo("tool_calls");
        assertThat(chunks.get(chunks.size() - 1).path("usage").path("prompt_tokens").asInt()).isEqualTo(472);
        assertThat(chunks.get(chunks.size() - 1).path("usage").path("completion_tokens").asInt()).isEqualTo(89);
    }

    @Test
    void streamsThinkingAsReasoningContentBeforeTheText() {
        replay("anthropic/stream-thinking.sse", null);

        List<JsonNode> chunks = chunks();
        assertThat(Chunks.reasoning(chunks)).startsWith("I need to find the GCD").endsWith("So GCD(1071, 462) = 21");
        assertThat(text(chunks)).isEqualTo("The greatest common divisor of 1071 and 462 is **21**.");
        assertThat(emitted).noneMatch(chunk -> chunk.contains("EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds"));
    }

    @Test
    void streamsTheAnswerToolsInputAsContent() {
        AnthropicStreamTranslator translator = new AnthropicStreamTranslator(CREATED, "weather_report");
        for (String event : List.of(
                "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"model\":\"claude\",\"usage\":{\"input_tokens\":512,\"output_tokens\":1}}}",
                "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"weather_report\",\"input\":{}}}",
                "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"location\\\": \"}}",
                "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"\\\"San Francisco, CA\\\"}\"}}",
                "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\"},\"usage\":{\"output_tokens\":61}}",
                "{\"type\":\"message_stop\"}")) {
            translator.onEvent(null, event, emitted::add);
        }

        List<JsonNode> chunks = chunks();
        assertThat(text(chunks)).isEqualTo("{\"location\": \"San Francisco, CA\"}");
        assertThat(chunks).noneMatch(chunk -> delta(chunk).has("tool_calls"));
        assertThat(chunks.get(chunks.size() - 2).path("choices").get(0).path("finish_reason").asText()).isEqualTo("stop");
    }

    @Test
    void throwsAnErrorEventAsTheClassifiedRetryableFailureAfterWhatCameBefore() {
        assertThatExceptionOfType(GatewayException.class)
                .isThrownBy(() -> replay("anthropic/stream-error.sse", null))
                .satisfies(error -> {
                    assertThat(error.status()).isEqualTo(503);
                    assertThat(error.code()).isEqualTo("upstream_overloaded");
                    assertThat(AttemptOutcome.of(error).isBackendFailure()).isTrue();
                    assertThat(error.getMessage()).isEqualTo("The upstream failed mid-stream (overloaded_error): Overloaded");
                });
        assertThat(text(chunks())).isEqualTo("Hello");
    }

    @Test
    void refusesAStreamThatDoesNotStartWithMessageStart() {
        AnthropicStreamTranslator translator = new AnthropicStreamTranslator(CREATED, null);

        assertThatExceptionOfType(GatewayException.class)
                .isThrownBy(() -> translator.onEvent("content_block_delta",
                        "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hi\"}}", emitted::add))
                .satisfies(error -> assertThat(error.code()).isEqualTo("bad_upstream_response"));
    }

    @Test
    void refusesAnEventThatIsNotJson() {
        AnthropicStreamTranslator translator = new AnthropicStreamTranslator(CREATED, null);

        assertThatExceptionOfType(GatewayException.class)
                .isThrownBy(() -> translator.onEvent("message_start", "{not json", emitted::add))
                .satisfies(error -> assertThat(error.code()).isEqualTo("bad_upstream_response"));
    }

    private void replay(String fixture, String answerTool) {
        AnthropicStreamTranslator translator = new AnthropicStreamTranslator(CREATED, answerTool);
        for (Fixtures.SseEvent event : Fixtures.sse(fixture)) {
            translator.onEvent(event.name(), event.data(), emitted::add);
        }
    }

    private List<JsonNode> chunks() {
        return Chunks.parse(emitted);
    }
}
