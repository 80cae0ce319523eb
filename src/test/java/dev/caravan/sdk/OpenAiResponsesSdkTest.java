package dev.caravan.sdk;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.core.JsonValue;
import com.openai.core.http.HttpResponseFor;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.models.responses.FunctionTool;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseFormatTextJsonSchemaConfig;
import com.openai.models.responses.ResponseFunctionToolCall;
import com.openai.models.responses.ResponseInputImage;
import com.openai.models.responses.ResponseInputItem;
import com.openai.models.responses.ResponseInputText;
import com.openai.models.responses.ResponseStatus;
import com.openai.models.responses.ResponseStreamEvent;
import com.openai.models.responses.ResponseTextConfig;
import com.openai.models.responses.ResponseUsage;
import dev.caravan.support.FakeAnthropicUpstream;
import dev.caravan.support.FakeOpenAiUpstream;
import dev.caravan.support.TestMedia;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * {@code POST /v1/responses} through the official OpenAI Java SDK, unchanged but for base URL and key
 * (see {@link SdkTest}: every response is validated against the SDK's own model). The request is served
 * by the chat flow, so the fake upstreams and their prices are the chat tests' own.
 */
class OpenAiResponsesSdkTest extends SdkTest {

    private static ResponseCreateParams.Builder respond(String model) {
        return ResponseCreateParams.builder().model(model).input("Say hello");
    }

    private static FunctionTool weatherTool() {
        return FunctionTool.builder().name("get_weather").strict(false)
                .parameters(FunctionTool.Parameters.builder()
                        .putAdditionalProperty("type", JsonValue.from("object"))
                        .putAdditionalProperty("properties", JsonValue.from(Map.of("city", Map.of("type", "string"))))
                        .build())
                .build();
    }

    private List<ResponseStreamEvent> stream(ResponseCreateParams params) {
        try (StreamResponse<ResponseStreamEvent> response = client.responses().createStreaming(params)) {
            return response.stream().toList();
        }
    }

    @Test
    void answersPlainWithUsageAndExactCostThroughTheChatFlow() throws Exception {
        HttpResponseFor<Response> raw = client.responses().withRawResponse()
                .create(respond("chat").instructions("Be brief.").build());

        assertThat(raw.headers().values("X-Caravan-Backend")).containsExactly("fake/ok");
        Response response = raw.parse();
        String requestId = raw.requestId().orElseThrow();
        assertThat(response.id()).isEqualTo("resp_" + requestId.substring("req_".length()));
        assertThat(response.status()).contains(ResponseStatus.COMPLETED);
        assertThat(response.output()).hasSize(1);
        assertThat(response.output().get(0).asMessage().content().get(0).asOutputText().text())
                .isEqualTo(FakeOpenAiUpstream.CONTENT);
        ResponseUsage usage = response.usage().orElseThrow();
        assertThat(usage.inputTokens()).isEqualTo(11);
        assertThat(usage.outputTokens()).isEqualTo(7);
        // 11 x $2.50/M + 7 x $10.00/M, the chat completion's price
        assertThat(decimal(usage._additionalProperties().get("cost"))).isEqualByComparingTo("0.0000975");
        assertThat(generation(requestId).path("cost").decimalValue()).isEqualByComparingTo("0.0000975");

        JsonNode sent = UPSTREAM.lastRequestFor("ok").body();
        assertThat(sent.path("messages").toString())
                .isEqualTo("[{\"role\":\"system\",\"content\":\"Be brief.\"},{\"role\":\"user\",\"content\":\"Say hello\"}]");
        assertThat(sent.has("input")).isFalse();
        assertThat(sent.has("instructions")).isFalse();
    }

    @Test
    void streamsTheResponsesEventsAndEndsWithThePricedUsage() {
        List<ResponseStreamEvent> events = stream(respond("chat").build());

        assertThat(events.get(0).isCreated()).isTrue();
        String text = events.stream().filter(ResponseStreamEvent::isOutputTextDelta)
                .map(e -> e.asOutputTextDelta().delta()).reduce("", String::concat);
        assertThat(text).isEqualTo(FakeOpenAiUpstream.CONTENT);
        assertThat(events.stream().filter(ResponseStreamEvent::isOutputTextDone).findFirst().orElseThrow()
                .asOutputTextDone().text()).isEqualTo(FakeOpenAiUpstream.CONTENT);
        ResponseStreamEvent last = events.getLast();
        assertThat(last.isCompleted()).isTrue();
        Response completed = last.asCompleted().response();
        assertThat(completed.output().get(0).asMessage().content().get(0).asOutputText().text())
                .isEqualTo(FakeOpenAiUpstream.CONTENT);
        ResponseUsage usage = completed.usage().orElseThrow();
        assertThat(usage.inputTokens()).isEqualTo(11);
        assertThat(usage.outputTokens()).isEqualTo(7);
        assertThat(decimal(usage._additionalProperties().get("cost"))).isEqualByComparingTo("0.0000975");
    }

    @Test
    void callsFunctionsAndTakesTheirOutputsBack() {
        Response response = client.responses().create(respond("tools-chat").addTool(weatherTool()).build());

        ResponseFunctionToolCall call = response.output().get(0).asFunctionCall();
        assertThat(call.callId()).isEqualTo("call_1");
        assertThat(call.name()).isEqualTo("get_weather");
        assertThat(call.arguments()).isEqualTo("{\"city\":\"Paris\"}");
        JsonNode sentTools = UPSTREAM.lastRequestFor("tools").body().path("tools");
        assertThat(sentTools.get(0).path("function").path("name").asText()).isEqualTo("get_weather");
        assertThat(sentTools.get(0).path("function").path("parameters").path("type").asText()).isEqualTo("object");

        // the next turn: the whole conversation again, the call and its output as items
        client.responses().create(ResponseCreateParams.builder().model("tools-chat").addTool(weatherTool())
                .inputOfResponse(List.of(
                        ResponseInputItem.ofMessage(ResponseInputItem.Message.builder()
                                .role(ResponseInputItem.Message.Role.USER)
                                .addContent(ResponseInputText.builder().text("Weather in Paris?").build()).build()),
                        ResponseInputItem.ofFunctionCall(call),
                        ResponseInputItem.ofFunctionCallOutput(ResponseInputItem.FunctionCallOutput.builder()
                                .callId("call_1").output("18 C, sunny").build())))
                .build());

        JsonNode messages = UPSTREAM.lastRequestFor("tools").body().path("messages");
        assertThat(messages.get(1).path("role").asText()).isEqualTo("assistant");
        assertThat(messages.get(1).path("tool_calls").get(0).path("id").asText()).isEqualTo("call_1");
        assertThat(messages.get(1).path("tool_calls").get(0).path("function").path("arguments").asText())
                .isEqualTo("{\"city\":\"Paris\"}");
        assertThat(messages.get(2).toString())
                .isEqualTo("{\"role\":\"tool\",\"tool_call_id\":\"call_1\",\"content\":\"18 C, sunny\"}");
    }

    @Test
    void streamsFunctionCallArgumentsAsDeltas() {
        List<ResponseStreamEvent> events = stream(respond("tools-chat").addTool(weatherTool()).build());

        List<String> deltas = events.stream().filter(ResponseStreamEvent::isFunctionCallArgumentsDelta)
                .map(e -> e.asFunctionCallArgumentsDelta().delta()).toList();
        assertThat(deltas).containsExactly("{\"city\":", "\"Paris\"}");
        assertThat(events.stream().filter(ResponseStreamEvent::isFunctionCallArgumentsDone).findFirst().orElseThrow()
                .asFunctionCallArgumentsDone().arguments()).isEqualTo("{\"city\":\"Paris\"}");
        ResponseFunctionToolCall call = events.getLast().asCompleted().response().output().get(0).asFunctionCall();
        assertThat(call.callId()).isEqualTo("call_1");
        assertThat(call.name()).isEqualTo("get_weather");
        assertThat(call.arguments()).isEqualTo("{\"city\":\"Paris\"}");
    }

    @Test
    void asksForStructuredOutputAsTheChatResponseFormat() throws Exception {
        client.responses().create(respond("chat").text(ResponseTextConfig.builder()
                .format(ResponseFormatTextJsonSchemaConfig.builder().name("answer").strict(true)
                        .schema(ResponseFormatTextJsonSchemaConfig.Schema.builder()
                                .putAdditionalProperty("type", JsonValue.from("object"))
                                .putAdditionalProperty("properties", JsonValue.from(Map.of("a", Map.of("type", "string"))))
                                .build())
                        .build())
                .build()).build());

        assertThat(UPSTREAM.lastRequestFor("ok").body().get("response_format")).isEqualTo(JSON.readTree("""
                {"type":"json_schema","json_schema":{"name":"answer","schema":{"type":"object",
                 "properties":{"a":{"type":"string"}}},"strict":true}}"""));
    }

    @Test
    void sendsAnImageInputAsAChatImagePart() {
        String image = TestMedia.dataUrl("image/png", TestMedia.png(4, 4));

        client.responses().create(ResponseCreateParams.builder().model("chat").inputOfResponse(List.of(
                ResponseInputItem.ofMessage(ResponseInputItem.Message.builder().role(ResponseInputItem.Message.Role.USER)
                        .addContent(ResponseInputText.builder().text("What is this?").build())
                        .addContent(ResponseInputImage.builder().detail(ResponseInputImage.Detail.LOW).imageUrl(image).build())
                        .build()))).build());

        JsonNode content = UPSTREAM.lastRequestFor("ok").body().path("messages").get(0).path("content");
        assertThat(content.get(0).path("text").asText()).isEqualTo("What is this?");
        assertThat(content.get(1).path("type").asText()).isEqualTo("image_url");
        assertThat(content.get(1).path("image_url").path("url").asText()).isEqualTo(image);
        assertThat(content.get(1).path("image_url").path("detail").asText()).isEqualTo("low");
    }

    @Test
    void refusesPreviousResponseIdSayingToSendTheFullInput() {
        assertThatExceptionOfType(BadRequestException.class)
                .isThrownBy(() -> client.responses().create(respond("chat").previousResponseId("resp_123").build()))
                .withMessageContaining("send the full conversation in 'input'")
                .satisfies(e -> assertThat(e.param()).hasValue("previous_response_id"));
    }

    @Test
    void streamsAResponseServedByAnAnthropicBackendWithExactCost() {
        List<ResponseStreamEvent> events = stream(respond("claude").build());

        String text = events.stream().filter(ResponseStreamEvent::isOutputTextDelta)
                .map(e -> e.asOutputTextDelta().delta()).reduce("", String::concat);
        assertThat(text).contains("Hello!");
        Response completed = events.getLast().asCompleted().response();
        ResponseUsage usage = completed.usage().orElseThrow();
        assertThat(usage.inputTokens()).isEqualTo(25);
        assertThat(usage.outputTokens()).isEqualTo(15);
        // 25 x $3/M + 15 x $15/M
        assertThat(decimal(usage._additionalProperties().get("cost"))).isEqualByComparingTo("0.0003");
        assertThat(FakeAnthropicUpstream.get().lastRequestFor("claude-text").body().path("stream").asBoolean()).isTrue();
    }
}
