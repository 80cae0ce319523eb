package dev.caravan.support;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.caravan.metering.TokenCounter;

/**
 * A fake upstream that speaks the OpenAI wire format over real HTTP. How it answers is chosen by the
 * upstream model name in the request (the catalog maps test models to these names), so that one
 * server, started once per test JVM, serves every scenario. {@link #named} starts more servers, one
 * per fake provider of the routing tests, and {@link #behave} makes one of them answer every request
 * as one of these behaviours (a provider that goes down, then comes back):
 * <ul>
 *   <li>{@code ok}: a complete answer with usage 11 prompt / 7 completion tokens (a stream when asked);</li>
 *   <li>{@code cached}: usage with 6 of the 11 prompt tokens cached;</li>
 *   <li>{@code audio}: usage with 4 of the 11 prompt tokens and 5 of the 7 completion tokens audio;</li>
 *   <li>{@code no-usage}: no usage anywhere (plain and stream);</li>
 *   <li>{@code tools}: a tool call answer;</li>
 *   <li>{@code slow-stream}: 5 events, {@value #SLOW_SPACING_MS} ms apart;</li>
 *   <li>{@code endless-stream}: an event every 50 ms, up to 400, until the connection breaks;</li>
 *   <li>{@code long-stream}: {@value #LONG_STREAM_EVENTS} events a second apart, longer than servlet async defaults;</li>
 *   <li>{@code cut-stream}: 3 events, then the connection closes without finish_reason or [DONE];</li>
 *   <li>{@code status-NNN}: that HTTP status with an OpenAI error body (429 with Retry-After: 7);
 *       {@code status-NNN-CODE}: the same with {@code CODE} as the body's {@code error.code}
 *       ({@code status-429-insufficient_quota});</li>
 *   <li>{@code malformed}: 200 with a body that is not JSON;</li>
 *   <li>{@code echo}: answers with the last user message, word by word when streamed;</li>
 *   <li>{@code hang}: no answer for 5 s;</li>
 *   <li>{@code reset}: the connection is closed without an answer;</li>
 *   <li>{@code slow-first-byte}: nothing for {@value #SLOW_FIRST_BYTE_MS} ms, then the answer in slow pieces;
 *       a client that went away meanwhile is counted in {@link #abortedAnswers()}.</li>
 *   <li>{@code overdeliver}: as much as the request allows: {@code n} choices, each exactly the
 *       {@code max_tokens} / {@code max_completion_tokens} it received (the larger; {@value #UNBOUNDED_OUTPUT}
 *       without either), and a prompt with every content part at the most the gateway's conservative rule
 *       allows and its text as the gateway counts it ({@link TokenCounter#countPrompt}: the hold's margin is
 *       for tokenizers that count text differently); waits while {@link #holdAnswers()} is on.</li>
 * </ul>
 */
public final class FakeOpenAiUpstream {

    public static final String CONTENT = "Hello from the fake upstream.";
    public static final long SLOW_SPACING_MS = 400;
    public static final int LONG_STREAM_EVENTS = 35;
    public static final long SLOW_FIRST_BYTE_MS = 3000;
    /** What {@code overdeliver} generates per choice when the request sets no output limit: more than any hold. */
    public static final long UNBOUNDED_OUTPUT = 1_000_000;

    private static final TokenCounter PROMPT_COUNT = new TokenCounter();
    private static final FakeOpenAiUpstream INSTANCE = start();
    private static final Map<String, FakeOpenAiUpstream> NAMED = new ConcurrentHashMap<>();

    private final ObjectMapper json = new ObjectMapper();
    private final HttpServer server;
    private final List<Recorded> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger endlessEventsSent = new AtomicInteger();
    private final AtomicInteger abortedAnswers = new AtomicInteger();
    private volatile boolean endlessBrokenByPeer;
    private volatile String behaviour;
    private volatile CountDownLatch answersHeld;
    private final AtomicInteger waitingAnswers = new AtomicInteger();

    /** One request as the upstream saw it. */
    public record Recorded(String path, Headers headers, JsonNode body) {
    }

    private FakeOpenAiUpstream(HttpServer server) {
        this.server = server;
    }

    public static FakeOpenAiUpstream get() {
        return INSTANCE;
    }

    /** Another fake upstream on its own port, one per name (a provider of the test catalog). */
    public static FakeOpenAiUpstream named(String name) {
        return NAMED.computeIfAbsent(name, n -> start());
    }

    /** Answer every chat request as the upstream model {@code asModel} would be; null: by the model sent. */
    public void behave(String asModel) {
        this.behaviour = asModel;
    }

    /** Makes {@code overdeliver} answers wait, so that a test can look at what the gateway holds meanwhile. */
    public void holdAnswers() {
        answersHeld = new CountDownLatch(1);
    }

    /** Lets the waiting {@code overdeliver} answers go, and the next ones answer at once. */
    public void releaseAnswers() {
        CountDownLatch held = answersHeld;
        answersHeld = null;
        if (held != null) {
            held.countDown();
        }
    }

