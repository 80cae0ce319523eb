package dev.caravan.support;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A fake upstream that speaks the OpenAI wire format over real HTTP. How it answers is chosen by the
 * upstream model name in the request (the catalog maps test models to these names), so that one
 * server, started once per test JVM, serves every scenario:
 * <ul>
 *   <li>{@code ok}: a complete answer with usage 11 prompt / 7 completion tokens (a stream when asked);</li>
 *   <li>{@code cached}: usage with 6 of the 11 prompt tokens cached;</li>
 *   <li>{@code no-usage}: no usage anywhere (plain and stream);</li>
 *   <li>{@code tools}: a tool call answer;</li>
 *   <li>{@code slow-stream}: 5 events, {@value #SLOW_SPACING_MS} ms apart;</li>
 *   <li>{@code endless-stream}: an event every 50 ms, up to 400, until the connection breaks;</li>
 *   <li>{@code long-stream}: {@value #LONG_STREAM_EVENTS} events a second apart, longer than servlet async defaults;</li>
 *   <li>{@code cut-stream}: 3 events, then the connection closes without finish_reason or [DONE];</li>
 *   <li>{@code status-NNN}: that HTTP status with an OpenAI error body (429 with Retry-After: 7);</li>
 *   <li>{@code malformed}: 200 with a body that is not JSON;</li>
 *   <li>{@code echo}: answers with the last user message, word by word when streamed;</li>
 *   <li>{@code hang}: no answer for 5 s.</li>
 * </ul>
 */
public final class FakeOpenAiUpstream {

    public static final String CONTENT = "Hello from the fake upstream.";
    public static final long SLOW_SPACING_MS = 400;
    public static final int LONG_STREAM_EVENTS = 35;

    private static final FakeOpenAiUpstream INSTANCE = new FakeOpenAiUpstream();

    private final ObjectMapper json = new ObjectMapper();
    private final List<Recorded> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger endlessEventsSent = new AtomicInteger();
    private volatile boolean endlessBrokenByPeer;

    /** One request as the upstream saw it. */
    public record Recorded(String path, Headers headers, JsonNode body) {
    }

    private final HttpServer server = FakeServer.start(this::handle);

    private FakeOpenAiUpstream() {
    }

    public static FakeOpenAiUpstream get() {
        return INSTANCE;
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    public List<Recorded> requests() {
        return requests;
    }

    /** The last request the upstream received for an upstream model name. */
    public Recorded lastRequestFor(String upstreamModel) {
        for (int i = requests.size() - 1; i >= 0; i--) {
            if (upstreamModel.equals(requests.get(i).body().path("model").asText())) {
                return requests.get(i);
            }
        }
        throw new AssertionError("the upstream received no request for " + upstreamModel);
    }

    public int endlessEventsSent() {
        return endlessEventsSent.get();
    }

    public boolean endlessBrokenByPeer() {
        return endlessBrokenByPeer;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            JsonNode body = json.readTree(exchange.getRequestBody().readAllBytes());
            requests.add(new Recorded(exchange.getRequestURI().getPath(), exchange.getRequestHeaders(), body));
            String model = body.path("model").asText();
            boolean stream = body.path("stream").asBoolean(false);
            if (exchange.getRequestURI().getPath().endsWith("/embeddings")) {
                sendJson(exchange, 200, embeddings(body));
            } else if (model.startsWith("status-")) {
                int status = Integer.parseInt(model.substring(7));
                if (status == 429) {
                    exchange.getResponseHeaders().add("Retry-After", "7");
                }
                sendJson(exchange, status, error("upstream says " + status));
            } else if (model.equals("malformed")) {
                send(exchange, 200, "text/html", "<html>oops</html>".getBytes(StandardCharsets.UTF_8));
            } else if (model.equals("hang")) {
                sleep(5000);
                sendJson(exchange, 200, completion(model, true, false));
            } else if (stream) {
                stream(exchange, model, body);
            } else {
                ObjectNode answer = completion(model, !model.equals("no-usage"), model.equals("tools"));
                if (model.equals("echo")) {
                    ((ObjectNode) answer.path("choices").get(0).path("message")).put("content", lastUserText(body));
                }
                sendJson(exchange, 200, answer);
            }
        }
    }

    private static String lastUserText(JsonNode request) {
        JsonNode messages = request.path("messages");
        return messages.get(messages.size() - 1).path("content").asText();
    }

    private void stream(HttpExchange exchange, String model, JsonNode request) throws IOException {
        exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
        exchange.sendResponseHeaders(200, 0);
        OutputStream out = exchange.getResponseBody();
        switch (model) {
            case "slow-stream" -> {
                for (int i = 0; i < 5; i++) {
                    event(out, chunk(model, "part" + i + " ", null));
                    sleep(SLOW_SPACING_MS);
                }
                finishStream(out, model, true);
            }
            case "endless-stream" -> {
                endlessEventsSent.set(0);
                endlessBrokenByPeer = false;
                try {
                    for (int i = 0; i < 400; i++) {
                        event(out, chunk(model, "tick" + i + " ", null));
                        endlessEventsSent.incrementAndGet();
                        sleep(50);
                    }
                    finishStream(out, model, true);
                } catch (IOException e) {
                    endlessBrokenByPeer = true;
                }
            }
            case "long-stream" -> {
                for (int i = 0; i < LONG_STREAM_EVENTS; i++) {
                    event(out, chunk(model, "second" + i + " ", null));
                    sleep(1000);
                }
                finishStream(out, model, true);
            }
            case "cut-stream" -> {
                for (int i = 0; i < 3; i++) {
                    event(out, chunk(model, "cut" + i + " ", null));
                }
                // closing the exchange now ends the chunked body without finish_reason or [DONE]
            }
            case "tools" -> {
                ObjectNode first = chunk(model, null, null);
                ObjectNode call = ((ObjectNode) first.path("choices").get(0).path("delta")).putArray("tool_calls").addObject();
                call.put("index", 0).put("id", "call_1").put("type", "function");
                call.putObject("function").put("name", "get_weather").put("arguments", "{\"city\":");
                event(out, first);
                ObjectNode second = chunk(model, null, null);
                ((ObjectNode) second.path("choices").get(0).path("delta")).putArray("tool_calls").addObject()
                        .put("index", 0).putObject("function").put("arguments", "\"Paris\"}");
                event(out, second);
                event(out, chunk(model, null, "tool_calls"));
                usageAndDone(out, model, true);
            }
            default -> {
                String text = model.equals("echo") ? lastUserText(request) : CONTENT;
                for (String word : text.split("(?<= )")) {
                    event(out, chunk(model, word, null));
                }
                finishStream(out, model, !model.equals("no-usage"));
            }
        }
    }

    private void finishStream(OutputStream out, String model, boolean usage) throws IOException {
        event(out, chunk(model, null, "stop"));
        usageAndDone(out, model, usage);
    }

    private void usageAndDone(OutputStream out, String model, boolean usage) throws IOException {
        if (usage) {
            ObjectNode usageChunk = json.createObjectNode();
            usageChunk.put("id", "chatcmpl-fake").put("object", "chat.completion.chunk").put("created", 1700000000)
                    .put("model", model);
            usageChunk.putArray("choices");
            usageChunk.set("usage", usage(model));
            event(out, usageChunk);
        }
        out.write("data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private ObjectNode chunk(String model, String content, String finishReason) {
        ObjectNode chunk = json.createObjectNode();
        chunk.put("id", "chatcmpl-fake").put("object", "chat.completion.chunk").put("created", 1700000000)
                .put("model", model);
        ObjectNode choice = chunk.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode delta = choice.putObject("delta");
        if (content != null) {
            delta.put("content", content);
        }
        choice.put("finish_reason", finishReason);
        // what OpenAI sends on every chunk when include_usage is on
        chunk.putNull("usage");
        return chunk;
    }

    private ObjectNode completion(String model, boolean withUsage, boolean toolCall) {
        ObjectNode response = json.createObjectNode();
        response.put("id", "chatcmpl-fake").put("object", "chat.completion").put("created", 1700000000)
                .put("model", model);
        ObjectNode choice = response.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode message = choice.putObject("message").put("role", "assistant");
        if (toolCall) {
            message.putNull("content");
            ObjectNode call = message.putArray("tool_calls").addObject();
            call.put("id", "call_1").put("type", "function");
            call.putObject("function").put("name", "get_weather").put("arguments", "{\"city\":\"Paris\"}");
            choice.put("finish_reason", "tool_calls");
        } else {
            message.put("content", CONTENT);
            choice.put("finish_reason", "stop");
        }
        if (withUsage) {
            response.set("usage", usage(model));
        }
        return response;
    }

    private ObjectNode usage(String model) {
        ObjectNode usage = json.createObjectNode();
        usage.put("prompt_tokens", 11).put("completion_tokens", 7).put("total_tokens", 18);
        if (model.equals("cached")) {
            usage.putObject("prompt_tokens_details").put("cached_tokens", 6);
        }
        return usage;
    }

    private ObjectNode embeddings(JsonNode request) {
        ObjectNode response = json.createObjectNode();
        response.put("object", "list").put("model", request.path("model").asText());
        ArrayNode data = response.putArray("data");
        data.addObject().put("object", "embedding").put("index", 0).putArray("embedding").add(0.25).add(-0.5);
        response.putObject("usage").put("prompt_tokens", 5).put("total_tokens", 5);
        return response;
    }

    private ObjectNode error(String message) {
        ObjectNode root = json.createObjectNode();
        root.putObject("error").put("message", message).put("type", "invalid_request_error").putNull("code");
        return root;
    }

    private void event(OutputStream out, JsonNode chunk) throws IOException {
        out.write(("data: " + json.writeValueAsString(chunk) + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void sendJson(HttpExchange exchange, int status, JsonNode body) throws IOException {
        FakeServer.sendJson(exchange, status, body);
    }

    private static void send(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        FakeServer.send(exchange, status, type, body);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** For tests that read headers by name regardless of case. */
    public static String header(Recorded recorded, String name) {
        for (Map.Entry<String, List<String>> entry : recorded.headers().entrySet()) {
            if (entry.getKey().equalsIgnoreCase(name)) {
                return entry.getValue().get(0);
            }
        }
        return null;
    }
}
