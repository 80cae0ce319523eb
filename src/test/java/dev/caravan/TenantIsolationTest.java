package dev.caravan;

import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import dev.caravan.support.RawHttp;
import dev.caravan.support.TightLimitsGatewayTest;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One tenant cannot hurt another: while tenant A sends everything a hostile client can (query
 * parameters meant to become headers, values longer than any column, bodies that trickle, JSON
 * nested past any sense, bodies over the limit), tenant B's ordinary requests all succeed and are
 * all charged. Runs with the small limits of {@link TightLimitsGatewayTest}: four requests in flight.
 */
class TenantIsolationTest extends TightLimitsGatewayTest {

    private static final int B_REQUESTS = 150;

    @Test
    void aHostileTenantCannotMakeAnotherTenantsRequestsFail() throws Exception {
        TestAccount a = newAccount("5");
        TestAccount b = newAccount("20");
        HttpClient attacker = HttpClient.newBuilder().localAddress(InetAddress.getByName("127.0.0.5"))
                .connectTimeout(Duration.ofSeconds(5)).build();
        AtomicBoolean done = new AtomicBoolean();
        Map<String, AtomicInteger> attackStatuses = new ConcurrentHashMap<>();
        List<String> bFailures = Collections.synchronizedList(new ArrayList<>());

        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> attacks = new ArrayList<>();
            for (Attack attack : attacks(a.key(), b.key())) {
                attacks.add(threads.submit(() -> {
                    while (!done.get()) {
                        String outcome;
                        try {
                            outcome = attack.name() + " " + attack.send(attacker);
                        } catch (Exception e) {
                            outcome = attack.name() + " " + e.getClass().getSimpleName();
                        }
                        attackStatuses.computeIfAbsent(outcome, k -> new AtomicInteger()).incrementAndGet();
                    }
                    return null;
                }));
            }
            Thread.sleep(300); // the attack is under way

            AtomicInteger next = new AtomicInteger();
            List<Future<?>> workers = new ArrayList<>();
            for (int w = 0; w < 3; w++) {
                workers.add(threads.submit(() -> {
                    for (int i = next.getAndIncrement(); i < B_REQUESTS; i = next.getAndIncrement()) {
                        HttpResponse<String> response = ordinaryRequest(b.key(), i);
                        if (response.statusCode() != 200) {
                            bFailures.add(i + ": " + response.statusCode() + " " + response.body());
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> worker : workers) {
                worker.get();
            }
            done.set(true);
            for (Future<?> attack : attacks) {
                attack.get();
            }
        }

        assertThat(bFailures).as("tenant B's failures, while tenant A sent %s", attackStatuses).isEmpty();
        assertThat(attackStatuses.keySet()).as("every attack reached the gateway and was answered")
                .contains("query-request-id 200", "query-key 401", "deep-json 400", "declared-huge 413",
                        "growing-huge 413", "trickle 408", "long-model 404");
        JsonNode credits = settledCredits(b.key());
        assertThat(credits.path("held").decimalValue()).isZero();
        JsonNode usage = json(get("/v1/usage?limit=1000", b.key()));
        assertThat(usage.path("data")).hasSize(B_REQUESTS);
        BigDecimal charged = BigDecimal.ZERO;
        for (JsonNode row : usage.path("data")) {
            charged = charged.add(row.path("cost").decimalValue());
        }
        assertThat(credits.path("balance").decimalValue()).isEqualByComparingTo(new BigDecimal("20").subtract(charged));
    }

    private HttpResponse<String> ordinaryRequest(String key, int i) throws Exception {
        return switch (i % 3) {
            case 0 -> post("/v1/chat/completions", chat("chat", ""), key);
            case 1 -> post("/v1/chat/completions", chat("chat", "\"stream\":true"), key);
            default -> post("/v1/embeddings", "{\"model\":\"embed\",\"input\":\"hello\"}", key);
        };
    }

    /** One kind of hostile request, sent again and again; returns the status it got. */
    private record Attack(String name, Sender sender) {
        int send(HttpClient client) throws Exception {
            return sender.send(client);
        }
    }

    @FunctionalInterface
    private interface Sender {
        int send(HttpClient client) throws Exception;
    }

    private List<Attack> attacks(String aKey, String bKey) {
        String stolen = URLEncoder.encode("Bearer " + bKey, StandardCharsets.UTF_8);
        return List.of(
                new Attack("query-request-id", client -> postAs(client,
                        "/v1/chat/completions?X-Request-Id=" + "r".repeat(300), chat("chat", ""), aKey)),
                new Attack("query-key", client -> postAs(client, "/v1/chat/completions?Authorization=" + stolen,
                        chat("chat", ""), null)),
                new Attack("long-model", client -> postAs(client, "/v1/chat/completions",
                        chat("m".repeat(10_000), ""), aKey)),
                new Attack("long-header", client -> postAs(client, "/v1/chat/completions", chat("chat", ""), aKey,
                        "X-Request-Id", "h".repeat(6000))),
                new Attack("deep-json", client -> postAs(client, "/v1/chat/completions",
                        chat("chat", "\"metadata\":" + "[".repeat(5000) + "]".repeat(5000)), aKey)),
                new Attack("declared-huge", client -> raw(connection -> connection.head("POST", "/v1/chat/completions",
                        "Authorization: Bearer " + aKey, "Content-Type: application/json",
                        "Content-Length: 1000000000"))),
                new Attack("growing-huge", client -> raw(connection -> {
                    connection.head("POST", "/v1/chat/completions", "Authorization: Bearer " + aKey,
                            "Content-Type: application/json", "Transfer-Encoding: chunked");
                    connection.chunk(new byte[MAX_REQUEST_BYTES + 1]);
                })),
                new Attack("trickle", client -> raw(connection -> {
                    byte[] body = chat("chat", "").getBytes(StandardCharsets.UTF_8);
                    connection.head("POST", "/v1/chat/completions", "Authorization: Bearer " + aKey,
                            "Content-Type: application/json", "Content-Length: " + body.length);
                    Thread.startVirtualThread(() -> connection.trickle(body, Duration.ofMillis(200)));
                })));
    }

    private int postAs(HttpClient client, String path, String body, String key, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url(path))).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        if (headers.length > 0) {
            request.headers(headers);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @FunctionalInterface
    private interface RawRequest {
        void send(RawHttp connection) throws Exception;
    }

    private int raw(RawRequest request) throws Exception {
        try (RawHttp connection = RawHttp.connect(port, "127.0.0.5")) {
            request.send(connection);
            return connection.response(Duration.ofSeconds(10)).status();
        }
    }
}