    /** How many {@code overdeliver} answers are waiting for {@link #releaseAnswers()}. */
    public int waitingAnswers() {
        return waitingAnswers.get();
    }

    /** How many chat requests this upstream received. */
    public long chatRequests() {
        return requests.stream().filter(r -> r.path().endsWith("/chat/completions")).count();
    }

    /** Answers the client was no longer there to receive (its connection closed before the end). */
    public int abortedAnswers() {
        return abortedAnswers.get();
    }

    private static FakeOpenAiUpstream start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 100);
            FakeOpenAiUpstream upstream = new FakeOpenAiUpstream(server);
            server.createContext("/", upstream::handle);
            server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
            server.start();
            return upstream;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
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
            String model = behaviour != null ? behaviour : body.path("model").asText();
            boolean stream = body.path("stream").asBoolean(false);
            if (exchange.getRequestURI().getPath().endsWith("/embeddings")) {
                sendJson(exchange, 200, embeddings(body));
            } else if (model.equals("reset")) {
                // closing the exchange before any response closes the connection: no status, no byte
                return;
            } else if (model.equals("slow-first-byte")) {
                sleep(SLOW_FIRST_BYTE_MS);
                sendSlowly(exchange, stream);
            } else if (model.startsWith("status-")) {
                String[] statusAndCode = model.substring(7).split("-", 2);
                int status = Integer.parseInt(statusAndCode[0]);
                if (status == 429) {
                    exchange.getResponseHeaders().add("Retry-After", "7");
                }
                ObjectNode error = error("upstream says " + status);
                if (statusAndCode.length == 2) {
                    ((ObjectNode) error.path("error")).put("code", statusAndCode[1]);
                }
                sendJson(exchange, status, error);
            } else if (model.equals("malformed")) {
                send(exchange, 200, "text/html", "<html>oops</html>".getBytes(StandardCharsets.UTF_8));
            } else if (model.equals("overdeliver")) {
                waitWhileHeld();
                sendJson(exchange, 200, overdelivered(body));
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

    private void waitWhileHeld() {
        CountDownLatch held = answersHeld;
        if (held == null) {
            return;
        }
        waitingAnswers.incrementAndGet();
        try {
            held.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            waitingAnswers.decrementAndGet();
        }
    }

    /** Every choice the request allows, each as long as it allows, and every content part at its most. */
    private ObjectNode overdelivered(JsonNode request) {
        int n = request.path("n").asInt(1);
        long perChoice = Math.max(request.path("max_tokens").asLong(0), request.path("max_completion_tokens").asLong(0));
        if (perChoice == 0) {
            perChoice = UNBOUNDED_OUTPUT;
        }
        ObjectNode response = json.createObjectNode();
        response.put("id", "chatcmpl-fake").put("object", "chat.completion").put("created", 1700000000)
                .put("model", "overdeliver");
        ArrayNode choices = response.putArray("choices");
        for (int i = 0; i < n; i++) {
            ObjectNode choice = choices.addObject().put("index", i);
            choice.putObject("message").put("role", "assistant").put("content", "more");
            choice.put("finish_reason", "length");
        }
        long prompt = PROMPT_COUNT.countPrompt(request);
        response.putObject("usage").put("prompt_tokens", prompt).put("completion_tokens", n * perChoice)
                .put("total_tokens", prompt + n * perChoice);
        return response;
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

    /** The answer in small pieces 30 ms apart, so that a client that went away is noticed. */
    private void sendSlowly(HttpExchange exchange, boolean stream) {
        try {
            byte[] body;
            if (stream) {
                StringBuilder events = new StringBuilder();
                for (String word : CONTENT.split("(?<= )")) {
                    events.append("data: ").append(json.writeValueAsString(chunk("slow-first-byte", word, null))).append("\n\n");
                }
                events.append("data: ").append(json.writeValueAsString(chunk("slow-first-byte", null, "stop"))).append("\n\n");
                events.append("data: [DONE]\n\n");
                body = events.toString().getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
            } else {
                body = json.writeValueAsBytes(completion("slow-first-byte", true, false));
                exchange.getResponseHeaders().add("Content-Type", "application/json");
            }
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            int piece = Math.max(1, body.length / 10);
            for (int from = 0; from < body.length; from += piece) {
                out.write(body, from, Math.min(piece, body.length - from));
                out.flush();
                sleep(30);
            }
        } catch (IOException e) {
            abortedAnswers.incrementAndGet();
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
        if (model.equals("audio")) {
            usage.putObject("prompt_tokens_details").put("audio_tokens", 4);
            usage.putObject("completion_tokens_details").put("audio_tokens", 5);
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

    private void sendJson(HttpExchange exchange, int status, JsonNode body) throws IOException {
        send(exchange, status, "application/json", json.writeValueAsBytes(body));
    }

    private static void send(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        exchange.getResponseHeaders().add("Content-Type", type);
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
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
