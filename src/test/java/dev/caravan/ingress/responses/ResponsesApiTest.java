package dev.caravan.ingress.responses;

import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import dev.caravan.support.FakeOpenAiUpstream;
import dev.caravan.support.GatewayTest;
import dev.caravan.support.NamedEvents;
import dev.caravan.support.NamedEvents.Event;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code POST /v1/responses} on the wire: the event stream's framing, billing and failover parity with
 * chat (the same flow), and the refusals. The SDK's view is in {@code sdk.OpenAiResponsesSdkTest}.
 */
class ResponsesApiTest extends GatewayTest {

    private static final String RESPONSES = "/v1/responses";
    private static final FakeOpenAiUpstream FLAKY = FakeOpenAiUpstream.named("flaky");

    @AfterEach
    void flakyAnswersAgain() {
        FLAKY.behave(null);
    }

    private static String responses(String model, String extraFields) {
        return "{\"model\":\"" + model + "\",\"input\":\"Say hello\"" + (extraFields.isEmpty() ? "" : "," + extraFields) + "}";
    }

    @Test
    void namesEveryEventAfterItsTypeAndNumbersThemInOrder() throws Exception {
        HttpResponse<String> response = post(RESPONSES, responses("chat", "\"stream\":true"));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/event-stream"));
        assertThat(response.headers().firstValue("Authorization")).isEmpty();
        assertThat(response.body()).doesNotContain("[DONE]").doesNotContain("chat.completion.chunk");
        List<Event> events = NamedEvents.of(response);
        assertThat(events).extracting(Event::name).startsWith("response.created", "response.in_progress",
                "response.output_item.added", "response.content_part.added", "response.output_text.delta")
                .endsWith("response.output_text.done", "response.content_part.done", "response.output_item.done",
                        "response.completed");
        for (int i = 0; i < events.size(); i++) {
            assertThat(events.get(i).data().path("type").asText()).isEqualTo(events.get(i).name());
            assertThat(events.get(i).data().path("sequence_number").asInt()).isEqualTo(i);
        }
        assertThat(events.getLast().data().path("response").path("provider").asText()).isEqualTo("fake");
    }

    @Test
    void aStreamCutByTheUpstreamEndsWithResponseFailedAndIsBilledForWhatWasDelivered() throws Exception {
        String key = newFundedKey("1");

        HttpResponse<String> response = post(RESPONSES, responses("cut", "\"stream\":true"), key);

        assertThat(response.statusCode()).isEqualTo(200);
        List<Event> events = NamedEvents.of(response);
        assertThat(events.stream().filter(e -> e.name().equals("response.output_text.delta"))
                .map(e -> e.data().path("delta").asText())).containsExactly("cut0 ", "cut1 ", "cut2 ");
        Event last = events.getLast();
        assertThat(last.name()).isEqualTo("response.failed");
        JsonNode failed = last.data().path("response");
        assertThat(failed.path("status").asText()).isEqualTo("failed");
        assertThat(failed.path("error").path("message").asText())
                .isEqualTo("The upstream closed the stream before the answer was complete.");
        // what was delivered: the text so far, and its price
        assertThat(failed.path("output").get(0).path("content").get(0).path("text").asText()).isEqualTo("cut0 cut1 cut2 ");
        BigDecimal billed = failed.path("usage").path("cost").decimalValue();
        assertThat(billed).isPositive();
        assertThat(settledCredits(key).path("total_usage").decimalValue()).isEqualByComparingTo(billed);
    }

