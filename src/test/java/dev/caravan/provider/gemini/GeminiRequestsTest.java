package dev.caravan.provider.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caravan.api.GatewayException;
import dev.caravan.provider.ChatRequest;
import dev.caravan.provider.ProviderJson;
import dev.caravan.support.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** OpenAI chat requests to Gemini generateContent requests, against requests written from Gemini's docs. */
class GeminiRequestsTest {

    @Test
    void translatesInstructionsImagesFunctionCallsAndResultsAndTheOptions() {
        assertThat(toGemini(Fixtures.json("gemini/openai-request-conversation.json")))
                .isEqualTo(Fixtures.json("gemini/gemini-request-conversation.json"));
    }

    @Test
    void asksForJsonWithTheSchemaConvertedToWhatGeminiAccepts() {
        assertThat(toGemini(Fixtures.json("gemini/openai-request-json-schema.json")))
                .isEqualTo(Fixtures.json("gemini/gemini-request-json-schema.json"));
    }

    @Test
    void asksForAnyJsonForAJsonObject() {
        JsonNode request = toGemini(Fixtures.chatBody("gemini", "\"response_format\":{\"type\":\"json_object\"}"));

        assertThat(request.path("generationConfig")).isEqualTo(Fixtures.parse("{\"responseMimeType\":\"application/json\"}"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "\"none\"     | {\"mode\":\"NONE\"}",
            "\"auto\"     | {\"mode\":\"AUTO\"}",
            "\"required\" | {\"mode\":\"ANY\"}",
            "{\"type\":\"function\",\"function\":{\"name\":\"get_current_temperature\"}} | {\"mode\":\"ANY\",\"allowedFunctionNames\":[\"get_current_temperature\"]}"})
    void mapsToolChoice(String openAi, String gemini) {
        JsonNode request = toGemini(Fixtures.chatBody("gemini", TOOL + ",\"tool_choice\":" + openAi));

        assertThat(request.path("toolConfig").path("functionCallingConfig")).isEqualTo(Fixtures.parse(gemini));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "\"reasoning_effort\":\"minimal\"    | {\"thinkingBudget\":0}",
            "\"reasoning_effort\":\"medium\"     | {\"thinkingBudget\":8192,\"includeThoughts\":true}",
            "\"reasoning_effort\":\"high\"       | {\"thinkingBudget\":24576,\"includeThoughts\":true}",
            "\"reasoning\":{\"max_tokens\":2000} | {\"thinkingBudget\":2000,\"includeThoughts\":true}"})
    void turnsReasoningIntoAThinkingBudget(String fields, String thinkingConfig) {
        JsonNode request = toGemini(Fixtures.chatBody("gemini", fields));

        assertThat(request.path("generationConfig").path("thinkingConfig")).isEqualTo(Fixtures.parse(thinkingConfig));
    }

    @Test
    void roundTripsAFunctionCallFromTheTranslatedAnswerBackIntoTheNextRequest() {
        JsonNode answer = GeminiResponses.fromGeminiResponse(Fixtures.json("gemini/response-function-call.json"), "fallback", 1L, "m")
                .path("choices").get(0).path("message");
        ObjectNode next = Fixtures.chatBody("gemini", TOOL);
        next.withArray("messages").add(answer);
        next.withArray("messages").addObject().put("role", "tool")
                .put("tool_call_id", answer.path("tool_calls").get(0).path("id").asText()).put("content", "{\"temperature\":15}");

        JsonNode contents = toGemini(next).path("contents");

        assertThat(contents.get(1)).isEqualTo(Fixtures.json("gemini/response-function-call.json").path("candidates").get(0).path("content"));
        assertThat(contents.get(2)).isEqualTo(Fixtures.parse("""
                {"role":"user","parts":[{"functionResponse":{"name":"get_current_temperature","response":{"temperature":15}}}]}"""));
    }

    @Test
    void refusesAToolResultThatAnswersNoEarlierCall() {
        assertThatExceptionOfType(GatewayException.class)
                .isThrownBy(() -> toGemini(Fixtures.chatBody("gemini", "\"messages\":[{\"role\":\"tool\",\"tool_call_id\":\"call_9\",\"content\":\"x\"}]")))
                .satisfies(error -> {
                    assertThat(error.status()).isEqualTo(400);
                    assertThat(error.getMessage()).contains("call_9");
                });
    }

    @ParameterizedTest
    @CsvSource({"https://example.com/a.PNG, image/png", "https://example.com/a.webp?x=1, image/webp",
            "gs://bucket/doc.pdf, application/pdf", "https://example.com/photo, image/jpeg"})
    void guessesTheMimeTypeOfAFileUri(String url, String mimeType) {
        assertThat(GeminiRequests.mimeTypeOf(url)).isEqualTo(mimeType);
    }

    private static final String TOOL = """
            "tools":[{"type":"function","function":{"name":"get_current_temperature","parameters":{"type":"object",
            "properties":{"location":{"type":"string"}}}}}]""";

    /** Read back from its text: numbers compare by value, not by Java type. */
    private static JsonNode toGemini(ObjectNode body) {
        return Fixtures.parse(ProviderJson.text(GeminiRequests.toGeminiRequest(ChatRequest.of(Fixtures.chatRequest(body)))));
    }
}
