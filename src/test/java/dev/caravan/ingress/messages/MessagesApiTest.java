package dev.caravan.ingress.messages;

import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import dev.caravan.support.FakeAnthropicUpstream;
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
 * {@code POST /v1/messages} on the wire: Anthropic's key header, event framing and error shape, and
 * billing and failover parity with chat (the same flow). The SDK's view is in
 * {@code sdk.AnthropicMessagesSdkTest}.
 */
class MessagesApiTest extends GatewayTest {

    private static final String MESSAGES = "/v1/messages";
    private static final FakeOpenAiUpstream FLAKY = FakeOpenAiUpstream.named("flaky");

    @AfterEach
    void flakyAnswersAgain() {
        FLAKY.behave(null);
    }

    private static String message(String model, String extraFields) {
        return "{\"model\":\"" + model + "\",\"max_tokens\":100,\"messages\":[{\"role\":\"user\",\"content\":\"Say hello\"}]"
                + (extraFields.isEmpty() ? "" : "," + extraFields) + "}";
    }

    private HttpResponse<String> withApiKeyHeader(String path, String body, String key) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url(path))).header("Content-Type", "application/json")
                .header("x-api-key", key).header("anthropic-version", "2023-06-01")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void takesTheKeyFromXApiKeyOrBearerAndEchoesNeither() throws Exception {
        HttpResponse<String> viaApiKey = withApiKeyHeader(MESSAGES, message("chat", ""), apiKey());
        HttpResponse<String> viaBearer = post(MESSAGES, message("chat", ""));

        assertThat(viaApiKey.statusCode()).as(viaApiKey.body()).isEqualTo(200);
        assertThat(viaBearer.statusCode()).as(viaBearer.body()).isEqualTo(200);
        assertThat(viaApiKey.headers().firstValue("x-api-key")).isEmpty();
        assertThat(viaApiKey.body()).doesNotContain(apiKey());
        assertThat(json(viaApiKey).path("type").asText()).isEqualTo("message");
        assertThat(json(viaApiKey).path("id").asText())
                .isEqualTo("msg_" + viaApiKey.headers().firstValue("X-Request-Id").orElseThrow().substring(4));
    }

    @Test
    void namesEveryEventAfterItsType() throws Exception {
        HttpResponse<String> response = post(MESSAGES, message("chat", "\"stream\":true"));

        assertThat(response.statusCode()).isEqualTo(200);
        List<Event> events = NamedEvents.of(response);
        assertThat(events).extracting(Event::name).startsWith("message_start", "content_block_start", "content_block_delta")
                .endsWith("content_block_stop", "message_delta", "message_stop");
        assertThat(events).allSatisfy(e -> assertThat(e.data().path("type").asText()).isEqualTo(e.name()));
        assertThat(response.body()).doesNotContain("[DONE]").doesNotContain("chat.completion.chunk");
    }

    @Test
    void aStreamCutByTheUpstreamIsBilledForWhatWasDeliveredAndEndsWithAnErrorEvent() throws Exception {
        String key = newFundedKey("1");

        HttpResponse<String> response = post(MESSAGES, message("cut", "\"stream\":true"), key);

        assertThat(response.statusCode()).isEqualTo(200);
        List<Event> events = NamedEvents.of(response);
        assertThat(events.stream().filter(e -> e.name().equals("content_block_delta"))
                .map(e -> e.data().path("delta").path("text").asText())).containsExactly("cut0 ", "cut1 ", "cut2 ");
        Event delta = events.get(events.size() - 2);
        assertThat(delta.name()).isEqualTo("message_delta");
        BigDecimal billed = delta.data().path("usage").path("cost").decimalValue();
        assertThat(billed).isPositive();
        Event last = events.getLast();
        assertThat(last.name()).isEqualTo("error");
        assertThat(last.data().path("error").path("type").asText()).isEqualTo("api_error");
        assertThat(last.data().path("error").path("message").asText())
                .isEqualTo("The upstream closed the stream before the answer was complete.");
        assertThat(events).extracting(Event::name).doesNotContain("message_stop");
        assertThat(settledCredits(key).path("total_usage").decimalValue()).isEqualByComparingTo(billed);
    }

    @ParameterizedTest(name = "stream={0}")
    @CsvSource({"false", "true"})
    void failsOverBeforeTheFirstByteAndChargesOnlyTheBackendThatAnswered(boolean stream) throws Exception {
        FLAKY.behave("status-503");
        String key = newFundedKey("1");

        HttpResponse<String> response = post(MESSAGES, message("failover", stream ? "\"stream\":true" : ""), key);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(backend(response)).isEqualTo("spare/ok");
        assertThat(attempts(response)).matches("flaky/ok 503 \\d+ms, spare/ok 200 \\d+ms");
        JsonNode usage = stream
                ? NamedEvents.of(response).stream().filter(e -> e.name().equals("message_delta")).findFirst().orElseThrow().data().path("usage")
                : json(response).path("usage");
        // 11 x $3/M + 7 x $4/M at the spare backend
        assertThat(usage.path("cost").decimalValue()).isEqualByComparingTo("0.000061");
        assertThat(settledCredits(key).path("total_usage").decimalValue()).isEqualByComparingTo("0.000061");
    }

    @Test
    void anAnthropicBackendGetsTheClientsOwnBodyCacheControlAndAll() throws Exception {
        String body = """
                {"model":"claude","max_tokens":300,"top_k":5,"container":"c_1",
                 "system":[{"type":"text","text":"Be brief.","cache_control":{"type":"ephemeral"}}],
                 "messages":[{"role":"user","content":[{"type":"text","text":"Say hello","cache_control":{"type":"ephemeral","ttl":"5m"}}]}]}""";

        HttpResponse<String> response = post(MESSAGES, body);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(backend(response)).isEqualTo("fake-anthropic/claude-text");
        JsonNode sent = FakeAnthropicUpstream.get().lastRequestFor("claude-text").body();
        assertThat(sent.path("system")).isEqualTo(JSON.readTree(body).path("system"));
        assertThat(sent.path("messages")).isEqualTo(JSON.readTree(body).path("messages"));
        assertThat(sent.path("max_tokens").asInt()).isEqualTo(300);
        assertThat(sent.path("top_k").asInt()).isEqualTo(5);
        // not checked or priced by the gateway: not sent
        assertThat(sent.has("container")).isFalse();
        // the fixture's answer: 2095 x $3/M + 503 x $15/M
        assertThat(json(response).path("usage").path("cost").decimalValue()).isEqualByComparingTo("0.01383");
    }

    @Test
    void reportsCacheReadsApartFromInputTokens() throws Exception {
        HttpResponse<String> response = post(MESSAGES, message("cached-chat", ""));

        JsonNode usage = json(response).path("usage");
        // the upstream's 11 prompt tokens, 6 of them read from its cache
        assertThat(usage.path("input_tokens").asLong()).isEqualTo(5);
        assertThat(usage.path("cache_read_input_tokens").asLong()).isEqualTo(6);
        assertThat(usage.path("cache_creation_input_tokens").asLong()).isZero();
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
            "{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]} | max_tokens",
            "{\"model\":\"chat\",\"max_tokens\":10} | messages",
            "{\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]} | model",
            "{\"model\":\"chat\",\"max_tokens\":10,\"messages\":[{\"role\":\"system\",\"content\":\"hi\"}]} | messages[0].role",
            "{\"model\":\"chat\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"document\"}]}]} | messages[0].content[0].type",
            "{\"model\":\"chat\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"tools\":[{\"type\":\"web_search_20250305\",\"name\":\"web_search\"}]} | tools[0].type",
            "{\"model\":\"chat\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"tool_choice\":{\"type\":\"maybe\"}} | tool_choice.type"})
    void refusesWhatItCannotHonourInAnthropicsErrorShape(String body, String field) throws Exception {
        long before = UPSTREAM.chatRequests();

        HttpResponse<String> response = post(MESSAGES, body);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        JsonNode error = json(response);
        assertThat(error.path("type").asText()).isEqualTo("error");
        assertThat(error.path("error").path("type").asText()).isEqualTo("invalid_request_error");
        assertThat(error.path("error").path("message").asText()).contains(field.replaceAll("\\[.*", ""));
        assertThat(UPSTREAM.chatRequests()).isEqualTo(before);
    }

    @Test
    void countsTokensForAKnownModelOnly() throws Exception {
        HttpResponse<String> counted = withApiKeyHeader("/v1/messages/count_tokens",
                "{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hello\"}]}", apiKey());
        HttpResponse<String> unknown = withApiKeyHeader("/v1/messages/count_tokens",
                "{\"model\":\"no-such-model\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hello\"}]}", apiKey());
        HttpResponse<String> noKey = withApiKeyHeader("/v1/messages/count_tokens",
                "{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hello\"}]}", "sk-caravan-not-a-key");

        assertThat(counted.statusCode()).as(counted.body()).isEqualTo(200);
        assertThat(json(counted).path("input_tokens").asInt()).isPositive();
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(json(unknown).path("error").path("type").asText()).isEqualTo("not_found_error");
        assertThat(noKey.statusCode()).isEqualTo(401);
        assertThat(json(noKey).path("error").path("type").asText()).isEqualTo("authentication_error");
        HttpResponse<String> missing = HTTP.send(HttpRequest.newBuilder(URI.create(url("/v1/messages/count_tokens")))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(json(missing).path("error").path("message").asText()).contains("x-api-key");
    }
}
