package dev.caravan.sdk;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.core.JsonValue;
import com.openai.core.http.HttpResponseFor;
import com.openai.errors.InternalServerException;
import com.openai.errors.SseException;
import com.openai.models.ReasoningEffort;
import com.openai.models.ResponseFormatJsonSchema;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.CompletionUsage;
import dev.caravan.support.FakeAnthropicUpstream;
import dev.caravan.support.FakeServer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * A Claude model behind the anthropic protocol, through the real routes, as the OpenAI Java SDK sees
 * it. The fake Anthropic upstream answers with the documented examples (fixtures/anthropic); prices
 * are Claude Sonnet 4.5's: $3 input, $0.30 cache reads, $3.75 cache writes, $15 output per 1M tokens.
 */
class AnthropicSdkTest extends SdkTest {

    private static final FakeAnthropicUpstream ANTHROPIC = FakeAnthropicUpstream.get();
    private static final ChatCompletionStreamOptions WITH_USAGE = ChatCompletionStreamOptions.builder().includeUsage(true).build();

    @Test
    void completesAPlainAnswerWithUsageAndExactCost() throws Exception {
        HttpResponseFor<ChatCompletion> raw = client.chat().completions().withRawResponse()
                .create(chat("claude").addSystemMessage("Be brief.").build());

        assertThat(raw.headers().values("X-Caravan-Backend")).containsExactly("fake-anthropic/claude-text");
        ChatCompletion completion = raw.parse();
        assertThat(completion.choices().get(0).message().content()).contains("Hi! My name is Claude.");
        assertThat(completion.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
        CompletionUsage usage = completion.usage().orElseThrow();
        assertThat(usage.promptTokens()).isEqualTo(2095);
        assertThat(usage.completionTokens()).isEqualTo(503);
        // 2095 x $3/M + 503 x $15/M
        assertThat(cost(usage)).isEqualByComparingTo("0.01383");
        assertThat(generation(raw.requestId().orElseThrow()).path("cost").decimalValue()).isEqualByComparingTo("0.01383");

        FakeServer.Request sent = ANTHROPIC.lastRequestFor("claude-text");
        assertThat(sent.path()).isEqualTo("/v1/messages");
        assertThat(sent.header("x-api-key")).isEqualTo(FakeAnthropicUpstream.API_KEY);
        assertThat(sent.header("anthropic-version")).isEqualTo("2023-06-01");
        assertThat(sent.header("Authorization")).isNull();
        // no max_tokens from the client: the model's max-output-tokens, which the credit hold assumed
        assertThat(sent.body().path("max_tokens").asInt()).isEqualTo(8192);
        assertThat(sent.body().path("system").get(0).path("text").asText()).isEqualTo("Be brief.");
        assertThat(sent.body().path("messages").get(0).path("role").asText()).isEqualTo("user");
    }

    @Test
    void streamsTextTheSdkAssemblesAndEndsWithThePricedUsageChunk() {
        List<ChatCompletionChunk> chunks = stream(chat("claude").streamOptions(WITH_USAGE).build());

        ChatCompletion assembled = accumulate(chunks);
        assertThat(assembled.choices().get(0).message().content()).contains("Hello!");
        assertThat(assembled.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
        ChatCompletionChunk last = chunks.get(chunks.size() - 1);
        assertThat(last.choices()).isEmpty();
        CompletionUsage usage = last.usage().orElseThrow();
        assertThat(usage.promptTokens()).isEqualTo(25);
        assertThat(usage.completionTokens()).isEqualTo(15);
        // 25 x $3/M + 15 x $15/M
        assertThat(cost(usage)).isEqualByComparingTo("0.0003");
        assertThat(ANTHROPIC.lastRequestFor("claude-text").body().path("stream").asBoolean()).isTrue();
    }

    @Test
    void returnsToolCalls() {
        ChatCompletion completion = client.chat().completions().create(withWeatherTool(chat("claude-tools")).build());

        ChatCompletion.Choice choice = completion.choices().get(0);
        assertThat(choice.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
        ChatCompletionMessageFunctionToolCall call = choice.message().toolCalls().orElseThrow().get(0).asFunction();
        assertThat(call.id()).isEqualTo("toolu_01A09q90qw90lq917835lq9");
        assertThat(call.function().name()).isEqualTo("get_weather");
        assertThat(call.function().arguments()).isEqualTo("{\"location\":\"San Francisco, CA\",\"unit\":\"celsius\"}");
        // 472 x $3/M + 89 x $15/M
        assertThat(cost(completion.usage().orElseThrow())).isEqualByComparingTo("0.002751");
        JsonNode tool = ANTHROPIC.lastRequestFor("claude-tools").body().path("tools").get(0);
        assertThat(tool.path("name").asText()).isEqualTo("get_weather");
        assertThat(tool.path("input_schema").path("properties").has("city")).isTrue();
    }

    @Test
    void streamsToolCallArgumentsTheSdkAssemblesFromFragments() {
        List<ChatCompletionChunk> chunks = stream(withWeatherTool(chat("claude-tools")).streamOptions(WITH_USAGE).build());

        ChatCompletion.Choice choice = accumulate(chunks).choices().get(0);
        assertThat(choice.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
        assertThat(choice.message().content()).contains("Okay, let's check the weather for San Francisco, CA:");
        ChatCompletionMessageFunctionToolCall call = choice.message().toolCalls().orElseThrow().get(0).asFunction();
        assertThat(call.id()).isEqualTo("toolu_01T1x1fJ34qAmk2tNTrN7Up6");
        assertThat(call.function().arguments()).isEqualTo("{\"location\": \"San Francisco, CA\", \"unit\": \"fahrenheit\"}");
        assertThat(cost(chunks.get(chunks.size() - 1).usage().orElseThrow())).isEqualByComparingTo("0.002751");
    }

    @Test
    void answersAJsonSchemaAsMessageContentPlainAndStreamed() throws Exception {
        ChatCompletionCreateParams params = chat("claude-json").responseFormat(weatherReportFormat()).build();

        ChatCompletion completion = client.chat().completions().create(params);
        List<ChatCompletionChunk> chunks = stream(params.toBuilder().streamOptions(WITH_USAGE).build());

        String expected = "{\"location\":\"San Francisco, CA\",\"temperature\":18,\"conditions\":\"foggy\"}";
        assertThat(completion.choices().get(0).message().content().orElseThrow()).isEqualTo(expected);
        assertThat(completion.choices().get(0).message().toolCalls()).isEmpty();
        assertThat(completion.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
        ChatCompletion streamed = accumulate(chunks);
        assertThat(JSON.readTree(streamed.choices().get(0).message().content().orElseThrow())).isEqualTo(JSON.readTree(expected));
        assertThat(streamed.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
        // 512 x $3/M + 61 x $15/M
        assertThat(cost(completion.usage().orElseThrow())).isEqualByComparingTo("0.002451");
        JsonNode sent = ANTHROPIC.lastRequestFor("claude-json").body();
        assertThat(sent.path("tool_choice").path("name").asText()).isEqualTo("weather_report");
        assertThat(sent.path("tools").get(0).path("input_schema").path("required")).hasSize(3);
    }

    @Test
    void pricesCacheReadsAndWritesWithoutCountingThemTwice() throws Exception {
        HttpResponseFor<ChatCompletion> raw = client.chat().completions().withRawResponse().create(chat("claude-cache").build());

        CompletionUsage usage = raw.parse().usage().orElseThrow();
        assertThat(usage.promptTokens()).isEqualTo(21 + 1800 + 248);
        assertThat(usage.promptTokensDetails().orElseThrow().cachedTokens()).contains(1800L);
        // the SDK models OpenAI's cache_write_tokens: the name Caravan reports cache writes under
        assertThat(usage.promptTokensDetails().orElseThrow().cacheWriteTokens()).contains(248L);
        // 21 x $3/M + 1800 x $0.30/M + 248 x $3.75/M + 393 x $15/M
        assertThat(cost(usage)).isEqualByComparingTo("0.007428");
        JsonNode settled = generation(raw.requestId().orElseThrow());
        assertThat(settled.path("cost").decimalValue()).isEqualByComparingTo("0.007428");
        assertThat(settled.path("cached_tokens").asLong()).isEqualTo(1800);
    }

    @Test
    void givesThinkingAsReasoningContentForAReasoningEffort() {
        ChatCompletion completion = client.chat().completions().create(chat("claude-thinking")
                .reasoningEffort(ReasoningEffort.HIGH).build());

        assertThat(completion.choices().get(0).message()._additionalProperties().get("reasoning_content"))
                .isEqualTo(JsonValue.from("To approach this, let's think about what we know about prime numbers..."));
        assertThat(ANTHROPIC.lastRequestFor("claude-thinking").body().path("thinking"))
                .isEqualTo(JSON.valueToTree(Map.of("type", "enabled", "budget_tokens", 3276)));
    }

    @Test
    void answersAnOverloadedAnthropicWithARetryable503() {
        assertThatExceptionOfType(InternalServerException.class)
                .isThrownBy(() -> client.chat().completions().create(chat("claude-overloaded").build()))
                .satisfies(error -> {
                    assertThat(error.statusCode()).isEqualTo(503);
                    assertThat(error.code()).contains("upstream_overloaded");
                    assertThat(error.getMessage()).contains("Overloaded");
                });
    }

    @Test
    void endsAStreamWithTheSdksStreamErrorWhenAnthropicSendsAnErrorEvent() {
        assertThatExceptionOfType(SseException.class)
                .isThrownBy(() -> stream(chat("claude-error-mid-stream").build()))
                .withMessageContaining("The upstream failed mid-stream (overloaded_error): Overloaded");
    }

    static ResponseFormatJsonSchema weatherReportFormat() {
        ResponseFormatJsonSchema.JsonSchema.Schema schema = ResponseFormatJsonSchema.JsonSchema.Schema.builder()
                .putAdditionalProperty("type", JsonValue.from("object"))
                .putAdditionalProperty("properties", JsonValue.from(Map.of(
                        "location", Map.of("type", "string"),
                        "temperature", Map.of("type", "number"),
                        "conditions", Map.of("type", "string"))))
                .putAdditionalProperty("required", JsonValue.from(List.of("location", "temperature", "conditions")))
                .putAdditionalProperty("additionalProperties", JsonValue.from(false))
                .build();
        return ResponseFormatJsonSchema.builder()
                .jsonSchema(ResponseFormatJsonSchema.JsonSchema.builder().name("weather_report").strict(true).schema(schema).build())
                .build();
    }
}
