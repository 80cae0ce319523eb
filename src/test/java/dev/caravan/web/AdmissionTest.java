package dev.caravan.web;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.fasterxml.jackson.databind.JsonNode;
import dev.caravan.support.RawHttp;
import dev.caravan.support.TightLimitsGatewayTest;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalManagementPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Limits before work: a request's body is read, within a deadline and a size, before it takes one of
 * the gateway's places in flight, and a place is waited for only so long.
 */
class AdmissionTest extends TightLimitsGatewayTest {

    @LocalManagementPort
    int managementPort;

    @Test
    void slowBodiesTakeNoPlaceAndEndAt408() throws Exception {
        String broke = newAccount("0").key();
        String paying = newFundedKey("1");
        byte[] body = chat("chat", "").getBytes(StandardCharsets.UTF_8);
        try (ExecutorService tricklers = Executors.newVirtualThreadPerTaskExecutor()) {
            List<CompletableFuture<RawHttp.Response>> slow = new ArrayList<>();
            for (int i = 0; i < MAX_IN_FLIGHT + 2; i++) {
                slow.add(CompletableFuture.supplyAsync(() -> trickled(broke, body), tricklers));
            }
            Thread.sleep(500); // every trickler is connected and sending

            for (int i = 0; i < 3; i++) {
                long started = System.nanoTime();
                HttpResponse<String> answer = chatWithin(Duration.ofSeconds(5), paying);
                assertThat(answer.statusCode()).isEqualTo(200);
                assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(1));
            }

            for (CompletableFuture<RawHttp.Response> trickler : slow) {
                RawHttp.Response response = trickler.get();
                assertThat(response.status()).isEqualTo(408);
                assertThat(response.body()).contains("\"code\":\"request_timeout\"", "caravan.http.body-read-timeout");
            }
        }
    }

    @Test
    void aFullGatewayAnswers503WithRetryAfterOnceTheAdmissionTimeoutPassed() throws Exception {
        String key = newFundedKey("5");
        List<InputStream> streams = new ArrayList<>();
        try {
            for (int i = 0; i < MAX_IN_FLIGHT; i++) {
                HttpResponse<InputStream> stream = HTTP.send(HttpRequest.newBuilder(URI.create(url("/v1/chat/completions")))
                        .header("Content-Type", "application/json").header("Authorization", "Bearer " + key)
                        .POST(HttpRequest.BodyPublishers.ofString(chat("endless", "\"stream\":true"))).build(),
                        HttpResponse.BodyHandlers.ofInputStream());
                streams.add(stream.body());
                assertThat(new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8)).readLine())
                        .startsWith("data: ");
            }

            long started = System.nanoTime();
            HttpResponse<String> refused = chatWithin(Duration.ofSeconds(10), key);

            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(refused.headers().firstValue("Retry-After")).isPresent();
            assertThat(json(refused).path("error").path("code").asText()).isEqualTo("gateway_overloaded");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isBetween(Duration.ofMillis(1900), Duration.ofSeconds(5));
        } finally {
            for (InputStream stream : streams) {
                stream.close();
            }
        }
        long deadline = System.currentTimeMillis() + 10_000;
        HttpResponse<String> after = post("/v1/chat/completions", chat("chat", ""), key);
        while (after.statusCode() != 200 && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
            after = post("/v1/chat/completions", chat("chat", ""), key);
        }
        assertThat(after.statusCode()).as("places come back when the streams end").isEqualTo(200);
    }

    @Test
    void aBodyGrowingPastTheLimitIs413AsSoonAsItDoes() throws Exception {
        for (String path : new String[] {"/v1/chat/completions", "/demo/v1/chat/completions"}) {
            try (RawHttp connection = RawHttp.connect(port)) {
                connection.head("POST", path, "Content-Type: application/json", "Authorization: Bearer " + apiKey(),
                        "Transfer-Encoding: chunked");
                byte[] chunk = new byte[8192];
                java.util.Arrays.fill(chunk, (byte) ' ');
                for (int sent = 0; sent <= MAX_REQUEST_BYTES; sent += chunk.length) {
                    connection.chunk(chunk);
                }
                // the body never ends: the answer comes because it grew past the limit
                RawHttp.Response response = connection.response(Duration.ofSeconds(5));
                assertThat(response.status()).as(path).isEqualTo(413);
                assertThat(response.body()).contains("request_too_large");
            }
        }
    }

    @Test
    void aBodyDeclaredOverTheLimitIs413BeforeAnyOfItIsSent() throws Exception {
        try (RawHttp connection = RawHttp.connect(port)) {
            connection.head("POST", "/v1/chat/completions", "Content-Type: application/json",
                    "Authorization: Bearer " + apiKey(), "Content-Length: " + (MAX_REQUEST_BYTES + 1));
            RawHttp.Response response = connection.response(Duration.ofSeconds(1));

            assertThat(response.status()).isEqualTo(413);
        }
    }

    @Test
    void aRefusalBeforeTheRouteSpeaksTheApisOwnErrorShape() throws Exception {
        // Anthropic's clients read {"type":"error","error":{...}} only, even for what no route saw
        try (RawHttp connection = RawHttp.connect(port)) {
            connection.head("POST", "/v1/messages", "Content-Type: application/json", "x-api-key: " + apiKey(),
                    "Content-Length: " + (MAX_REQUEST_BYTES + 1));
            RawHttp.Response response = connection.response(Duration.ofSeconds(1));

            assertThat(response.status()).isEqualTo(413);
            JsonNode error = JSON.readTree(response.body());
            assertThat(error.path("type").asText()).isEqualTo("error");
            assertThat(error.path("error").path("type").asText()).isEqualTo("request_too_large");
        }
    }

    @Test
    void metricsOnTheirOwnManagementPortNeedNoToken() throws Exception {
        HttpResponse<String> metrics = HTTP.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + managementPort + "/actuator/prometheus")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("# TYPE");

        HttpResponse<String> apiPort = get("/actuator/prometheus");
        assertThat(apiPort.statusCode()).isNotEqualTo(200);
        assertThat(apiPort.body()).doesNotContain("# TYPE");
    }

    /** A chat request that fails the test if it has no answer within {@code limit}. */
    private HttpResponse<String> chatWithin(Duration limit, String key) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url("/v1/chat/completions"))).timeout(limit)
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + key)
                .POST(HttpRequest.BodyPublishers.ofString(chat("chat", ""))).build(), HttpResponse.BodyHandlers.ofString());
    }

    private RawHttp.Response trickled(String key, byte[] body) {
        try (RawHttp connection = RawHttp.connect(port)) {
            connection.head("POST", "/v1/chat/completions", "Content-Type: application/json",
                    "Authorization: Bearer " + key, "Content-Length: " + body.length);
            // read while writing: the answer comes before the body is complete
            Thread writer = Thread.startVirtualThread(() -> connection.trickle(body, Duration.ofMillis(100)));
            RawHttp.Response response = connection.response(Duration.ofSeconds(10));
            writer.interrupt();
            return response;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
