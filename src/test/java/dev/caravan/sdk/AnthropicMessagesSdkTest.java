package dev.caravan.sdk;

import java.math.BigDecimal;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.JsonValue;
import com.anthropic.core.http.HttpResponseFor;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.errors.AnthropicServiceException;
import com.anthropic.errors.NotFoundException;
import com.anthropic.errors.PaymentRequiredException;
import com.anthropic.errors.SseException;
import com.anthropic.errors.UnauthorizedException;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.Base64ImageSource;
import com.anthropic.models.messages.ContentBlockParam;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCountTokensParams;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.StopReason;
import com.anthropic.models.messages.Tool;
import com.anthropic.models.messages.ToolResultBlockParam;
import com.anthropic.models.messages.ToolUseBlock;
import com.anthropic.models.messages.ToolUseBlockParam;
import com.fasterxml.jackson.databind.JsonNode;
import dev.caravan.support.FakeAnthropicUpstream;
import dev.caravan.support.FakeOpenAiUpstream;
import dev.caravan.support.GatewayTest;
import dev.caravan.support.TestMedia;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * {@code POST /v1/messages} through the official Anthropic Java SDK, unchanged but for base URL and key:
 * Anthropic's clients (and tools built on them) against any catalog model. Served by the chat flow,
 * so the fake upstreams and prices are the chat tests' own.
 */
class AnthropicMessagesSdkTest extends GatewayTest {

    private AnthropicClient client(String key) {
        // maxRetries 0: a retried error would hide what the gateway answered the first time
        return AnthropicOkHttpClient.builder().baseUrl(url("")).apiKey(key).maxRetries(0).build();
    }

    private static MessageCreateParams.Builder message(String model) {
        return MessageCreateParams.builder().model(model).maxTokens(1024).addUserMessage("Say hello");
    }

    private static Tool weatherTool() {
        return Tool.builder().name("get_weather").description("The weather in a city")
                .inputSchema(Tool.InputSchema.builder().properties(Tool.InputSchema.Properties.builder()
                        .putAdditionalProperty("city", JsonValue.from(Map.of("type", "string"))).build()).build())
                .build();
    }

    private static BigDecimal cost(Map<String, JsonValue> usageExtras) {
        JsonValue cost = usageExtras.get("cost");
        assertThat(cost).as("usage.cost").isNotNull();
        return new BigDecimal(cost.asNumber().orElseThrow().toString());
    }

    private static List<RawMessageStreamEvent> stream(AnthropicClient client, MessageCreateParams params) {
        try (StreamResponse<RawMessageStreamEvent> response = client.messages().createStreaming(params)) {
            return response.stream().toList();
        }
    }

    private static BigDecimal streamedCost(List<RawMessageStreamEvent> events) {
        return cost(events.stream().filter(RawMessageStreamEvent::isMessageDelta).findFirst().orElseThrow()
                .asMessageDelta().usage()._additionalProperties());
    }

    @Test
    void answersPlainWithUsageAndExactCost() throws Exception {
        String key = newFundedKey("1");
        HttpResponseFor<Message> raw = client(key).messages().withRawResponse()
                .create(message("chat").system("Be brief.").build());

        assertThat(raw.headers().values("X-Caravan-Backend")).containsExactly("fake/ok");
        Message answer = raw.parse();
        assertThat(answer.content().get(0).text().orElseThrow().text()).isEqualTo(FakeOpenAiUpstream.CONTENT);
        assertThat(answer.stopReason()).contains(StopReason.END_TURN);
        assertThat(answer.usage().inputTokens()).isEqualTo(11);
        assertThat(answer.usage().outputTokens()).isEqualTo(7);
        // 11 x $2.50/M + 7 x $10.00/M, the chat completion's price
        assertThat(cost(answer.usage()._additionalProperties())).isEqualByComparingTo("0.0000975");
        assertThat(settledCredits(key).path("total_usage").decimalValue()).isEqualByComparingTo("0.0000975");

        JsonNode sent = UPSTREAM.lastRequestFor("ok").body();
        assertThat(sent.path("messages").toString())
                .isEqualTo("[{\"role\":\"system\",\"content\":\"Be brief.\"},{\"role\":\"user\",\"content\":\"Say hello\"}]");
        assertThat(sent.path("max_tokens").asInt()).isEqualTo(1024);
    }

    @Test
    void streamsFromAnOpenAiBackendWithAnthropicsEventsAndExactCost() throws Exception {
        String key = newFundedKey("1");
        List<RawMessageStreamEvent> events = stream(client(key), message("chat").build());

        assertThat(events.get(0).isMessageStart()).isTrue();
        assertThat(events.getLast().isMessageStop()).isTrue();
        MessageAccumulator accumulator = MessageAccumulator.create();
        events.forEach(accumulator::accumulate);
        Message answer = accumulator.message();
        assertThat(answer.content().get(0).text().orElseThrow().text()).isEqualTo(FakeOpenAiUpstream.CONTENT);
        assertThat(answer.stopReason()).contains(StopReason.END_TURN);
        assertThat(answer.usage().outputTokens()).isEqualTo(7);
        assertThat(streamedCost(events)).isEqualByComparingTo("0.0000975");
        assertThat(settledCredits(key).path("total_usage").decimalValue()).isEqualByComparingTo("0.0000975");
    }

