package dev.caravan.api;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import dev.caravan.support.GatewayTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every way a request can fail, through the real routes: the client always gets an OpenAI-shaped JSON
 * error with the right status and a request id, and never a stack trace, an HTML page or the
 * gateway's provider key.
 */
class ErrorResponseTest extends GatewayTest {

    private static final String CHAT = "/v1/chat/completions";
    private static final String UPSTREAM_KEY = "test-upstream-key";

    // --- the client's request is not valid ------------------------------------------------------------

    @Test
    void refusesABodyThatIsNotJson() throws Exception {
        JsonNode error = assertOpenAiError(post(CHAT, "{\"model\":\"chat\",\"messages\":["), 400);

        assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
        assertThat(error.path("message").asText()).contains("not valid JSON");
        assertThat(param(error)).isNull();
    }

    @Test
    void refusesAnEmptyBody() throws Exception {
        assertOpenAiError(post(CHAT, ""), 400);
    }

    @Test
    void refusesABodyThatIsAJsonArray() throws Exception {
        JsonNode error = assertOpenAiError(post(CHAT, "[" + chat("chat", "") + "]"), 400);

        assertThat(error.path("message").asText()).contains("JSON object");
    }

    @Test
    void refusesARequestWithoutModel() throws Exception {
        JsonNode error = assertOpenAiError(post(CHAT, "{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}"), 400);

        assertThat(param(error)).isEqualTo("model");
        assertThat(error.path("code").asText()).isEqualTo("invalid_request");
    }

    @Test
    void refusesAModelThatIsNotAString() throws Exception {
        JsonNode error = assertOpenAiError(post(CHAT, "{\"model\":42,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}"), 400);

        assertThat(param(error)).isEqualTo("model");
    }

    @Test
    void refusesARequestWithoutMessages() throws Exception {
        JsonNode error = assertOpenAiError(post(CHAT, "{\"model\":\"chat\"}"), 400);

        assertThat(param(error)).isEqualTo("messages");
    }

    @Test
    void refusesAnEmptyMessagesArray() throws Exception {
        JsonNode error = assertOpenAiError(post(CHAT, "{\"model\":\"chat\",\"messages\":[]}"), 400);

        assertThat(param(error)).isEqualTo("messages");
    }

    @Test
    void refusesAMessageWithoutAValidRole() throws Exception {
        JsonNode missing = assertOpenAiError(post(CHAT, "{\"model\":\"chat\",\"messages\":[{\"content\":\"Hi\"}]}"), 400);
        JsonNode unknown = assertOpenAiError(post(CHAT,
                "{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"},{\"role\":\"wizard\",\"content\":\"Hi\"}]}"),
                400);

        assertThat(param(missing)).isEqualTo("messages[0].role");
        assertThat(param(unknown)).isEqualTo("messages[1].role");
    }

    @Test
    void refusesMessageContentThatIsANumber() throws Exception {
        JsonNode error = assertOpenAiError(post(CHAT, "{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":7}]}"), 400);

