package dev.caravan.provider.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caravan.api.GatewayException;
import dev.caravan.provider.ChatRequest;
import dev.caravan.support.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** OpenAI chat requests to Anthropic Messages requests, against requests written from Anthropic's docs. */
class AnthropicRequestsTest {

    @Test
    void translatesInstructionsImagesToolCallsAndToolResultsMergingTurnsSoRolesAlternate() {
        JsonNode request = toAnthropic("anthropic/openai-request-conversation.json");

        assertThat(request).isEqualTo(Fixtures.json("anthropic/messages-request-conversation.json"));
    }

    @Test
    void answersAJsonSchemaThroughAForcedToolWhoseInputSchemaIsTheSchema() {
        JsonNode request = toAnthropic("anthropic/openai-request-json-schema.json");

        assertThat(request).isEqualTo(Fixtures.json("anthropic/messages-request-json-schema.json"));
    }

    @Test
    void answersAJsonObjectThroughAForcedToolTakingAnyObject() {
        JsonNode request = toAnthropic(Fixtures.chatBody("claude", "\"response_format\":{\"type\":\"json_object\"}"));

        assertThat(request.path("tools").get(0).path("name").asText()).isEqualTo("json_answer");
        assertThat(request.path("tools").get(0).path("input_schema")).isEqualTo(Fixtures.parse("{\"type\":\"object\"}"));
        assertThat(request.path("tool_choice")).isEqualTo(Fixtures.parse("{\"type\":\"tool\",\"name\":\"json_answer\"}"));
    }