    @ParameterizedTest(name = "stream={0}")
    @CsvSource({"false", "true"})
    void failsOverBeforeTheFirstByteAndChargesOnlyTheBackendThatAnswered(boolean stream) throws Exception {
        FLAKY.behave("status-503");
        String key = newFundedKey("1");

        HttpResponse<String> response = post(RESPONSES, responses("failover", stream ? "\"stream\":true" : ""), key);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(backend(response)).isEqualTo("spare/ok");
        assertThat(attempts(response)).matches("flaky/ok 503 \\d+ms, spare/ok 200 \\d+ms");
        JsonNode answer = stream ? NamedEvents.of(response).getLast().data().path("response") : json(response);
        // 11 x $3/M + 7 x $4/M at the spare backend
        assertThat(answer.path("usage").path("cost").decimalValue()).isEqualByComparingTo("0.000061");
        assertThat(settledCredits(key).path("total_usage").decimalValue()).isEqualByComparingTo("0.000061");
    }

    @Test
    void treatsStoreAsFalseAndSendsNothingStoredUpstream() throws Exception {
        HttpResponse<String> response = post(RESPONSES, responses("chat", "\"store\":true,\"metadata\":{\"k\":\"v\"}"));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(json(response).path("store").asBoolean()).isFalse();
        JsonNode sent = UPSTREAM.lastRequestFor("ok").body();
        assertThat(sent.has("store")).isFalse();
        assertThat(sent.has("metadata")).isFalse();
    }

    @Test
    void reportsTheOutputLimitAsAnIncompleteResponse() throws Exception {
        HttpResponse<String> response = post(RESPONSES, responses("overdeliver", "\"max_output_tokens\":5"));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode body = json(response);
        assertThat(body.path("status").asText()).isEqualTo("incomplete");
        assertThat(body.path("incomplete_details").path("reason").asText()).isEqualTo("max_output_tokens");
        assertThat(body.path("max_output_tokens").asInt()).isEqualTo(5);
        assertThat(UPSTREAM.lastRequestFor("overdeliver").body().path("max_tokens").asInt()).isEqualTo(5);
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
            "{\"model\":\"chat\"} | input",
            "{\"model\":\"chat\",\"input\":[]} | input",
            "{\"input\":\"hi\"} | model",
            "{\"model\":\"chat\",\"input\":\"hi\",\"stream\":\"yes\"} | stream",
            "{\"model\":\"chat\",\"input\":\"hi\",\"max_output_tokens\":0} | max_output_tokens",
            "{\"model\":\"chat\",\"input\":\"hi\",\"conversation\":\"conv_1\"} | conversation",
            "{\"model\":\"chat\",\"input\":\"hi\",\"background\":true} | background",
            "{\"model\":\"chat\",\"input\":\"hi\",\"tools\":[{\"type\":\"web_search\"}]} | tools[0].type",
            "{\"model\":\"chat\",\"input\":\"hi\",\"tool_choice\":\"sometimes\"} | tool_choice",
            "{\"model\":\"chat\",\"input\":\"hi\",\"text\":{\"format\":{\"type\":\"yaml\"}}} | text.format.type",
            "{\"model\":\"chat\",\"input\":[{\"type\":\"item_reference\",\"id\":\"msg_1\"}]} | input[0]",
            "{\"model\":\"chat\",\"input\":[{\"role\":\"robot\",\"content\":\"hi\"}]} | input[0].role",
            "{\"model\":\"chat\",\"input\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_image\",\"file_id\":\"f\"}]}]} | input[0].content[0].image_url",
            "{\"model\":\"chat\",\"input\":[{\"type\":\"function_call_output\",\"output\":\"x\"}]} | input[0].call_id"})
    void refusesWhatItCannotHonourNamingTheField(String body, String param) throws Exception {
        long before = UPSTREAM.chatRequests();

        HttpResponse<String> response = post(RESPONSES, body);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        assertThat(json(response).path("error").path("param").asText()).isEqualTo(param);
        assertThat(UPSTREAM.chatRequests()).isEqualTo(before);
    }

    @Test
    void wantsAKeyLikeEveryRoutedEndpoint() throws Exception {
        HttpResponse<String> response = post(RESPONSES, responses("chat", ""), "sk-caravan-not-a-key");

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(json(response).path("error").path("code").asText()).isEqualTo("invalid_api_key");
    }
}