        assertThat(param(error)).isEqualTo("messages[0].content");
    }

    @Test
    void refusesStreamThatIsNotABoolean() throws Exception {
        JsonNode error = assertOpenAiError(post(CHAT, chat("chat", "\"stream\":\"yes\"")), 400);

        assertThat(param(error)).isEqualTo("stream");
    }

    @Test
    void refusesZeroMaxTokens() throws Exception {
        JsonNode error = assertOpenAiError(post(CHAT, chat("chat", "\"max_tokens\":0")), 400);

        assertThat(param(error)).isEqualTo("max_tokens");
    }

    @Test
    void refusesMaxTokensThatIsNotANumber() throws Exception {
        JsonNode error = assertOpenAiError(post(CHAT, chat("chat", "\"max_tokens\":\"ten\"")), 400);

        assertThat(param(error)).isEqualTo("max_tokens");
    }

    @Test
    void refusesEmbeddingsWithoutInput() throws Exception {
        JsonNode error = assertOpenAiError(post("/v1/embeddings", "{\"model\":\"embed\"}"), 400);

        assertThat(param(error)).isEqualTo("input");
    }

    @Test
    void answersAnUnknownModelWith404ModelNotFound() throws Exception {
        JsonNode error = assertOpenAiError(post(CHAT, chat("no-such-model", "")), 404);

        assertThat(error.path("code").asText()).isEqualTo("model_not_found");
        assertThat(param(error)).isEqualTo("model");
        assertThat(error.path("message").asText()).contains("no-such-model");
    }

    @Test
    void refusesABodyOverTheSizeLimitWith413() throws Exception {
        // caravan.http.max-request-bytes is 8 MiB (config/application.yaml)
        String nineMebibytes = "x".repeat(9 * 1024 * 1024);

        JsonNode error = assertOpenAiError(post(CHAT, chat("chat", "\"padding\":\"" + nineMebibytes + "\"")), 413);

        assertThat(error.path("code").asText()).isEqualTo("request_too_large");
        assertThat(error.path("message").asText()).contains("8388608");
    }

    @Test
    void refusesAChunkedBodyOverTheSizeLimitWith413() throws Exception {
        // no Content-Length to refuse up front: the limit holds while the body is read
        byte[] nineMebibytes = chat("chat", "\"padding\":\"" + "x".repeat(9 * 1024 * 1024) + "\"")
                .getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url(CHAT)))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + apiKey())
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(nineMebibytes))).build(),
                HttpResponse.BodyHandlers.ofString());

        JsonNode error = assertOpenAiError(response, 413);
        assertThat(error.path("code").asText()).isEqualTo("request_too_large");
    }

    @Test
    void refusesStreamOptionsThatAreNotAnObject() throws Exception {
        JsonNode error = assertOpenAiError(post(CHAT, chat("chat", "\"stream\":true,\"stream_options\":true")), 400);

        assertThat(param(error)).isEqualTo("stream_options");
    }

    @Test
    void refusesToolsForAModelWithoutTheToolsCapability() throws Exception {
        JsonNode error = assertOpenAiError(post(CHAT, chat("plain-only",
                "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"parameters\":{\"type\":\"object\"}}}]")),
                400);

        assertThat(error.path("message").asText()).contains("plain-only").contains("tools");
    }

    // --- the gateway cannot serve the model -----------------------------------------------------------

    @Test
    void answers503WhenNoProviderOfTheModelHasAnApiKey() throws Exception {
        JsonNode error = assertOpenAiError(post(CHAT, chat("no-key", "")), 503);

        assertThat(error.path("code").asText()).isEqualTo("no_backend_available");
    }

    @Test
    @ExtendWith(OutputCaptureExtension.class)
    void answers502WhenTheUpstreamIsUnreachableAndLogsWhy(CapturedOutput log) throws Exception {
        HttpResponse<String> response = post(CHAT, chat("unreachable", ""));
        JsonNode error = assertOpenAiError(response, 502);

        assertThat(error.path("code").asText()).isEqualTo("upstream_unreachable");
        assertThat(error.path("message").asText()).contains("nowhere/ok");
        // the operator learns the cause, tied to the request
        String requestId = response.headers().firstValue("X-Request-Id").orElseThrow();
        assertThat(log.getOut()).contains("Upstream nowhere/ok unreachable for request " + requestId
                + ": connection refused or failed (").contains("Connection refused");
    }

    @Test
    void answers504WhenTheUpstreamDoesNotAnswerWithinTheProvidersTimeout() throws Exception {
        long started = System.nanoTime();

        JsonNode error = assertOpenAiError(post(CHAT, chat("hang", "")), 504);

        assertThat(error.path("code").asText()).isEqualTo("upstream_timeout");
        // the provider's response-timeout is 1 s; the fake upstream would answer after 5 s
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(4));
    }

    // --- the upstream answers with an error -----------------------------------------------------------

    @Test
    void passesAnUpstream400OnWithTheUpstreamsMessage() throws Exception {
        JsonNode error = assertOpenAiError(post(CHAT, chat("err-400", "")), 400);

        assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
        assertThat(error.path("message").asText()).contains("upstream says 400");
    }

    @Test
    void answers502WhenTheUpstreamRefusesTheGatewaysOwnKey() throws Exception {
        JsonNode error = assertOpenAiError(post(CHAT, chat("err-401", "")), 502);

        assertThat(error.path("type").asText()).isNotEqualTo("invalid_request_error");
        assertThat(error.path("code").asText()).isEqualTo("upstream_auth_failed");
        String message = error.path("message").asText();
        assertThat(message).containsIgnoringCase("gateway");
        // the upstream's own words are about "your" key: the client's key is not the one refused
        assertThat(message).doesNotContain("upstream says").doesNotContainIgnoringCase("your");
    }

    @Test
    void passesAnUpstreamRateLimitOnWith429AndRetryAfter() throws Exception {
        HttpResponse<String> response = post(CHAT, chat("err-429", ""));

        JsonNode error = assertOpenAiError(response, 429);
        assertThat(response.headers().firstValue("Retry-After")).contains("7");
        assertThat(error.path("type").asText()).isEqualTo("rate_limit_error");
    }

    @Test
    void answers502WhenTheUpstreamFails() throws Exception {
        JsonNode error = assertOpenAiError(post(CHAT, chat("err-500", "")), 502);

        assertThat(error.path("type").asText()).isEqualTo("upstream_error");
    }

    @Test
    void answers502WhenTheUpstreamAnswersWithHtml() throws Exception {
        HttpResponse<String> response = post(CHAT, chat("malformed", ""));

        JsonNode error = assertOpenAiError(response, 502);
        assertThat(error.path("code").asText()).isEqualTo("bad_upstream_response");
        assertThat(response.body()).doesNotContain("oops");
    }

    @Test
    void answersAStreamRequestTheUpstreamRefusesWithAJsonErrorNotAStream() throws Exception {
        HttpResponse<String> response = post(CHAT, chat("err-429", "\"stream\":true"));

        assertOpenAiError(response, 429);
        assertThat(response.headers().firstValue("Retry-After")).contains("7");
    }

    @Test
    void answers502WhenTheUpstreamAnswersAStreamRequestWithHtml() throws Exception {
        HttpResponse<String> response = post(CHAT, chat("malformed", "\"stream\":true"));

        JsonNode error = assertOpenAiError(response, 502);
        assertThat(error.path("code").asText()).isEqualTo("bad_upstream_response");
    }

    // --- a stream that fails after it started ---------------------------------------------------------

    @Test
    void endsAStreamTheUpstreamCutsWithAnErrorEvent() throws Exception {
        HttpResponse<String> response = post(CHAT, chat("cut", "\"stream\":true"));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/event-stream"));
        assertThat(response.headers().firstValue("X-Request-Id")).hasValueSatisfying(v -> assertThat(v).startsWith("req_"));
        assertThat(response.body()).doesNotContain(UPSTREAM_KEY, "Exception", "at dev.");
        List<String> events = sseData(response.body());
        assertThat(events).hasSizeGreaterThanOrEqualTo(2).last().isEqualTo("[DONE]");
        assertThat(events.subList(0, events.size() - 1)).as("parts of the answer that made it")
                .anySatisfy(data -> assertThat(JSON.readTree(data).path("choices").path(0).path("delta").path("content")
                        .asText()).startsWith("cut"));
        JsonNode last = JSON.readTree(events.get(events.size() - 2));
        assertThat(last.path("choices").get(0).path("finish_reason").asText()).isEqualTo("error");
        JsonNode error = last.path("error");
        assertThat(error.isObject()).isTrue();
        assertThat(error.path("message").asText()).isNotBlank();
        assertThat(error.path("type").asText()).isNotBlank();
        assertThat(error.has("code")).isTrue();
        assertThat(error.has("param")).isTrue();
    }

    @Test
    void chargesWhatACutStreamDeliveredWhenTheClientAskedForUsage() throws Exception {
        HttpResponse<String> response = post(CHAT, chat("cut", "\"stream\":true,\"stream_options\":{\"include_usage\":true}"));

        List<String> events = sseData(response.body());
        JsonNode last = JSON.readTree(events.get(events.size() - 2));
        assertThat(last.path("choices").get(0).path("finish_reason").asText()).isEqualTo("error");
        assertThat(last.path("usage").path("estimated").asBoolean()).isTrue();
        assertThat(last.path("usage").path("completion_tokens").asLong()).isPositive();
        assertThat(last.path("usage").path("cost").decimalValue()).isPositive();
    }

    // --- outside the API's routes ---------------------------------------------------------------------

    @Test
    void answersGetOnChatCompletionsWith405Json() throws Exception {
        assertOpenAiError(get(CHAT), 405);
    }

    @Test
    void answersAWrongMethodOnTheOtherApiPathsWith405Json() throws Exception {
        assertOpenAiError(get("/v1/embeddings"), 405);
        assertOpenAiError(post("/v1/models", "{}"), 405);
    }

    @Test
    void answersAnUnknownPathWith404Json() throws Exception {
        JsonNode error = assertOpenAiError(get("/v1/nope"), 404);

        // names the path the client sent: a path under /v1 that does not exist is not "outside /v1"
        assertThat(error.path("message").asText()).startsWith("Unknown path /v1/nope.").contains("under /v1");
    }

    @Test
    void answersABrowserOnAnUnknownPathWithJsonNotAnHtmlPage() throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url("/v1/nope")))
                .header("Accept", "text/html,application/xhtml+xml").GET().build(), HttpResponse.BodyHandlers.ofString());

        assertOpenAiError(response, 404);
    }

    @Test
    void answersAnUnknownPathWith404JsonAlsoForPost() throws Exception {
        assertOpenAiError(post("/v1/nope", chat("chat", "")), 404);
    }

    @Test
    void readsAJsonBodySentWithAFormContentType() throws Exception {
        // what `curl -d '{...}'` sends without -H 'Content-Type: application/json'
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url(CHAT)))
                .header("Content-Type", "application/x-www-form-urlencoded").header("Authorization", "Bearer " + apiKey())
                .POST(HttpRequest.BodyPublishers.ofString(chat("chat", ""))).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(json(response).path("choices").get(0).path("message").path("content").asText()).isNotBlank();
    }

    // --- helpers --------------------------------------------------------------------------------------

    /** Checks the OpenAI error shape and what no error may contain; returns the {@code error} object. */
    private static JsonNode assertOpenAiError(HttpResponse<String> response, int status) throws IOException {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).as("Content-Type")
                .hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        assertThat(response.headers().firstValue("X-Request-Id")).as("X-Request-Id")
                .hasValueSatisfying(v -> assertThat(v).startsWith("req_"));
        assertThat(response.body()).doesNotContain("Exception", "at dev.", UPSTREAM_KEY)
                .doesNotContainIgnoringCase("<html");
        assertThat(response.headers().map().values()).allSatisfy(values ->
                assertThat(String.join(",", values)).doesNotContain(UPSTREAM_KEY));
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.isObject()).as(response.body()).isTrue();
        assertThat(body.properties()).extracting(Map.Entry::getKey).containsExactly("error");
        JsonNode error = body.path("error");
        assertThat(error.path("message").isTextual()).as("error.message").isTrue();
        assertThat(error.path("message").asText()).isNotBlank();
        assertThat(error.path("type").isTextual()).as("error.type").isTrue();
        assertThat(error.has("code")).as("error.code").isTrue();
        assertThat(error.has("param")).as("error.param").isTrue();
        return error;
    }

    private static String param(JsonNode error) {
        return error.path("param").isNull() ? null : error.path("param").asText();
    }

    /** The data of every event of a server-sent event body, in order. */
    private static List<String> sseData(String body) {
        List<String> data = new ArrayList<>();
        for (String event : body.split("\r?\n\r?\n")) {
            StringBuilder joined = null;
            for (String line : event.split("\r?\n")) {
                if (line.startsWith("data:")) {
                    String value = line.substring(line.startsWith("data: ") ? 6 : 5);
                    joined = joined == null ? new StringBuilder(value) : joined.append('\n').append(value);
                }
            }
            if (joined != null) {
                data.add(joined.toString());
            }
        }
        return data;
    }
}
