package dev.caravan.billing;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caravan.support.FakeOpenAiUpstream;
import dev.caravan.support.GatewayProcess;
import dev.caravan.support.PostgresTestDatabase;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The gateway killed with SIGKILL in the middle of a load, as a crash or an OOM killer does it: the
 * packaged jar in its own JVM, so nothing in this test's JVM can flush, settle or release anything for
 * it. Every answer a client received (its status line at least) must be charged exactly once: from its
 * metered usage if that reached the database, else from its hold, settled by the documented rule
 * (docs/billing.md, "When something fails"); no hold may stay open; and the ledger must add up.
 * Runs in the integration-test phase of {@code mvn verify}, after the jar is packaged.
 */
class CrashRecoveryIT {

    private static final String ADMIN_TOKEN = "crash-test-admin-token-0123456789abcdefghij";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final FakeOpenAiUpstream UPSTREAM = FakeOpenAiUpstream.get();

    /** The embedded default (H2 file in ./data, the shipped configuration), restarted on the same data. */
    @Test
    void onTheEmbeddedDatabaseARestartChargesEveryAnswerOnceWithinTwoMinutes() throws Exception {
        Path workDir = Files.createTempDirectory("caravan-crash");
        try (GatewayProcess gateway = new GatewayProcess(workDir, "crash-h2", arguments(List.of()))) {
            gateway.start();
            Account account = newAccount(gateway.baseUrl());
            Map<String, Answer> answered = loadThenKill(List.of(gateway.baseUrl()), account.key(), gateway);

            long restarted = System.nanoTime();
            gateway.start(); // the shipped lease and sweep interval: the two-minute promise as configured
            awaitNothingHeld(gateway.baseUrl(), account.id(), Duration.ofMinutes(2));
            System.out.printf("restart to nothing held: %d s%n", Duration.ofNanos(System.nanoTime() - restarted).toSeconds());

            Map<String, JsonNode> usage = usage(gateway.baseUrl(), account.id());
            assertEveryAnswerChargedOnce(answered, usage);
            assertLedgerAddsUp(gateway.baseUrl(), account.id(), usage);
        }
    }

    /** Two instances on one PostgreSQL: one is killed, the other settles what it left behind. */
    @Test
    void onPostgresqlTheSurvivingInstanceChargesTheKilledOnesAnswers() throws Exception {
        String schema = "crash_it";
        String url = PostgresTestDatabase.URL + (PostgresTestDatabase.URL.contains("?") ? "&" : "?") + "currentSchema=" + schema;
        try (Connection db = DriverManager.getConnection(url, PostgresTestDatabase.USER, PostgresTestDatabase.PASSWORD)) {
            db.createStatement().execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            db.createStatement().execute("CREATE SCHEMA " + schema);
        }
        List<String> postgres = List.of("--spring.datasource.url=" + url,
                "--spring.datasource.username=" + PostgresTestDatabase.USER,
                "--spring.datasource.password=" + PostgresTestDatabase.PASSWORD,
                // short leases, so the test need not wait the shipped 30 s
                "--caravan.billing.instance-heartbeat=1s", "--caravan.billing.instance-lease=6s",
                "--caravan.billing.sweep-interval=1s");
        try (GatewayProcess killed = new GatewayProcess(Files.createTempDirectory("caravan-crash-a"), "crash-pg-a", arguments(postgres));
             GatewayProcess survivor = new GatewayProcess(Files.createTempDirectory("caravan-crash-b"), "crash-pg-b", arguments(postgres))) {
            killed.start();
            survivor.start();
            Account account = newAccount(killed.baseUrl());
            Map<String, Answer> answered = loadThenKill(List.of(killed.baseUrl(), survivor.baseUrl()), account.key(), killed);

            awaitNothingHeld(survivor.baseUrl(), account.id(), Duration.ofMinutes(1));

            Map<String, JsonNode> usage = usage(survivor.baseUrl(), account.id());
            assertEveryAnswerChargedOnce(answered, usage);
            assertLedgerAddsUp(survivor.baseUrl(), account.id(), usage);
            try (Connection db = DriverManager.getConnection(url, PostgresTestDatabase.USER, PostgresTestDatabase.PASSWORD)) {
                assertThat(count(db, "SELECT COUNT(*) FROM holds")).isZero();
                // the usage row is the request's debit: each carries the balance after its charge
                assertThat(count(db, "SELECT COUNT(*) FROM usage_records WHERE balance_after IS NULL")).isZero();
                assertThat(count(db, "SELECT COUNT(*) FROM ledger_entries WHERE request_id IS NOT NULL")).isZero();
            }
        }
    }

    private static List<String> arguments(List<String> more) {
        List<String> arguments = new ArrayList<>(List.of(
                "--caravan.models-file=" + Path.of("src/test/resources/test-models.yaml").toAbsolutePath(),
                "--caravan.providers.fake.base-url=" + UPSTREAM.baseUrl(),
                "--caravan.admin.token=" + ADMIN_TOKEN,
                "--caravan.demo.enabled=false"));
        arguments.addAll(more);
        return arguments;
    }

    /** What a client got: a 200 with, when it read the answer to its end, the cost it was told. */
    record Answer(String requestId, BigDecimal cost) {
    }

    record Account(String id, String key) {
    }

