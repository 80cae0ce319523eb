package dev.caravan.provider.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import dev.caravan.api.GatewayException;
import dev.caravan.routing.AttemptOutcome;
import dev.caravan.provider.ProviderJson;
import dev.caravan.support.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** Gemini answers to OpenAI chat completions, against answers from Gemini's docs. */
class GeminiResponsesTest {

    private static final long CREATED = 1_763_700_000L;

    @Test
    void translatesATextAnswer() {
        assertThat(fromGemini("gemini/response-text.json")).isEqualTo(Fixtures.parse("""
                {"id":"mN0vaJ2aBqGqnvgPzq-2kAg","object":"chat.completion","created":1763700000,"model":"gemini-2.5-flash",
                 "choices":[{"index":0,"message":{"role":"assistant","refusal":null,
                   "content":"AI learns patterns from data to make predictions or decisions without being explicitly programmed."},
                   "logprobs":null,"finish_reason":"stop"}],
                 "usage":{"prompt_tokens":8,"completion_tokens":16,"total_tokens":24}}"""));
    }

    @Test
    void translatesFunctionCallsToToolCallsWithIdsUniqueToTheAnswer() {
        JsonNode choice = fromGemini("gemini/response-function-call.json").path("choices").get(0);

        assertThat(choice.path("finish_reason").asText()).isEqualTo("tool_calls");
        assertThat(choice.path("message").path("content").isNull()).isTrue();
        assertThat(choice.path("message").path("tool_calls")).isEqualTo(Fixtures.parse("""
                {"a":[{"id":"call_x90vaK6hLM2mnvgPq7m5-Qs_0","type":"function",
                  "function":{"name":"get_current_temperature","arguments":"{\\"location\\":\\"London\\"}"}}]}""").get("a"));
    }

    @Test
    void givesThoughtsAsReasoningContentAndCountsThemAsOutput() {
        JsonNode completion = fromGemini("gemini/response-thinking.json");

        JsonNode message = completion.path("choices").get(0).path("message");
        assertThat(message.path("reasoning_content").asText()).startsWith("**Analyzing the Problem**");
        assertThat(message.path("content").asText()).isEqualTo("The sum of the first 50 prime numbers is 5117.");
        assertThat(completion.path("usage")).isEqualTo(Fixtures.parse("""
                {"prompt_tokens":14,"completion_tokens":1212,"total_tokens":1226,
                 "completion_tokens_details":{"reasoning_tokens":1200}}"""));
    }

    @Test
    void reportsCachedTokensAsPartOfThePrompt() {
        JsonNode usage = fromGemini("gemini/response-cached.json").path("usage");

        assertThat(usage).isEqualTo(Fixtures.parse("""
                {"prompt_tokens":323393,"completion_tokens":214,"total_tokens":323607,
                 "prompt_tokens_details":{"cached_tokens":322698}}"""));
    }

    @Test
    void passesAJsonAnswerThroughAsContent() {
        JsonNode message = fromGemini("gemini/response-json.json").path("choices").get(0).path("message");

        assertThat(Fixtures.parse("{\"a\":" + message.path("content").asText() + "}").path("a").get(0).path("recipeName").asText())
                .isEqualTo("Chocolate Chip Cookies");
    }

    @Test
    void reportsACutAnswerAsLength() {
        assertThat(fromGemini("gemini/response-max-tokens.json").path("choices").get(0).path("finish_reason").asText())
                .isEqualTo("length");
    }

    @ParameterizedTest
    @CsvSource({"gemini/response-prompt-blocked.json, the prompt (SAFETY)", "gemini/response-answer-blocked.json, the answer (SAFETY)"})
    void makesASafetyBlockAClearError(String fixture, String what) {
        assertThatExceptionOfType(GatewayException.class)
                .isThrownBy(() -> fromGemini(fixture))
                .satisfies(error -> {
                    assertThat(error.status()).isEqualTo(400);
                    assertThat(error.code()).isEqualTo("content_blocked");
                    assertThat(AttemptOutcome.of(error).isBackendFailure()).isFalse();
                    assertThat(error.getMessage()).isEqualTo("The provider's safety filters blocked " + what + ".");
                });
    }

    @ParameterizedTest
    @CsvSource({"STOP, false, true, stop", "STOP, true, true, tool_calls", "MAX_TOKENS, false, true, length",
            "SAFETY, false, true, content_filter", "RECITATION, false, true, content_filter", "OTHER, false, true, stop"})
    void mapsFinishReasons(String geminiReason, boolean calledTools, boolean saidSomething, String finishReason) {
        assertThat(GeminiResponses.finishReason(geminiReason, calledTools, saidSomething)).isEqualTo(finishReason);
    }

    @Test
    void makesAMalformedFunctionCallABadUpstreamAnswer() {
        assertThatExceptionOfType(GatewayException.class)
                .isThrownBy(() -> GeminiResponses.finishReason("MALFORMED_FUNCTION_CALL", false, false))
                .satisfies(error -> {
                    assertThat(error.code()).isEqualTo("bad_upstream_response");
                    assertThat(AttemptOutcome.of(error).isBackendFailure()).isTrue();
                });
    }

    @Test
    void usesTheFallbacksWhenGeminiGivesNoIdOrModel() {
        JsonNode completion = Fixtures.parse(ProviderJson.text(GeminiResponses.fromGeminiResponse(Fixtures.parse(
                "{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Hi\"}]},\"finishReason\":\"STOP\"}]}"), "chatcmpl-1", CREATED, "gemini")));

        assertThat(completion.path("id").asText()).isEqualTo("chatcmpl-1");
        assertThat(completion.path("model").asText()).isEqualTo("gemini");
    }

    private static JsonNode fromGemini(String fixture) {
        return Fixtures.parse(ProviderJson.text(GeminiResponses.fromGeminiResponse(Fixtures.json(fixture), "fallback", CREATED, "gemini")));
    }
}
