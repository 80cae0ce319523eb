package dev.caravan.support;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A fake Anthropic Messages API over real HTTP, answering with the recorded examples under
 * fixtures/anthropic. The upstream model name in the request chooses the answer (plain and
 * streamed); started once per test JVM. Like Anthropic, it refuses a request without
 * {@code x-api-key} or {@code anthropic-version}, or without {@code max_tokens}.
 */
public final class FakeAnthropicUpstream {

    public static final String API_KEY = "test-anthropic-key";

    /** Upstream model -> the fixture answered, plain and streamed. */
    private static final Map<String, List<String>> ANSWERS = Map.of(
            "claude-text", List.of("message-text.json", "stream-text.sse"),
            "claude-tools", List.of("message-tool-use.json", "stream-tool-use.sse"),
            "claude-json", List.of("message-json-answer.json", "stream-json-answer.sse"),
            "claude-cache", List.of("message-prompt-cache.json", "stream-text.sse"),
            "claude-thinking", List.of("message-thinking.json", "stream-thinking.sse"),
            "claude-error-mid-stream", List.of("message-text.json", "stream-error.sse"));

    private static final FakeAnthropicUpstream INSTANCE = new FakeAnthropicUpstream();

    private final List<FakeServer.Request> requests = new CopyOnWriteArrayList<>();
    private final HttpServer server = FakeServer.start(this::handle);

    public static FakeAnthropicUpstream get() {
        return INSTANCE;
    }

    /** The API root, as {@code base-url} names it. */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    public FakeServer.Request lastRequestFor(String upstreamModel) {
        for (int i = requests.size() - 1; i >= 0; i--) {
            if (upstreamModel.equals(requests.get(i).body().path("model").asText())) {
                return requests.get(i);
            }
        }
        throw new AssertionError("the fake Anthropic upstream received no request for " + upstreamModel);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            FakeServer.Request request = FakeServer.read(exchange);
            requests.add(request);
            String model = request.body().path("model").asText();
            if (!API_KEY.equals(request.header("x-api-key"))) {
                FakeServer.sendFixture(exchange, 401, "anthropic/error-authentication.json");
            } else if (request.header("anthropic-version") == null || !request.body().has("max_tokens")
                    || !request.path().equals("/v1/messages")) {
                FakeServer.sendFixture(exchange, 400, "anthropic/error-invalid-request.json");
            } else if (model.equals("claude-overloaded")) {
                FakeServer.sendFixture(exchange, 529, "anthropic/error-overloaded.json");
            } else if (request.body().path("stream").asBoolean(false)) {
                FakeServer.sendEvents(exchange, "anthropic/" + ANSWERS.get(model).get(1));
            } else {
                FakeServer.sendFixture(exchange, 200, "anthropic/" + ANSWERS.get(model).get(0));
            }
        }
    }
}