    /** Clients send plain and streamed requests through the gateways until one of them is killed under them. */
    private static Map<String, Answer> loadThenKill(List<String> gateways, String key, GatewayProcess victim) throws Exception {
        Map<String, Answer> answered = new ConcurrentHashMap<>();
        AtomicBoolean running = new AtomicBoolean(true);
        ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor();
        for (int client = 0; client < 12; client++) {
            String base = gateways.get(client % gateways.size());
            boolean stream = client % 2 == 0;
            clients.submit(() -> {
                while (running.get()) {
                    try {
                        request(base, key, stream, answered);
                    } catch (Exception e) {
                        // the gateway died under this request: it was not answered, or only in part (recorded)
                    }
                }
                return null;
            });
        }
        Thread.sleep(3000);
        victim.kill();
        Thread.sleep(500);
        running.set(false);
        clients.shutdown();
        assertThat(clients.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(answered).as("answers before the kill").hasSizeGreaterThan(10);
        return answered;
    }

    private static void request(String base, String key, boolean stream, Map<String, Answer> answered) throws Exception {
        String body = "{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hello\"}]"
                + (stream ? ",\"stream\":true,\"stream_options\":{\"include_usage\":true}}" : "}");
        HttpResponse<InputStream> response = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/v1/chat/completions"))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + key)
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        if (response.statusCode() != 200) {
            response.body().close();
            return;
        }
        String requestId = response.headers().firstValue("X-Request-Id").orElseThrow();
        answered.put(requestId, new Answer(requestId, null)); // delivered in part at least: never free
        BigDecimal cost = null;
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            if (!stream) {
                cost = JSON.readTree(reader).path("usage").path("cost").decimalValue();
            } else {
                for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                    if (line.startsWith("data: {") && line.contains("\"usage\"")) {
                        cost = JSON.readTree(line.substring(6)).path("usage").path("cost").decimalValue();
                    }
                }
            }
        }
        answered.put(requestId, new Answer(requestId, cost));
    }

    private static Account newAccount(String base) throws Exception {
        String id = admin(base, "POST", "/admin/accounts", "{\"name\":\"crash test\"}").path("id").asText();
        HttpResponse<String> topUp = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/admin/accounts/" + id + "/credits"))
                .header("Authorization", "Bearer " + ADMIN_TOKEN).header("Content-Type", "application/json")
                .header("Idempotency-Key", "crash-credit").POST(HttpRequest.BodyPublishers.ofString("{\"amount\":100}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(topUp.statusCode()).as(topUp.body()).isEqualTo(200);
        String key = admin(base, "POST", "/admin/accounts/" + id + "/keys", "{\"name\":\"load\"}").path("key").asText();
        return new Account(id, key);
    }

    private static void awaitNothingHeld(String base, String accountId, Duration within) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        while (admin(base, "GET", "/admin/accounts/" + accountId, null).path("held").decimalValue().signum() != 0) {
            assertThat(System.nanoTime()).as("holds still open after %s", within).isLessThan(deadline);
            Thread.sleep(500);
        }
    }

    /** Request id to its usage row (cost, settlement), all pages. */
    private static Map<String, JsonNode> usage(String base, String accountId) throws Exception {
        Map<String, JsonNode> rows = new HashMap<>();
        String cursor = null;
        do {
            JsonNode page = admin(base, "GET", "/admin/accounts/" + accountId + "/usage?limit=1000"
                    + (cursor == null ? "" : "&cursor=" + cursor), null);
            for (JsonNode row : page.path("data")) {
                assertThat(rows.put(row.path("id").asText(), row)).as("one usage row per request").isNull();
            }
            cursor = page.path("has_more").asBoolean() ? page.path("next_cursor").asText() : null;
        } while (cursor != null);
        return rows;
    }

    private static void assertEveryAnswerChargedOnce(Map<String, Answer> answered, Map<String, JsonNode> usage) {
        int orphans = 0;
        for (Answer answer : answered.values()) {
            JsonNode row = usage.get(answer.requestId());
            assertThat(row).as("usage of answered request %s", answer.requestId()).isNotNull();
            BigDecimal charged = row.path("cost").decimalValue();
            assertThat(charged.signum()).as("charge of %s", answer.requestId()).isPositive();
            if (row.path("settlement").asText().equals(Ledger.METERED)) {
                if (answer.cost() != null) {
                    assertThat(charged).as("charge of %s", answer.requestId()).isEqualByComparingTo(answer.cost());
                }
            } else {
                assertThat(row.path("settlement").asText()).isEqualTo(Ledger.ORPHANED_HOLD);
                orphans++;
            }
        }
        System.out.printf("%d answered, %d charged from their hold%n", answered.size(), orphans);
    }

    private static void assertLedgerAddsUp(String base, String accountId, Map<String, JsonNode> usage) throws Exception {
        JsonNode account = admin(base, "GET", "/admin/accounts/" + accountId, null);
        assertThat(usage.values().stream().map(row -> row.path("cost").decimalValue()).reduce(BigDecimal.ZERO, BigDecimal::add))
                .isEqualByComparingTo(account.path("total_usage").decimalValue());
        assertThat(account.path("held").decimalValue()).isZero();
        assertThat(account.path("balance").decimalValue().signum()).isNotNegative();
        assertThat(account.path("balance").decimalValue()).isEqualByComparingTo(
                account.path("total_credits").decimalValue().subtract(account.path("total_usage").decimalValue()));
    }

    private static JsonNode admin(String base, String method, String path, String body) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Authorization", "Bearer " + ADMIN_TOKEN).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(method + " " + path + ": " + response.body()).isBetween(200, 201);
        return JSON.readTree(response.body());
    }

    private static long count(Connection db, String sql) throws Exception {
        try (var result = db.createStatement().executeQuery(sql)) {
            result.next();
            return result.getLong(1);
        }
    }
}
