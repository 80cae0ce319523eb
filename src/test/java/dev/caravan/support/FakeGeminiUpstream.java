package dev.caravan.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A fake Gemini API over real HTTP, answering with the recorded examples under fixtures/gemini.
 * The model in the path chooses the answer; {@code :streamGenerateContent} streams it only with
 * {@code alt=sse} (without, Gemini answers one JSON array, which the gateway must not relay);
 * {@code gemini-slow} streams its events {@value #SLOW_SPACING_MS} ms apart.
 * Started once per test JVM. Like Gemini, it refuses a request without {@code x-goog-api-key}.
 */
public final class FakeGeminiUpstream {

    public static final String API_KEY = "test-gemini-key";
    /** How far apart {@code gemini-slow} streams its events. */
    public static final long SLOW_SPACING_MS = 300;

    private static final Pattern OPERATION = Pattern.compile("/v1beta/models/([^/:]+):(generateContent|streamGenerateContent)");

    /** Upstream model -> the fixture answered, plain and streamed. */
    private static final Map<String, List<String>> ANSWERS = Map.of(
            "gemini-text", List.of("response-text.json", "stream-text.sse"),
            "gemini-slow", List.of("response-text.json", "stream-text.sse"),
            "gemini-tools", List.of("response-function-call.json", "stream-function-call.sse"),
            "gemini-json", List.of("response-json.json", "stream-json.sse"),
            "gemini-cached", List.of("response-cached.json", "stream-text.sse"),
            "gemini-thinking", List.of("response-thinking.json", "stream-text.sse"),
            "gemini-blocked", List.of("response-prompt-blocked.json", "stream-prompt-blocked.sse"),
            "gemini-error-mid-stream", List.of("response-text.json", "stream-error.sse"));

    private static final FakeGeminiUpstream INSTANCE = new FakeGeminiUpstream();

    private final List<FakeServer.Request> requests = new CopyOnWriteArrayList<>();
    private final HttpServer server = FakeServer.start(this::handle);

    public static FakeGeminiUpstream get() {
        return INSTANCE;
    }

    /** The API root, as {@code base-url} names it. */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1beta";
    }

    /** How many requests this upstream received. */
    public int requestCount() {
        return requests.size();
    }

    public FakeServer.Request lastRequestFor(String upstreamModel) {
        for (int i = requests.size() - 1; i >= 0; i--) {
            if (requests.get(i).path().contains("/models/" + upstreamModel + ":")) {
                return requests.get(i);
            }
        }
        throw new AssertionError("the fake Gemini upstream received no request for " + upstreamModel);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            FakeServer.Request request = FakeServer.read(exchange);
            requests.add(request);
            Matcher operation = OPERATION.matcher(request.path());
            String model = operation.matches() ? operation.group(1) : "";
            if (!API_KEY.equals(request.header("x-goog-api-key"))) {
                FakeServer.sendFixture(exchange, 400, "gemini/error-api-key-invalid.json");
            } else if (model.equals("gemini-overloaded")) {
                FakeServer.sendFixture(exchange, 503, "gemini/error-unavailable.json");
            } else if (!ANSWERS.containsKey(model)) {
                FakeServer.sendFixture(exchange, 400, "gemini/error-invalid-argument.json");
            } else if (operation.group(2).equals("generateContent")) {
                FakeServer.sendFixture(exchange, 200, "gemini/" + ANSWERS.get(model).get(0));
            } else if ("alt=sse".equals(request.query())) {
                FakeServer.sendEvents(exchange, "gemini/" + ANSWERS.get(model).get(1),
                        model.equals("gemini-slow") ? SLOW_SPACING_MS : 0);
            } else {
                FakeServer.send(exchange, 200, "application/json",
                        ("[" + Fixtures.text("gemini/" + ANSWERS.get(model).get(0)) + "]").getBytes(StandardCharsets.UTF_8));
            }
        }
    }
}
