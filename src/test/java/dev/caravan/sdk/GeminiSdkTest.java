package dev.caravan.sdk;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.core.JsonValue;
import com.openai.core.http.HttpResponseFor;
import com.openai.errors.BadRequestException;
import com.openai.errors.InternalServerException;
import com.openai.errors.SseException;
import com.openai.models.ResponseFormatJsonSchema;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.CompletionUsage;
import dev.caravan.support.FakeGeminiUpstream;
import dev.caravan.support.FakeServer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * A Gemini model behind the gemini protocol, through the real routes, as the OpenAI Java SDK sees it.
 * The fake Gemini upstream answers with the documented examples (fixtures/gemini); prices are Gemini
 * 2.5 Flash's: $0.30 input, $0.03 cached input, $2.50 output per 1M tokens.
 */
class GeminiSdkTest extends SdkTest {

    private static final FakeGeminiUpstream GEMINI = FakeGeminiUpstream.get();
    private static final ChatCompletionStreamOptions WITH_USAGE = ChatCompletionStreamOptions.builder().includeUsage(true).build();

    @Test
    void completesAPlainAnswerWithUsageAndExactCost() throws Exception {
        HttpResponseFor<ChatCompletion> raw = client.chat().completions().withRawResponse()
                .create(chat("gemini").addSystemMessage("Be brief.").build());

        assertThat(raw.headers().values("X-Caravan-Backend")).containsExactly("fake-gemini/gemini-text");
        ChatCompletion completion = raw.parse();
        assertThat(completion.choices().get(0).message().content()).contains(
                "AI learns patterns from data to make predictions or decisions without being explicitly programmed.");
        CompletionUsage usage = completion.usage().orElseThrow();
        assertThat(usage.promptTokens()).isEqualTo(8);
        assertThat(usage.completionTokens()).isEqualTo(16);
        // 8 x $0.30/M + 16 x $2.50/M
        assertThat(cost(usage)).isEqualByComparingTo("0.0000424");
        assertThat(generation(raw.requestId().orElseThrow()).path("cost").decimalValue()).isEqualByComparingTo("0.0000424");

        FakeServer.Request sent = GEMINI.lastRequestFor("gemini-text");
        assertThat(sent.path()).isEqualTo("/v1beta/models/gemini-text:generateContent");
        assertThat(sent.header("x-goog-api-key")).isEqualTo(FakeGeminiUpstream.API_KEY);
        assertThat(sent.header("Authorization")).isNull();
        assertThat(sent.body().path("systemInstruction").path("parts").get(0).path("text").asText()).isEqualTo("Be brief.");
        assertThat(sent.body().path("contents").get(0).path("parts").get(0).path("text").asText()).isEqualTo("Say hello");
    }

