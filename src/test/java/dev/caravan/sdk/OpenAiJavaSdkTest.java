package dev.caravan.sdk;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.core.JsonValue;
import com.openai.core.http.HttpResponseFor;
import com.openai.errors.NotFoundException;
import com.openai.errors.RateLimitException;
import com.openai.errors.SseException;
import com.openai.models.ResponseFormatJsonSchema;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.CompletionUsage;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import dev.caravan.support.FakeOpenAiUpstream;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** An OpenAI-compatible backend through the official OpenAI Java SDK (see {@link SdkTest}). */
class OpenAiJavaSdkTest extends SdkTest {

    @Test
    void completesAndExposesCostProviderAndGatewayHeaders() {
        HttpResponseFor<ChatCompletion> raw = client.chat().completions().withRawResponse().create(chat("chat").build());

        assertThat(raw.statusCode()).isEqualTo(200);
        assertThat(raw.headers().values("X-Caravan-Backend")).containsExactly("fake/ok");
        assertThat(raw.requestId()).hasValueSatisfying(id -> assertThat(id).startsWith("req_"));
        ChatCompletion completion = raw.parse();
        assertThat(completion.choices().get(0).message().content()).contains(FakeOpenAiUpstream.CONTENT);
        CompletionUsage usage = completion.usage().orElseThrow();
        assertThat(usage.promptTokens()).isEqualTo(11);
        assertThat(usage.completionTokens()).isEqualTo(7);
        // 11 x $2.50/M + 7 x $10.00/M
        assertThat(cost(usage)).isEqualByComparingTo("0.0000975");
        assertThat(completion._additionalProperties().get("provider").asString()).contains("fake");
    }

    @Test
    void streamsTextTheSdkAssemblesAndEndsWithThePricedUsageChunk() {
        List<ChatCompletionChunk> chunks = stream(chat("chat")
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build());

        assertThat(accumulate(chunks).choices().get(0).message().content()).contains(FakeOpenAiUpstream.CONTENT);
        ChatCompletionChunk last = chunks.get(chunks.size() - 1);
        assertThat(last.choices()).isEmpty();
        CompletionUsage usage = last.usage().orElseThrow();
        assertThat(usage.promptTokens()).isEqualTo(11);
        assertThat(usage.completionTokens()).isEqualTo(7);
        assertThat(cost(usage)).isEqualByComparingTo("0.0000975");
        assertThat(chunks.subList(0, chunks.size() - 1)).allSatisfy(chunk -> assertThat(chunk.usage()).isEmpty());
    }

    @Test
    void streamsWithoutUsageWhenTheClientDidNotAskForIt() {
        List<ChatCompletionChunk> chunks = stream(chat("chat").build());

        assertThat(accumulate(chunks).choices().get(0).message().content()).contains(FakeOpenAiUpstream.CONTENT);
        assertThat(chunks).allSatisfy(chunk -> assertThat(chunk.usage()).isEmpty());
        // the gateway asked for usage to bill the stream, and kept it to itself
        JsonNode sent = UPSTREAM.lastRequestFor("ok").body();
        assertThat(sent.path("stream_options").path("include_usage").asBoolean()).isTrue();
    }

    @Test
    void surfacesAStreamTheUpstreamCutShortAsTheSdksStreamError() {
        // the gateway ends such a stream with a chunk carrying `error`, which the SDK raises
        assertThatExceptionOfType(SseException.class)
                .isThrownBy(() -> stream(chat("cut").build()))
                .withMessageContaining("The upstream closed the stream before the answer was complete.");
    }

