package dev.caravan.web;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caravan.support.FakeOpenAiUpstream;
import dev.caravan.support.GatewayProcess;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A gateway offered more streams than its heap holds refuses the rest with 503 and serves on. Before
 * the bound on requests in flight took the heap into account (and {@link HeapPressure} refused while
 * the heap is full), it took them all: here its heap sat at 190 of 192 MB in back-to-back full
 * collections for 40 s, and in the benchmark (9,500 streams, 1 GB) it threw {@code OutOfMemoryError}
 * in its own threads and answered nothing after. The packaged jar in a JVM of its own with a small
 * heap (192 MB), so that a few hundred streams fill it. Runs in the integration-test phase.
 */
class HeapBoundIT {

    private static final String ADMIN_TOKEN = "heap-bound-admin-token-0123456789abcdefghij";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final FakeOpenAiUpstream UPSTREAM = FakeOpenAiUpstream.get();
    /** Far more than 192 MB holds (about 360 at 192 KB each, docs/performance.md). */
    private static final int STREAMS = 700;

    /** How one stream ended for its client. */
    record Ending(int status, boolean complete, String errorCode, boolean retryAfter) {
    }

    @Test
    void streamsBeyondWhatTheHeapHoldsAreRefusedWith503AndTheGatewayServesOn() throws Exception {
        List<String> arguments = List.of(
                "--caravan.models-file=" + Path.of("src/test/resources/test-models.yaml").toAbsolutePath(),
                "--caravan.providers.fake.base-url=" + UPSTREAM.baseUrl(),
                "--caravan.admin.token=" + ADMIN_TOKEN,
                "--caravan.demo.enabled=false",
                // the refused need not wait the shipped 10 s for a place
                "--caravan.http.admission-timeout=1s");
        try (GatewayProcess gateway = new GatewayProcess(Files.createTempDirectory("caravan-heap"), "heap-bound", arguments,
                "-Xmx192m")) {
            int logBefore = gateway.log().length(); // the log file is kept between runs
            gateway.start();
            String key = newKey(gateway.baseUrl());

            List<Ending> endings = new ArrayList<>();
            try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<Ending>> streams = new ArrayList<>();
                for (int i = 0; i < STREAMS; i++) {
                    streams.add(clients.submit(() -> stream(gateway.baseUrl(), key, "endless")));
                }
                for (Future<Ending> stream : streams) {
                    endings.add(stream.get());
                }
            }

            String log = gateway.log().substring(logBefore);
            assertThat(log).doesNotContain("OutOfMemoryError");
            assertThat(gateway.alive()).isTrue();
            List<Ending> served = endings.stream().filter(ending -> ending.status() == 200).toList();
            List<Ending> refused = endings.stream().filter(ending -> ending.status() == 503).toList();
            assertThat(served.size() + refused.size()).as("every stream served or refused: %s", endings).isEqualTo(STREAMS);
            assertThat(served).as("served").isNotEmpty().allMatch(Ending::complete);
            assertThat(refused).as("refused").isNotEmpty()
                    .allMatch(ending -> "gateway_overloaded".equals(ending.errorCode()) && ending.retryAfter());
            assertThat(log).contains("Requests in flight: at most");

            // and afterwards it serves as before
            Ending after = stream(gateway.baseUrl(), key, "chat");
            assertThat(after.status()).isEqualTo(200);
            assertThat(after.complete()).isTrue();
        }
    }

    private static Ending stream(String base, String key, String model) throws Exception {
        String body = "{\"model\":\"" + model + "\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Say hello\"}]}";
        HttpResponse<InputStream> response = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/v1/chat/completions"))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + key)
                .timeout(Duration.ofSeconds(120)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        boolean retryAfter = response.headers().firstValue("Retry-After").isPresent();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            if (response.statusCode() != 200) {
                JsonNode error = JSON.readTree(reader);
                return new Ending(response.statusCode(), false, error.path("error").path("code").asText(), retryAfter);
            }
            boolean done = false;
            boolean errorChunk = false;
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                done |= line.equals("data: [DONE]");
                errorChunk |= line.contains("\"finish_reason\":\"error\"");
            }
            return new Ending(200, done && !errorChunk, null, retryAfter);
        }
    }

    private static String newKey(String base) throws Exception {
        String account = admin(base, "/admin/accounts", "{\"name\":\"heap bound\"}", null).path("id").asText();
        admin(base, "/admin/accounts/" + account + "/credits", "{\"amount\":1000000}", "heap-bound-credit");
        return admin(base, "/admin/accounts/" + account + "/keys",
                "{\"name\":\"load\",\"rpm_limit\":100000,\"max_concurrent_requests\":100000}", null).path("key").asText();
    }

    private static JsonNode admin(String base, String path, String body, String idempotencyKey) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .header("Authorization", "Bearer " + ADMIN_TOKEN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (idempotencyKey != null) {
            request.header("Idempotency-Key", idempotencyKey);
        }
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(path + ": " + response.body()).isBetween(200, 201);
        return JSON.readTree(response.body());
    }
}