    @Test
    void streamsFromAnAnthropicBackendWithExactCost() throws Exception {
        String key = newFundedKey("1");
        List<RawMessageStreamEvent> events = stream(client(key), message("claude").build());

        MessageAccumulator accumulator = MessageAccumulator.create();
        events.forEach(accumulator::accumulate);
        assertThat(accumulator.message().content().get(0).text().orElseThrow().text()).contains("Hello!");
        // 25 x $3/M + 15 x $15/M
        assertThat(streamedCost(events)).isEqualByComparingTo("0.0003");
        assertThat(settledCredits(key).path("total_usage").decimalValue()).isEqualByComparingTo("0.0003");
        assertThat(FakeAnthropicUpstream.get().lastRequestFor("claude-text").body().path("stream").asBoolean()).isTrue();
    }

    @Test
    void callsToolsAndTakesTheirResultsBack() {
        AnthropicClient client = client(apiKey());
        Message answer = client.messages().create(message("tools-chat").addTool(weatherTool()).build());

        assertThat(answer.stopReason()).contains(StopReason.TOOL_USE);
        ToolUseBlock call = answer.content().get(0).toolUse().orElseThrow();
        assertThat(call.id()).isEqualTo("call_1");
        assertThat(call.name()).isEqualTo("get_weather");
        assertThat(call._input().convert(Map.class)).isEqualTo(Map.of("city", "Paris"));
        JsonNode sentTool = UPSTREAM.lastRequestFor("tools").body().path("tools").get(0);
        assertThat(sentTool.path("function").path("parameters").path("properties").path("city").path("type").asText())
                .isEqualTo("string");

        client.messages().create(MessageCreateParams.builder().model("tools-chat").maxTokens(1024).addTool(weatherTool())
                .addUserMessage("Weather in Paris?")
                .addAssistantMessageOfContentBlockParams(List.of(ContentBlockParam.ofToolUse(ToolUseBlockParam.builder()
                        .id("call_1").name("get_weather").input(JsonValue.from(Map.of("city", "Paris"))).build())))
                .addUserMessageOfContentBlockParams(List.of(ContentBlockParam.ofToolResult(ToolResultBlockParam.builder()
                        .toolUseId("call_1").content("18 C, sunny").build())))
                .build());

        JsonNode messages = UPSTREAM.lastRequestFor("tools").body().path("messages");
        assertThat(messages.get(1).path("tool_calls").get(0).path("function").path("arguments").asText())
                .isEqualTo("{\"city\":\"Paris\"}");
        assertThat(messages.get(2).toString())
                .isEqualTo("{\"role\":\"tool\",\"tool_call_id\":\"call_1\",\"content\":\"18 C, sunny\"}");
    }

    @Test
    void streamsToolInputAsJsonDeltasTheSdkAssembles() {
        List<RawMessageStreamEvent> events = stream(client(apiKey()), message("tools-chat").addTool(weatherTool()).build());

        MessageAccumulator accumulator = MessageAccumulator.create();
        events.forEach(accumulator::accumulate);
        ToolUseBlock call = accumulator.message().content().get(0).toolUse().orElseThrow();
        assertThat(call.name()).isEqualTo("get_weather");
        assertThat(call._input().convert(Map.class)).isEqualTo(Map.of("city", "Paris"));
        assertThat(accumulator.message().stopReason()).contains(StopReason.TOOL_USE);
    }

    @Test
    void sendsAnImageBlockAsAChatImagePart() {
        byte[] png = TestMedia.png(4, 4);
        client(apiKey()).messages().create(MessageCreateParams.builder().model("chat").maxTokens(100)
                .addUserMessageOfContentBlockParams(List.of(
                        ContentBlockParam.ofText("What is this?"),
                        ContentBlockParam.ofImage(Base64ImageSource.builder().mediaType(Base64ImageSource.MediaType.IMAGE_PNG)
                                .data(Base64.getEncoder().encodeToString(png)).build())))
                .build());

        JsonNode content = UPSTREAM.lastRequestFor("ok").body().path("messages").get(0).path("content");
        assertThat(content.get(0).path("text").asText()).isEqualTo("What is this?");
        assertThat(content.get(1).path("image_url").path("url").asText()).isEqualTo(TestMedia.dataUrl("image/png", png));
    }

    @Test
    void countsTokens() {
        long counted = client(apiKey()).messages().countTokens(MessageCountTokensParams.builder().model("claude")
                .addUserMessage("Say hello").build()).inputTokens();

        assertThat(counted).isPositive().isLessThan(20);
    }

    @Test
    void answersAnUnknownKeyWithAnthropicsAuthenticationError() {
        assertThatExceptionOfType(UnauthorizedException.class)
                .isThrownBy(() -> client("sk-caravan-not-a-key").messages().create(message("chat").build()))
                .satisfies(e -> assertThat(e.body().toString()).contains("authentication_error"));
    }

    @Test
    void answersAnUnknownModelWithAnthropicsNotFoundError() {
        assertThatExceptionOfType(NotFoundException.class)
                .isThrownBy(() -> client(apiKey()).messages().create(message("no-such-model").build()))
                .satisfies(e -> assertThat(e.body().toString()).contains("not_found_error").contains("no-such-model"));
    }

    @Test
    void answersAnAccountWithoutCreditWith402() throws Exception {
        String broke = newFundedKey("0");

        assertThatExceptionOfType(PaymentRequiredException.class)
                .isThrownBy(() -> client(broke).messages().create(message("chat").build()))
                .satisfies(e -> assertThat(((AnthropicServiceException) e).body().toString()).contains("billing_error"));
    }

    @Test
    void surfacesAStreamCutByTheUpstreamAsTheSdksStreamError() {
        assertThatExceptionOfType(SseException.class)
                .isThrownBy(() -> stream(client(apiKey()), message("cut").build()))
                .withMessageContaining("The upstream closed the stream before the answer was complete.");
    }
}
