package dev.caravan.support;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;

/** The HTTP plumbing the fake upstreams share: a loopback JDK server and ways to answer. */
public final class FakeServer {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One request as a fake upstream saw it. */
    public record Request(String path, String query, Headers headers, JsonNode body) {

        /** A header by name, regardless of case; null when absent. */
        public String header(String name) {
            for (Map.Entry<String, List<String>> entry : headers.entrySet()) {
                if (entry.getKey().equalsIgnoreCase(name)) {
                    return entry.getValue().get(0);
                }
            }
            return null;
        }
    }

    private FakeServer() {
    }

    /** Starts a server on a free loopback port, one virtual thread per request. */
    public static HttpServer start(HttpHandler handler) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 100);
            server.createContext("/", handler);
            server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
            server.start();
            return server;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Request read(HttpExchange exchange) throws IOException {
        byte[] body = exchange.getRequestBody().readAllBytes();
        return new Request(exchange.getRequestURI().getPath(), exchange.getRequestURI().getQuery(),
                exchange.getRequestHeaders(), body.length == 0 ? JSON.createObjectNode() : JSON.readTree(body));
    }

    public static void send(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        exchange.getResponseHeaders().add("Content-Type", type);
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
    }

    public static void sendJson(HttpExchange exchange, int status, JsonNode body) throws IOException {
        send(exchange, status, "application/json", JSON.writeValueAsBytes(body));
    }

    /** A recorded JSON answer from src/test/resources/fixtures. */
    public static void sendFixture(HttpExchange exchange, int status, String fixture) throws IOException {
        send(exchange, status, "application/json", Fixtures.bytes(fixture));
    }

    /** A recorded SSE transcript, event by event with a flush after each, then the end of the body. */
    public static void sendEvents(HttpExchange exchange, String fixture) throws IOException {
        sendEvents(exchange, fixture, 0);
    }

    /** The same, {@code spacingMillis} apart. */
    public static void sendEvents(HttpExchange exchange, String fixture, long spacingMillis) throws IOException {
        exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
        exchange.sendResponseHeaders(200, 0);
        String transcript = Fixtures.text(fixture);
        String separator = transcript.contains("\r\n\r\n") ? "\r\n\r\n" : "\n\n";
        for (String event : transcript.split(separator)) {
            if (!event.isBlank()) {
                exchange.getResponseBody().write((event + separator).getBytes(StandardCharsets.UTF_8));
                exchange.getResponseBody().flush();
                pause(spacingMillis);
            }
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
