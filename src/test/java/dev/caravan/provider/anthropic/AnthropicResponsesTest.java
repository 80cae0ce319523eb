package dev.caravan.provider.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import dev.caravan.api.GatewayException;
import dev.caravan.provider.ProviderJson;
import dev.caravan.support.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** Anthropic Messages answers to OpenAI chat completions, against answers from Anthropic's docs. */
class AnthropicResponsesTest {

    private static final long CREATED = 1_763_700_000L;

    @Test
    void translatesATextAnswer() {
        JsonNode completion = fromAnthropic("anthropic/message-text.json", null);

        assertThat(completion).isEqualTo(Fixtures.parse("""
                {"id":"msg_013Zva2CMHLNnXjNJJKqJ2EF","object":"chat.completion","created":1763700000,
                 "model":"claude-sonnet-4-5-20250929",
                 "choices":[{"index":0,"message":{"role":"assistant","content":"Hi! My name is Claude.","refusal":null},
                             "logprobs":null,"finish_reason":"stop"}],
                 "usage":{"prompt_tokens":2095,"completion_tokens":503,"total_tokens":2598}}"""));
    }

    @Test
    void translatesToolUseBlocksToToolCallsWithTheInputAsArgumentText() {
        JsonNode choice = fromAnthropic("anthropic/message-tool-use.json", null).path("choices").get(0);

        assertThat(choice.path("finish_reason").asText()).isEqualTo("tool_calls");
        assertThat(choice.path("message").path("content").asText()).isEqualTo("I'll check the current weather in San Francisco for you.");
        assertThat(choice.path("message").path("tool_calls")).isEqualTo(Fixtures.parse("""
                {"a":[{"id":"toolu_01A09q90qw90lq917835lq9","type":"function",
                  "function":{"name":"get_weather","arguments":"{\\"location\\":\\"San Francisco, CA\\",\\"unit\\":\\"celsius\\"}"}}]}""").get("a"));
    }

    @Test
    void givesThinkingAsReasoningContentAndLeavesRedactedThinkingOut() {
        JsonNode message = fromAnthropic("anthropic/message-thinking.json", null).path("choices").get(0).path("message");

        assertThat(message.path("reasoning_content").asText())
                .isEqualTo("To approach this, let's think about what we know about prime numbers...");
        assertThat(message.path("content").asText()).isEqualTo("Yes, there are infinitely many prime numbers such that...");
    }

    @Test
    void countsCacheReadsAndWritesIntoThePromptOnceEach() {
        JsonNode usage = fromAnthropic("anthropic/message-prompt-cache.json", null).path("usage");

        // input 21 + cache read 1800 + cache write 248: Anthropic counts the three apart
        assertThat(usage).isEqualTo(Fixtures.parse("""
                {"prompt_tokens":2069,"completion_tokens":393,"total_tokens":2462,
                 "prompt_tokens_details":{"cached_tokens":1800,"cache_write_tokens":248}}"""));
    }

    @Test
    void returnsTheAnswerToolsInputAsTheMessageContent() {
        JsonNode choice = fromAnthropic("anthropic/message-json-answer.json", "weather_report").path("choices").get(0);

        assertThat(choice.path("finish_reason").asText()).isEqualTo("stop");
        assertThat(choice.path("message").has("tool_calls")).isFalse();
        assertThat(Fixtures.parse(choice.path("message").path("content").asText()))
                .isEqualTo(Fixtures.parse("{\"location\":\"San Francisco, CA\",\"temperature\":18,\"conditions\":\"foggy\"}"));
    }

    @Test
    void reportsACutAnswerAsLength() {
        JsonNode choice = fromAnthropic("anthropic/message-max-tokens.json", null).path("choices").get(0);

        assertThat(choice.path("finish_reason").asText()).isEqualTo("length");
    }

    @ParameterizedTest
    @CsvSource({"end_turn, true, stop", "stop_sequence, false, stop", "max_tokens, false, length",
            "tool_use, true, tool_calls", "tool_use, false, stop", "refusal, false, content_filter",
            "pause_turn, false, stop", "model_context_window_exceeded, false, length"})
    void mapsStopReasons(String stopReason, boolean calledClientTools, String finishReason) {
        assertThat(AnthropicResponses.finishReason(stopReason, calledClientTools)).isEqualTo(finishReason);
    }

    @Test
    void refusesAnAnswerThatIsNotAMessage() {
        assertThatExceptionOfType(GatewayException.class)
                .isThrownBy(() -> AnthropicResponses.fromAnthropicResponse(Fixtures.parse("{\"type\":\"message\"}"), CREATED, null))
                .satisfies(error -> {
                    assertThat(error.status()).isEqualTo(502);
                    assertThat(error.code()).isEqualTo("bad_upstream_response");
                });
    }

    /** Read back from its text, as the client does: numbers compare by value, not by Java type. */
    private static JsonNode fromAnthropic(String fixture, String answerTool) {
        return Fixtures.parse(ProviderJson.text(AnthropicResponses.fromAnthropicResponse(Fixtures.json(fixture), CREATED, answerTool)));
    }
}
