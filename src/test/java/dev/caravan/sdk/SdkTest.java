package dev.caravan.sdk;

import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionFunctionTool;
import com.openai.models.completions.CompletionUsage;
import dev.caravan.support.GatewayTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The gateway as the official OpenAI Java SDK sees it: base_url pointed at Caravan and nothing else
 * changed. With responseValidation on, every response is checked against the SDK's own model, so a
 * field of the wrong shape fails here even where a hand-written JSON assertion would not look.
 */
abstract class SdkTest extends GatewayTest {

    protected OpenAIClient client;

    @BeforeEach
    void connect() {
        client = OpenAIOkHttpClient.builder()
                .baseUrl(url("/v1"))
                .apiKey(apiKey())
                .responseValidation(true)
                // a retried 429 would hide what the gateway answered the first time
                .maxRetries(0)
                .build();
    }

    @AfterEach
    void disconnect() {
        client.close();
    }

    protected static ChatCompletionCreateParams.Builder chat(String model) {
        return ChatCompletionCreateParams.builder().model(model).addUserMessage("Say hello");
    }

    protected static ChatCompletionCreateParams.Builder withWeatherTool(ChatCompletionCreateParams.Builder params) {
        return params.addTool(ChatCompletionFunctionTool.builder()
                .function(FunctionDefinition.builder()
                        .name("get_weather")
                        .parameters(FunctionParameters.builder()
                                .putAdditionalProperty("type", JsonValue.from("object"))
                                .putAdditionalProperty("properties", JsonValue.from(Map.of("city", Map.of("type", "string"))))
                                .build())
                        .build())
                .build());
    }

    protected List<ChatCompletionChunk> stream(ChatCompletionCreateParams params) {
        try (StreamResponse<ChatCompletionChunk> response = client.chat().completions().createStreaming(params)) {
            return response.stream().toList();
        }
    }

    protected static ChatCompletion accumulate(List<ChatCompletionChunk> chunks) {
        ChatCompletionAccumulator accumulator = ChatCompletionAccumulator.create();
        chunks.forEach(accumulator::accumulate);
        return accumulator.chatCompletion();
    }

    /** The gateway's {@code usage.cost}, a field the SDK does not model: read from the additional properties. */
    protected static BigDecimal cost(CompletionUsage usage) {
        return decimal(usage._additionalProperties().get("cost"));
    }

    /** The settled usage record of a request, once the asynchronous settlement has written it. */
    protected JsonNode generation(String requestId) throws Exception {
        for (int attempt = 0; attempt < 100; attempt++) {
            HttpResponse<String> response = get("/v1/generation?id=" + requestId, apiKey());
            if (response.statusCode() == 200) {
                return json(response).path("data");
            }
            Thread.sleep(50);
        }
        throw new AssertionError("request " + requestId + " was not settled");
    }

    protected static BigDecimal decimal(JsonValue number) {
        assertThat(number).as("usage.cost").isNotNull();
        // via the decimal text, so that a double is not widened into a long binary fraction
        return new BigDecimal(number.asNumber().orElseThrow().toString());
    }
}