    @Test
    void streamsTextTheSdkAssemblesAndEndsWithThePricedUsageChunk() {
        List<ChatCompletionChunk> chunks = stream(chat("gemini").streamOptions(WITH_USAGE).build());

        ChatCompletion assembled = accumulate(chunks);
        assertThat(assembled.choices().get(0).message().content()).contains("The quick brown fox jumps over the lazy dog.");
        assertThat(assembled.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
        CompletionUsage usage = chunks.get(chunks.size() - 1).usage().orElseThrow();
        assertThat(usage.promptTokens()).isEqualTo(10);
        assertThat(usage.completionTokens()).isEqualTo(9);
        // 10 x $0.30/M + 9 x $2.50/M
        assertThat(cost(usage)).isEqualByComparingTo("0.0000255");
        FakeServer.Request sent = GEMINI.lastRequestFor("gemini-text");
        assertThat(sent.path()).isEqualTo("/v1beta/models/gemini-text:streamGenerateContent");
        assertThat(sent.query()).isEqualTo("alt=sse");
    }

    @Test
    void passesEachGeminiEventThroughWhenItArrives() throws Exception {
        // the upstream URL has its own query (alt=sse): the http: options, stream caching off among
        // them, must still apply, or the whole answer would arrive at the end
        List<Arrival> arrivals = streamArrivals(chat("gemini-slow", "\"stream\":true"));

        List<Arrival> texts = arrivals.stream().filter(a -> a.data().contains("\"content\":\"")
                && !a.data().contains("\"content\":\"\"")).toList();
        assertThat(texts).hasSize(3);
        assertThat(texts.get(2).atMillis() - texts.get(0).atMillis()).isGreaterThan(FakeGeminiUpstream.SLOW_SPACING_MS);
        assertThat(arrivals.get(arrivals.size() - 1).data()).isEqualTo("[DONE]");
    }

    @Test
    void returnsFunctionCallsAsToolCalls() {
        ChatCompletion completion = client.chat().completions().create(withWeatherTool(chat("gemini-tools")).build());

        ChatCompletion.Choice choice = completion.choices().get(0);
        assertThat(choice.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
        ChatCompletionMessageFunctionToolCall call = choice.message().toolCalls().orElseThrow().get(0).asFunction();
        assertThat(call.id()).isEqualTo("call_x90vaK6hLM2mnvgPq7m5-Qs_0");
        assertThat(call.function().name()).isEqualTo("get_current_temperature");
        assertThat(call.function().arguments()).isEqualTo("{\"location\":\"London\"}");
        // 56 x $0.30/M + 7 x $2.50/M
        assertThat(cost(completion.usage().orElseThrow())).isEqualByComparingTo("0.0000343");
        JsonNode declaration = GEMINI.lastRequestFor("gemini-tools").body().path("tools").get(0).path("functionDeclarations").get(0);
        assertThat(declaration.path("name").asText()).isEqualTo("get_weather");
        assertThat(declaration.path("parameters").path("type").asText()).isEqualTo("OBJECT");
    }

    @Test
    void streamsAFunctionCallTheSdkAssembles() {
        List<ChatCompletionChunk> chunks = stream(withWeatherTool(chat("gemini-tools")).build());

        ChatCompletion.Choice choice = accumulate(chunks).choices().get(0);
        assertThat(choice.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
        ChatCompletionMessageFunctionToolCall call = choice.message().toolCalls().orElseThrow().get(0).asFunction();
        assertThat(call.id()).isEqualTo("call_Zx4xaPi0D5-hnvgP1Jm4iAo_0");
        assertThat(call.function().arguments()).isEqualTo("{\"location\":\"London\"}");
        assertThat(chunks).allSatisfy(chunk -> assertThat(chunk.usage()).isEmpty());
    }

    @Test
    void sendsTheToolResultBackAsAFunctionResponseNamedAfterTheCall() {
        ChatCompletion first = client.chat().completions().create(withWeatherTool(chat("gemini-tools")).build());
        ChatCompletionMessageFunctionToolCall call = first.choices().get(0).message().toolCalls().orElseThrow().get(0).asFunction();

        client.chat().completions().create(withWeatherTool(chat("gemini-tools"))
                .addMessage(first.choices().get(0).message())
                .addMessage(com.openai.models.chat.completions.ChatCompletionToolMessageParam.builder()
                        .toolCallId(call.id()).content("{\"temperature\": 15}").build())
                .build());

        JsonNode contents = GEMINI.lastRequestFor("gemini-tools").body().path("contents");
        assertThat(contents.get(1).path("parts").get(0).path("functionCall").path("name").asText()).isEqualTo("get_current_temperature");
        assertThat(contents.get(2).path("parts").get(0)).isEqualTo(JSON.valueToTree(Map.of("functionResponse",
                Map.of("name", "get_current_temperature", "response", Map.of("temperature", 15)))));
    }

    @Test
    void answersAJsonSchemaPlainAndStreamed() throws Exception {
        ChatCompletionCreateParams params = chat("gemini-json").responseFormat(recipesFormat()).build();

        ChatCompletion completion = client.chat().completions().create(params);
        ChatCompletion streamed = accumulate(stream(params));

        JsonNode expected = JSON.readTree("""
                [{"recipeName": "Chocolate Chip Cookies", "ingredients": ["flour", "butter", "chocolate chips"]}]""");
        assertThat(JSON.readTree(completion.choices().get(0).message().content().orElseThrow())).isEqualTo(expected);
        assertThat(JSON.readTree(streamed.choices().get(0).message().content().orElseThrow())).isEqualTo(expected);
        // 11 x $0.30/M + 25 x $2.50/M
        assertThat(cost(completion.usage().orElseThrow())).isEqualByComparingTo("0.0000658");
        JsonNode config = GEMINI.lastRequestFor("gemini-json").body().path("generationConfig");
        assertThat(config.path("responseMimeType").asText()).isEqualTo("application/json");
        assertThat(config.path("responseSchema").path("type").asText()).isEqualTo("ARRAY");
        assertThat(config.path("responseSchema").path("items").has("additionalProperties")).isFalse();
    }

    @Test
    void pricesCachedTokensAtTheCachedInputPrice() {
        CompletionUsage usage = client.chat().completions().create(chat("gemini-cached").build()).usage().orElseThrow();

        assertThat(usage.promptTokens()).isEqualTo(323393);
        assertThat(usage.promptTokensDetails().orElseThrow().cachedTokens()).contains(322698L);
        // 695 x $0.30/M + 322698 x $0.03/M + 214 x $2.50/M
        assertThat(cost(usage)).isEqualByComparingTo("0.01042444");
    }

    @Test
    void givesThoughtsAsReasoningContentAndBillsThemAsOutput() {
        ChatCompletion completion = client.chat().completions().create(chat("gemini-thinking")
                .reasoningEffort(com.openai.models.ReasoningEffort.MEDIUM).build());

        JsonValue reasoning = completion.choices().get(0).message()._additionalProperties().get("reasoning_content");
        assertThat(String.valueOf(reasoning.asString().orElseThrow())).startsWith("**Analyzing the Problem**");
        CompletionUsage usage = completion.usage().orElseThrow();
        assertThat(usage.completionTokens()).isEqualTo(12 + 1200);
        assertThat(usage.completionTokensDetails().orElseThrow().reasoningTokens()).contains(1200L);
        // Gemini 2.5 Pro: 14 x $1.25/M + 1212 x $10/M
        assertThat(cost(usage)).isEqualByComparingTo("0.0121375");
        assertThat(GEMINI.lastRequestFor("gemini-thinking").body().path("generationConfig").path("thinkingConfig"))
                .isEqualTo(JSON.valueToTree(Map.of("thinkingBudget", 8192, "includeThoughts", true)));
    }

    @Test
    void makesABlockedPromptAClearErrorPlainAndStreamed() {
        assertThatExceptionOfType(BadRequestException.class)
                .isThrownBy(() -> client.chat().completions().create(chat("gemini-blocked").build()))
                .satisfies(error -> {
                    assertThat(error.code()).contains("content_blocked");
                    assertThat(error.getMessage()).contains("The provider's safety filters blocked the prompt (SAFETY).");
                });
        assertThatExceptionOfType(SseException.class)
                .isThrownBy(() -> stream(chat("gemini-blocked").build()))
                .withMessageContaining("The provider's safety filters blocked the prompt (SAFETY).");
    }

    @Test
    void answersAnOverloadedGeminiWithARetryable503() {
        assertThatExceptionOfType(InternalServerException.class)
                .isThrownBy(() -> client.chat().completions().create(chat("gemini-overloaded").build()))
                .satisfies(error -> {
                    assertThat(error.statusCode()).isEqualTo(503);
                    assertThat(error.code()).contains("upstream_overloaded");
                });
    }

    @Test
    void endsAStreamWithTheSdksStreamErrorWhenGeminiSendsAnError() {
        assertThatExceptionOfType(SseException.class)
                .isThrownBy(() -> stream(chat("gemini-error-mid-stream").build()))
                .withMessageContaining("The upstream failed mid-stream (UNAVAILABLE): The model is overloaded.");
    }

    private static ResponseFormatJsonSchema recipesFormat() {
        Map<String, Object> recipe = Map.of("type", "object", "additionalProperties", false,
                "properties", Map.of("recipeName", Map.of("type", "string"),
                        "ingredients", Map.of("type", "array", "items", Map.of("type", "string"))),
                "required", List.of("recipeName", "ingredients"));
        ResponseFormatJsonSchema.JsonSchema.Schema schema = ResponseFormatJsonSchema.JsonSchema.Schema.builder()
                .putAdditionalProperty("type", JsonValue.from("array"))
                .putAdditionalProperty("items", JsonValue.from(recipe))
                .build();
        return ResponseFormatJsonSchema.builder()
                .jsonSchema(ResponseFormatJsonSchema.JsonSchema.builder().name("recipes").schema(schema).build())
                .build();
    }
}