    @Test
    void returnsToolCalls() {
        ChatCompletion completion = client.chat().completions().create(withWeatherTool(chat("tools-chat")).build());

        ChatCompletion.Choice choice = completion.choices().get(0);
        assertThat(choice.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
        ChatCompletionMessageFunctionToolCall call = choice.message().toolCalls().orElseThrow().get(0).asFunction();
        assertThat(call.function().name()).isEqualTo("get_weather");
        assertThat(call.function().arguments()).isEqualTo("{\"city\":\"Paris\"}");
    }

    @Test
    void streamsToolCallArgumentsTheSdkAssemblesFromFragments() {
        List<ChatCompletionChunk> chunks = stream(withWeatherTool(chat("tools-chat")).build());

        long fragments = chunks.stream()
                .flatMap(chunk -> chunk.choices().stream())
                .filter(choice -> choice.delta().toolCalls().isPresent())
                .count();
        assertThat(fragments).isEqualTo(2);
        ChatCompletion.Choice choice = accumulate(chunks).choices().get(0);
        assertThat(choice.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
        ChatCompletionMessageFunctionToolCall call = choice.message().toolCalls().orElseThrow().get(0).asFunction();
        assertThat(call.id()).isEqualTo("call_1");
        assertThat(call.function().name()).isEqualTo("get_weather");
        assertThat(call.function().arguments()).isEqualTo("{\"city\":\"Paris\"}");
        assertThat(chunks).allSatisfy(chunk -> assertThat(chunk.usage()).isEmpty());
    }

    @Test
    void passesAJsonSchemaResponseFormatThrough() throws Exception {
        ResponseFormatJsonSchema.JsonSchema.Schema schema = ResponseFormatJsonSchema.JsonSchema.Schema.builder()
                .putAdditionalProperty("type", JsonValue.from("object"))
                .putAdditionalProperty("properties", JsonValue.from(Map.of("a", Map.of("type", "string"))))
                .putAdditionalProperty("required", JsonValue.from(List.of("a")))
                .putAdditionalProperty("additionalProperties", JsonValue.from(false))
                .build();
        ChatCompletionCreateParams params = chat("chat")
                .responseFormat(ResponseFormatJsonSchema.builder()
                        .jsonSchema(ResponseFormatJsonSchema.JsonSchema.builder().name("answer").strict(true).schema(schema).build())
                        .build())
                .build();

        ChatCompletion completion = client.chat().completions().create(params);

        assertThat(completion.choices()).hasSize(1);
        assertThat(UPSTREAM.lastRequestFor("ok").body().get("response_format")).isEqualTo(JSON.readTree("""
                {"type":"json_schema","json_schema":{"name":"answer","strict":true,"schema":{"type":"object",
                 "properties":{"a":{"type":"string"}},"required":["a"],"additionalProperties":false}}}"""));
    }

    @Test
    void embeds() {
        CreateEmbeddingResponse response = client.embeddings().create(EmbeddingCreateParams.builder()
                .model("embed").input("Say hello").build());

        assertThat(response.data().get(0).embedding()).containsExactly(0.25f, -0.5f);
        assertThat(response.usage().promptTokens()).isEqualTo(5);
        // 5 x $0.02/M
        assertThat(decimal(response.usage()._additionalProperties().get("cost"))).isEqualByComparingTo("0.0000001");
        // the SDK asks for base64 vectors by default; the upstream must get that choice, the SDK decodes either form
        assertThat(UPSTREAM.lastRequestFor("embed-model").body().path("encoding_format").asText()).isEqualTo("base64");
    }

    @Test
    void embedsAsBase64ThroughTheDemoProviderWithTheSameVectorAsFloats() {
        EmbeddingCreateParams.Builder params = EmbeddingCreateParams.builder().model("demo-embedding").input("hello");

        List<Float> asBase64 = client.embeddings().create(params.encodingFormat(EmbeddingCreateParams.EncodingFormat.BASE64)
                .build()).data().get(0).embedding();
        List<Float> asFloats = client.embeddings().create(params.encodingFormat(EmbeddingCreateParams.EncodingFormat.FLOAT)
                .build()).data().get(0).embedding();

        assertThat(asBase64).hasSize(8).isEqualTo(asFloats);
    }

    @Test
    void throwsNotFoundForAnUnknownModel() {
        assertThatExceptionOfType(NotFoundException.class)
                .isThrownBy(() -> client.chat().completions().create(chat("does-not-exist").build()))
                .withMessageContaining("The model 'does-not-exist' does not exist.")
                .satisfies(error -> {
                    assertThat(error.statusCode()).isEqualTo(404);
                    assertThat(error.code()).contains("model_not_found");
                    assertThat(error.param()).contains("model");
                    assertThat(error.type()).contains("invalid_request_error");
                });
    }

    @Test
    void throwsRateLimitWhenTheUpstreamIsRateLimited() {
        long upstreamCallsBefore = upstreamCallsFor("status-429");

        assertThatExceptionOfType(RateLimitException.class)
                .isThrownBy(() -> client.chat().completions().create(chat("err-429").build()))
                .withMessageContaining("upstream says 429")
                .satisfies(error -> {
                    assertThat(error.statusCode()).isEqualTo(429);
                    assertThat(error.headers().values("Retry-After")).containsExactly("7");
                    assertThat(error.type()).contains("rate_limit_error");
                });
        assertThat(upstreamCallsFor("status-429") - upstreamCallsBefore).isEqualTo(1);
    }

    private static long upstreamCallsFor(String upstreamModel) {
        return UPSTREAM.requests().stream()
                .filter(request -> upstreamModel.equals(request.body().path("model").asText()))
                .count();
    }
}
