package dev.caravan.dashboard;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TimeZone;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.caravan.support.DashboardClient;
import dev.caravan.support.GatewayTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/** The account's own data through the session: overview figures, keys, history, CSV, the live stream. */
class DashboardUsageTest extends GatewayTest {

    private static final String PASSWORD = "correct horse battery";

    @Autowired
    private JdbcTemplate jdbc;

    /** A signed-up person whose account has {@code credit} USD, and one key of it. */
    private record Person(DashboardClient browser, String accountId, String keyId, String key) {
    }

    private Person person(String credit) throws Exception {
        DashboardClient browser = new DashboardClient(port);
        browser.signUp(DashboardSessionTest.newEmail(), PASSWORD);
        String accountId = browser.json("/api/account").path("id").asText();
        assertThat(addCredits(accountId, credit, "dash-" + accountId).statusCode()).isEqualTo(200);
        HttpResponse<String> created = browser.post("/api/keys", "{\"name\":\"app\",\"spend_limit\":5,\"rpm_limit\":100}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        JsonNode key = JSON.readTree(created.body());
        return new Person(browser, accountId, key.path("id").asText(), key.path("key").asText());
    }

    @Test
    void aRequestWithTheAccountsKeyAppearsLiveWithItsIdAndCost() throws Exception {
        Person me = person("10");
        HttpResponse<InputStream> stream = me.browser().send(me.browser().request("/api/usage/stream")
                .header("Accept", "text/event-stream").GET(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(stream.statusCode()).isEqualTo(200);
        assertThat(stream.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/event-stream"));
        BufferedReader events = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8));
        assertThat(events.readLine()).isEqualTo(":live");

        // someone else's request must not show up here
        post("/v1/chat/completions", chat("chat", ""));
        HttpResponse<String> chat = post("/v1/chat/completions", chat("chat", ""), me.key());
        assertThat(chat.statusCode()).as(chat.body()).isEqualTo(200);
        String requestId = chat.headers().firstValue("X-Request-Id").orElseThrow();
        BigDecimal cost = JSON.readTree(chat.body()).path("usage").path("cost").decimalValue();

        CompletableFuture<String[]> event = CompletableFuture.supplyAsync(() -> {
            try {
                String id = null;
                String name = null;
                for (String line = events.readLine(); line != null; line = events.readLine()) {
                    if (line.startsWith("event:")) {
                        name = line.substring(6).trim();
                    } else if (line.startsWith("id:")) {
                        id = line.substring(3).trim();
                    } else if (line.startsWith("data:")) {
                        return new String[] {name, id, line.substring(5).trim()};
                    }
                }
                return null;
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        String[] received = event.get(5, TimeUnit.SECONDS);
        stream.body().close();
        assertThat(received[0]).isEqualTo("usage");
        assertThat(received[1]).isEqualTo(requestId);
        JsonNode record = JSON.readTree(received[2]);
        assertThat(record.path("id").asText()).isEqualTo(requestId);
        assertThat(record.path("key_id").asText()).isEqualTo(me.keyId());
        assertThat(record.path("cost").decimalValue()).isEqualByComparingTo(cost);
        assertThat(record.path("prompt_tokens").asLong()).isPositive();
        // metadata only: nothing of the prompt or the answer
        assertThat(received[2]).doesNotContain("Say hello").doesNotContain("messages").doesNotContain("content");
    }

    @Test
    void overviewKeysHistoryAndCsvShowTheAccountsOwnRequests() throws Exception {
        Person me = person("10");
        BigDecimal total = BigDecimal.ZERO;
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> chat = post("/v1/chat/completions", chat("chat", ""), me.key());
            assertThat(chat.statusCode()).isEqualTo(200);
            total = total.add(JSON.readTree(chat.body()).path("usage").path("cost").decimalValue());
        }
        awaitSettled(me.accountId());
        JsonNode account = me.browser().json("/api/account");
        assertThat(account.path("balance").decimalValue()).isEqualByComparingTo(new BigDecimal("10").subtract(total));
        assertThat(account.path("total_credits").decimalValue()).isEqualByComparingTo("10");
        assertThat(account.path("spent_today").decimalValue()).isEqualByComparingTo(total);
        assertThat(account.path("spent_this_month").decimalValue()).isEqualByComparingTo(total);

        JsonNode spend = me.browser().json("/api/spend?days=30");
        assertThat(spend.path("data")).hasSize(1);
        assertThat(spend.path("data").get(0).path("model").asText()).isEqualTo("chat");
        assertThat(spend.path("data").get(0).path("requests").asLong()).isEqualTo(3);
        assertThat(spend.path("data").get(0).path("cost").decimalValue()).isEqualByComparingTo(total);
        assertThat(me.browser().get("/api/spend?days=0").statusCode()).isEqualTo(400);
        assertThat(me.browser().get("/api/spend?days=abc").statusCode()).isEqualTo(400);

        JsonNode keys = me.browser().json("/api/keys");
        assertThat(keys.path("data")).hasSize(1);
        JsonNode key = keys.path("data").get(0);
        assertThat(key.path("spent").decimalValue()).isEqualByComparingTo(total);
        assertThat(key.path("spend_limit").decimalValue()).isEqualByComparingTo("5");
        assertThat(key.path("last_used_at").isTextual()).isTrue();
        assertThat(key.has("key")).as("the secret is shown once only").isFalse();

        JsonNode usage = me.browser().json("/api/usage?limit=2");
        assertThat(usage.path("data")).hasSize(2);
        assertThat(usage.path("has_more").asBoolean()).isTrue();
        JsonNode rest = me.browser().json("/api/usage?limit=2&cursor=" + usage.path("next_cursor").asText());
        assertThat(rest.path("data")).hasSize(1);
        assertThat(me.browser().json("/api/usage?model=embed").path("data")).isEmpty();

        HttpResponse<String> csv = me.browser().get("/api/usage.csv");
        assertThat(csv.statusCode()).isEqualTo(200);
        assertThat(csv.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/csv"));
        assertThat(csv.headers().firstValue("Content-Disposition")).hasValueSatisfying(v -> assertThat(v).contains("attachment"));
        String[] lines = csv.body().split("\r\n");
        assertThat(lines[0]).startsWith("time,request_id,key_id,model,backend");
        assertThat(lines).hasSize(4);
        BigDecimal csvTotal = BigDecimal.ZERO;
        for (int i = 1; i < lines.length; i++) {
            csvTotal = csvTotal.add(new BigDecimal(lines[i].split(",")[8]));
        }
        assertThat(csvTotal).isEqualByComparingTo(total);
    }

    @Test
    void oneAccountCanNeverReadOrChangeAnothersKeysOrUsage() throws Exception {
        Person alice = person("10");
        Person mallory = person("10");
        assertThat(post("/v1/chat/completions", chat("chat", ""), alice.key()).statusCode()).isEqualTo(200);
        awaitSettled(alice.accountId());

        // every endpoint that takes an id or a filter, with alice's ids
        HttpResponse<String> revoke = mallory.browser().delete("/api/keys/" + alice.keyId());
        assertThat(revoke.statusCode()).isEqualTo(404);
        assertThat(revoke.body()).doesNotContain(alice.accountId());
        assertThat(mallory.browser().json("/api/usage?key_id=" + alice.keyId()).path("data")).isEmpty();
        assertThat(mallory.browser().get("/api/usage.csv?key_id=" + alice.keyId()).body().split("\r\n")).hasSize(1);
        assertThat(mallory.browser().json("/api/keys").path("data")).hasSize(1)
                .allSatisfy(k -> assertThat(k.path("id").asText()).isEqualTo(mallory.keyId()));
        assertThat(mallory.browser().json("/api/account").path("id").asText()).isEqualTo(mallory.accountId());
        assertThat(mallory.browser().json("/api/spend").path("data")).isEmpty();
        // query parameters cannot name another account
        assertThat(mallory.browser().json("/api/account?account_id=" + alice.accountId()).path("id").asText())
                .isEqualTo(mallory.accountId());
        assertThat(mallory.browser().json("/api/usage?account_id=" + alice.accountId()).path("data")).isEmpty();
        // alice's key still works and is still hers
        assertThat(post("/v1/chat/completions", chat("chat", ""), alice.key()).statusCode()).isEqualTo(200);
        awaitSettled(alice.accountId());
        assertThat(alice.browser().json("/api/usage").path("data")).hasSize(2);
    }

    @Test
    void aRevokedKeyIsRefusedOnItsNextRequest() throws Exception {
        Person me = person("10");
        assertThat(post("/v1/chat/completions", chat("chat", ""), me.key()).statusCode()).isEqualTo(200);
        HttpResponse<String> revoked = me.browser().delete("/api/keys/" + me.keyId());
        assertThat(revoked.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(revoked.body()).path("revoked_at").isTextual()).isTrue();
        assertThat(post("/v1/chat/completions", chat("chat", ""), me.key()).statusCode()).isEqualTo(401);
        assertThat(me.browser().delete("/api/keys/not-an-id").statusCode()).isEqualTo(404);
    }

    @Test
    void keyRequestsAreCheckedFieldByField() throws Exception {
        Person me = person("1");
        assertThat(param(me.browser().post("/api/keys", "{}"))).isEqualTo("name");
        assertThat(param(me.browser().post("/api/keys", "{\"name\":\"x\",\"spend_limit\":-1}"))).isEqualTo("spend_limit");
        assertThat(param(me.browser().post("/api/keys", "{\"name\":\"x\",\"rpm_limit\":0}"))).isEqualTo("rpm_limit");
        assertThat(param(me.browser().post("/api/keys", "{\"name\":\"x\",\"expires_at\":\"2020-01-01\"}"))).isEqualTo("expires_at");
        assertThat(param(me.browser().post("/api/keys", "{\"name\":\"x\",\"expires_at\":\"soon\"}"))).isEqualTo("expires_at");
        HttpResponse<String> dated = me.browser().post("/api/keys", "{\"name\":\"<script>alert(1)</script>\",\"expires_at\":\"2099-12-31\"}");
        assertThat(dated.statusCode()).isEqualTo(201);
        // stored and returned as data; the pages put it in with textContent (the browser test checks it renders inert)
        assertThat(JSON.readTree(dated.body()).path("name").asText()).isEqualTo("<script>alert(1)</script>");
        assertThat(JSON.readTree(dated.body()).path("expires_at").asText()).isEqualTo("2100-01-01T00:00:00Z");
    }

    @Test
    void requestingDeletionRevokesEveryKeyAndEndsTheSessionAtOnce() throws Exception {
        Person me = person("3");
        HttpResponse<String> requested = me.browser().post("/api/account/deletion", "{}");
        assertThat(requested.statusCode()).isEqualTo(202);
        assertThat(JSON.readTree(requested.body()).path("deletion_requested_at").isTextual()).isTrue();
        assertThat(post("/v1/chat/completions", chat("chat", ""), me.key()).statusCode()).isEqualTo(401);
        // the session ended with it (AccountDeletionTest covers the rest of the deletion)
        assertThat(me.browser().get("/api/account").statusCode()).isEqualTo(401);
        assertThat(me.browser().post("/api/keys", "{\"name\":\"again\"}").statusCode()).isEqualTo(401);
    }

    @Test
    void theChartsDaysAreUtcDaysWhateverTheZoneOfTheGateway() throws Exception {
        // the test JVM runs in Asia/Kolkata (pom.xml): 23:50 UTC is already the next day there
        assertThat(TimeZone.getDefault().getRawOffset()).as("the tests' JVM zone").isNotZero();
        Person me = person("10");
        assertThat(post("/v1/chat/completions", chat("chat", ""), me.key()).statusCode()).isEqualTo(200);
        awaitSettled(me.accountId());
        LocalDate yesterday = LocalDate.now(ZoneOffset.UTC).minusDays(1);
        jdbc.update("UPDATE usage_records SET created_at = ? WHERE account_id = ?",
                Timestamp.from(yesterday.atTime(23, 50).toInstant(ZoneOffset.UTC)), me.accountId());
        JsonNode spend = me.browser().json("/api/spend?days=30");
        assertThat(spend.path("data")).hasSize(1);
        assertThat(spend.path("data").get(0).path("date").asText()).isEqualTo(yesterday.toString());
        JsonNode daily = JSON.readTree(get("/v1/usage", me.key()).body()).path("daily");
        assertThat(daily).hasSize(1);
        assertThat(daily.get(0).path("date").asText()).isEqualTo(yesterday.toString());
    }

    @Test
    void tabsOpeningLiveStreamsAtOnceCannotPassTheAccountsBound() throws Exception {
        Person me = person("1");
        List<CompletableFuture<HttpResponse<InputStream>>> opening = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            opening.add(me.browser().sendAsync(me.browser().request("/api/usage/stream").header("Accept", "text/event-stream")
                    .GET(), HttpResponse.BodyHandlers.ofInputStream()));
        }
        List<HttpResponse<InputStream>> opened = opening.stream().map(CompletableFuture::join).toList();
        try {
            // live-streams-per-account is 10
            assertThat(opened.stream().filter(r -> r.statusCode() == 200).count()).isEqualTo(10);
            assertThat(opened.stream().filter(r -> r.statusCode() == 429).count()).isEqualTo(6);
        } finally {
            for (HttpResponse<InputStream> response : opened) {
                response.body().close();
            }
        }
    }

    @Test
    void theCsvExportReadsEveryRowOnceAcrossItsChunks() throws Exception {
        Person me = person("10");
        assertThat(post("/v1/chat/completions", chat("chat", ""), me.key()).statusCode()).isEqualTo(200);
        awaitSettled(me.accountId());
        // 2,499 more rows like the real one (at no cost: the ledger stays as it was): the export reads
        // them in chunks of 1,000
        String original = jdbc.queryForObject("SELECT request_id FROM usage_records WHERE account_id = ?", String.class,
                me.accountId());
        List<Object[]> copies = new ArrayList<>();
        for (int i = 0; i < 2499; i++) {
            copies.add(new Object[] {"req_csv_" + me.accountId().substring(5) + "_" + i, original});
        }
        jdbc.batchUpdate("""
                INSERT INTO usage_records (request_id, account_id, key_id, created_at, model, backend, provider, upstream_model,
                  prompt_tokens, completion_tokens, cached_tokens, tokens_estimated, cost, streamed, cancelled, finish_reason,
                  status, latency_ms)
                SELECT ?, account_id, key_id, created_at, model, backend, provider, upstream_model, prompt_tokens,
                  completion_tokens, cached_tokens, tokens_estimated, 0, streamed, cancelled, finish_reason, status, latency_ms
                FROM usage_records WHERE request_id = ?""", copies);
        HttpResponse<String> csv = me.browser().get("/api/usage.csv");
        assertThat(csv.statusCode()).isEqualTo(200);
        String[] lines = csv.body().split("\r\n");
        assertThat(lines).hasSize(2501);
        Set<String> ids = new HashSet<>();
        for (int i = 1; i < lines.length; i++) {
            ids.add(lines[i].split(",")[1]);
        }
        assertThat(ids).hasSize(2500);
        // newest first: the last copy inserted heads the export
        assertThat(lines[1].split(",")[1]).endsWith("_2498");
    }

    /** Settlement runs off the response path: waits until the account holds nothing. */
    private void awaitSettled(String accountId) throws Exception {
        long deadline = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < deadline) {
            if (JSON.readTree(admin("GET", "/admin/accounts/" + accountId, null).body()).path("held").decimalValue().signum() == 0) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the requests of " + accountId + " were not settled within 10 s");
    }

    private static String param(HttpResponse<String> response) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        return JSON.readTree(response.body()).path("error").path("param").asText();
    }
}