    @Test
    void namesTheAnswerToolApartFromAClientToolOfTheSameName() {
        ChatRequest chat = ChatRequest.of(Fixtures.chatRequest(Fixtures.chatBody("claude", WEATHER_TOOL
                + ",\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"get_weather\",\"schema\":{\"type\":\"object\"}}}")));

        assertThat(AnthropicRequests.answerToolName(chat)).isEqualTo("json_answer");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "\"none\"                                             | {\"type\":\"none\"}",
            "\"auto\"                                             | {\"type\":\"auto\"}",
            "\"required\"                                         | {\"type\":\"any\"}",
            "{\"type\":\"function\",\"function\":{\"name\":\"get_weather\"}} | {\"type\":\"tool\",\"name\":\"get_weather\"}"})
    void mapsToolChoice(String openAi, String anthropic) {
        JsonNode request = toAnthropic(Fixtures.chatBody("claude", WEATHER_TOOL + ",\"tool_choice\":" + openAi));

        assertThat(request.path("tool_choice")).isEqualTo(Fixtures.parse(anthropic));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            // the model may still call the client's functions, but must call some tool
            "\"auto\"      | {\"type\":\"any\"}",
            "\"required\"  | {\"type\":\"any\"}",
            // the client's functions are off: only the answer remains
            "\"none\"      | {\"type\":\"tool\",\"name\":\"report\"}",
            "{\"type\":\"function\",\"function\":{\"name\":\"get_weather\"}} | {\"type\":\"tool\",\"name\":\"get_weather\"}"})
    void letsTheModelCallTheClientsToolsBesideAJsonAnswerUnlessToldOtherwise(String openAi, String anthropic) {
        JsonNode request = toAnthropic(Fixtures.chatBody("claude", WEATHER_TOOL + ",\"tool_choice\":" + openAi
                + ",\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"report\",\"schema\":{\"type\":\"object\"}}}"));

        assertThat(request.path("tools")).hasSize(2);
        assertThat(request.path("tool_choice")).isEqualTo(Fixtures.parse(anthropic));
    }

    @Test
    void turnsReasoningEffortIntoAThinkingBudgetAndLeavesOutSamplingThinkingRefuses() {
        JsonNode request = toAnthropic(Fixtures.chatBody("claude",
                "\"max_tokens\":10000,\"reasoning_effort\":\"high\",\"temperature\":0.2,\"top_p\":0.5"));

        assertThat(request.path("thinking")).isEqualTo(Fixtures.parse("{\"type\":\"enabled\",\"budget_tokens\":8000}"));
        assertThat(request.has("temperature")).isFalse();
        assertThat(request.has("top_p")).isFalse();
    }

    @ParameterizedTest
    @CsvSource({"low, 4096, 1024", "medium, 4096, 2048", "high, 4096, 3276", "high, 100000, 32000"})
    void sizesTheThinkingBudgetByEffortWithinAnthropicsLimits(String effort, int maxTokens, int budget) {
        JsonNode request = toAnthropic(Fixtures.chatBody("claude",
                "\"max_tokens\":" + maxTokens + ",\"reasoning_effort\":\"" + effort + "\""));

        assertThat(request.path("thinking").path("budget_tokens").asInt()).isEqualTo(budget);
    }

    @Test
    void sendsTheCatalogModelsMaxOutputTokensWhenTheClientSetsNone() {
        ChatRequest chat = ChatRequest.of(Fixtures.chatRequest(Fixtures.chatBody("claude", "")));

        assertThat(AnthropicRequests.toAnthropicRequest(chat, "claude-sonnet-4-5", 64000, false).path("max_tokens").asInt())
                .isEqualTo(64000);
        assertThat(AnthropicRequests.toAnthropicRequest(chat, "claude-sonnet-4-5", null, false).path("max_tokens").asInt())
                .isEqualTo(AnthropicRequests.DEFAULT_MAX_TOKENS);
    }

    @Test
    void takesAnExplicitReasoningBudget() {
        JsonNode request = toAnthropic(Fixtures.chatBody("claude", "\"max_tokens\":8000,\"reasoning\":{\"max_tokens\":3000}"));

        assertThat(request.path("thinking").path("budget_tokens").asInt()).isEqualTo(3000);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "\"reasoning_effort\":\"minimal\"",
            // no room for the smallest budget below max_tokens
            "\"reasoning_effort\":\"high\",\"max_tokens\":1024",
            // forced tool use and thinking do not go together
            "\"reasoning_effort\":\"high\",\"response_format\":{\"type\":\"json_object\"}"})
    void leavesThinkingOffWhereAnthropicWouldRefuseIt(String fields) {
        assertThat(toAnthropic(Fixtures.chatBody("claude", fields)).has("thinking")).isFalse();
    }

    @Test
    void leavesThinkingOffWhenContinuingAToolCallWhoseThinkingWasNotKept() {
        ObjectNode body = Fixtures.json("anthropic/openai-request-conversation.json");
        body.put("reasoning_effort", "high");

        assertThat(toAnthropic(body).has("thinking")).isFalse();
    }

    @Test
    void roundTripsAToolCallFromTheTranslatedAnswerBackIntoTheNextRequest() {
        JsonNode answer = AnthropicResponses.fromAnthropicResponse(Fixtures.json("anthropic/message-tool-use.json"), 1L, null)
                .path("choices").get(0).path("message");
        ObjectNode next = Fixtures.chatBody("claude", WEATHER_TOOL);
        next.withArray("messages").add(answer);
        next.withArray("messages").addObject().put("role", "tool")
                .put("tool_call_id", answer.path("tool_calls").get(0).path("id").asText()).put("content", "15 degrees");

        JsonNode messages = toAnthropic(next).path("messages");

        assertThat(messages.get(1).path("content")).isEqualTo(Fixtures.json("anthropic/message-tool-use.json").path("content"));
        assertThat(messages.get(2)).isEqualTo(Fixtures.parse("""
                {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_01A09q90qw90lq917835lq9","content":"15 degrees"}]}"""));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "\"n\":2                                                                         | n",
            "\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_audio\",\"input_audio\":{}}]}] | messages[0].content[0]",
            "\"messages\":[{\"role\":\"function\",\"name\":\"f\",\"content\":\"x\"}]          | messages[0].role",
            "\"messages\":[{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"c\",\"function\":{\"name\":\"f\",\"arguments\":\"{oops\"}}]}] | messages[0].tool_calls[0].function.arguments",
            "\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/png,abc\"}}]}] | messages[0].content[0].image_url.url"})
    void refusesWhatAnthropicCannotExpressNamingTheField(String fields, String param) {
        assertThatExceptionOfType(GatewayException.class)
                .isThrownBy(() -> toAnthropic(Fixtures.chatBody("claude", fields)))
                .satisfies(error -> {
                    assertThat(error.status()).isEqualTo(400);
                    assertThat(error.param()).isEqualTo(param);
                });
    }

    private static final String WEATHER_TOOL = """
            "tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object",
            "properties":{"location":{"type":"string"}}}}}]""";

    private static JsonNode toAnthropic(String fixture) {
        return toAnthropic(Fixtures.json(fixture));
    }

    private static JsonNode toAnthropic(ObjectNode body) {
        var request = Fixtures.chatRequest(body);
        return AnthropicRequests.toAnthropicRequest(ChatRequest.of(request), "claude-sonnet-4-5", null, request.stream());
    }
}
