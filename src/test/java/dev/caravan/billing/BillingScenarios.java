package dev.caravan.billing;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import dev.caravan.auth.Caller;
import dev.caravan.metering.TokenUsage;
import dev.caravan.metering.UsageRecord;
import dev.caravan.support.GatewayTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Money through real HTTP: accounts, keys, credits, holds, settlement and the caller's views. Runs
 * once per database (subclasses): the assertions check the ledger in the database itself.
 */
abstract class BillingScenarios extends GatewayTest {

    /** What one request to model {@code chat} costs: 11 x $2.50/M + 7 x $10.00/M. */
    static final BigDecimal CHAT_COST = new BigDecimal("0.0000975");

    @Autowired
    JdbcTemplate jdbc;

    @Test
    void anAccountToppedUpSpendsFromTwoKeysAndSeesEveryChargeInItsHistory() throws Exception {
        String account = createAccount("Ada");
        assertThat(addCredits(account, "10.00", "purchase-1").statusCode()).isEqualTo(200);
        String first = newKey(account, "{\"name\":\"backend\"}");
        String second = newKey(account, "{\"name\":\"batch jobs\"}");

        HttpResponse<String> one = post("/v1/chat/completions", chat("chat", ""), first);
        HttpResponse<String> two = post("/v1/chat/completions", chat("chat", ""), second);
        HttpResponse<String> three = post("/v1/chat/completions", chat("chat", ""), second);
        assertThat(List.of(one.statusCode(), two.statusCode(), three.statusCode())).containsOnly(200);
        awaitSettled(account);

        JsonNode credits = json(get("/v1/credits", first)).path("data");
        assertThat(credits.path("total_credits").decimalValue()).isEqualByComparingTo("10");
        assertThat(credits.path("total_usage").decimalValue()).isEqualByComparingTo(CHAT_COST.multiply(BigDecimal.valueOf(3)));
        assertThat(credits.path("balance").decimalValue())
                .isEqualByComparingTo(new BigDecimal("10").subtract(CHAT_COST.multiply(BigDecimal.valueOf(3))));
        assertThat(credits.path("held").decimalValue()).isEqualByComparingTo("0");

        JsonNode secondKey = json(get("/v1/key", second)).path("data");
        assertThat(secondKey.path("label").asText()).isEqualTo("batch jobs");
        assertThat(secondKey.path("spent").decimalValue()).isEqualByComparingTo(CHAT_COST.multiply(BigDecimal.TWO));
        assertThat(secondKey.toString()).doesNotContain(second);

        String requestId = one.headers().firstValue("X-Request-Id").orElseThrow();
        JsonNode generation = json(get("/v1/generation?id=" + requestId, first)).path("data");
        assertThat(generation.path("id").asText()).isEqualTo(requestId);
        assertThat(generation.path("model").asText()).isEqualTo("chat");
        assertThat(generation.path("backend").asText()).isEqualTo("fake/ok");
        assertThat(generation.path("prompt_tokens").asLong()).isEqualTo(11);
        assertThat(generation.path("completion_tokens").asLong()).isEqualTo(7);
        assertThat(generation.path("cost").decimalValue()).isEqualByComparingTo(CHAT_COST);
        assertThat(generation.path("streamed").asBoolean()).isFalse();
        assertThat(generation.path("cancelled").asBoolean()).isFalse();
        assertThat(generation.path("finish_reason").asText()).isEqualTo("stop");
        assertThat(generation.path("latency_ms").asLong()).isNotNegative();
        // another account's key cannot read it
        assertThat(get("/v1/generation?id=" + requestId, apiKey()).statusCode()).isEqualTo(404);

        JsonNode page = json(get("/v1/usage?limit=2", first));
        assertThat(page.path("data")).hasSize(2);
        assertThat(page.path("has_more").asBoolean()).isTrue();
        JsonNode rest = json(get("/v1/usage?limit=2&cursor=" + page.path("next_cursor").asText(), first));
        assertThat(rest.path("data")).hasSize(1);
        assertThat(rest.path("has_more").asBoolean()).isFalse();
        assertThat(rest.path("data").get(0).path("id").asText()).isEqualTo(requestId);
        JsonNode day = page.path("daily").get(0);
        assertThat(day.path("requests").asLong()).isEqualTo(3);
        assertThat(day.path("cost").decimalValue()).isEqualByComparingTo(CHAT_COST.multiply(BigDecimal.valueOf(3)));
        String secondKeyId = secondKey.path("id").asText();
        assertThat(json(get("/v1/usage?key_id=" + secondKeyId, first)).path("data")).hasSize(2);
        assertThat(json(get("/v1/usage?model=other", first)).path("data")).isEmpty();
        assertThat(json(get("/v1/usage?from=2000-01-01&to=2000-01-02", first)).path("data")).isEmpty();

        JsonNode adminView = json(admin("GET", "/admin/accounts/" + account, null));
        assertThat(adminView.path("balance").decimalValue()).isEqualByComparingTo(credits.path("balance").decimalValue());
        assertThat(json(admin("GET", "/admin/accounts/" + account + "/keys", null)).path("data")).hasSize(2);
        assertThat(json(admin("GET", "/admin/accounts/" + account + "/usage", null)).path("data")).hasSize(3);
        assertLedgerBalances(account);
    }

    @Test
    void aRevokedKeyIsRefusedOnItsNextRequestWhileTheOtherKeyGoesOn() throws Exception {
        TestAccount account = newAccount("1");
        String other = newKey(account.id(), "{\"name\":\"other\"}");
        assertThat(post("/v1/chat/completions", chat("chat", ""), account.key()).statusCode()).isEqualTo(200);
        String keyId = keyId(account.key());

        JsonNode revoked = json(admin("DELETE", "/admin/keys/" + keyId, null));
        assertThat(revoked.path("revoked_at").isTextual()).isTrue();

        HttpResponse<String> refused = post("/v1/chat/completions", chat("chat", ""), account.key());
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(json(refused).path("error").path("message").asText()).contains("revoked");
        assertThat(get("/v1/credits", account.key()).statusCode()).isEqualTo(401);
        assertThat(post("/v1/chat/completions", chat("chat", ""), other).statusCode()).isEqualTo(200);
    }

    @Test
    void refusesMissingUnknownAndExpiredKeys() throws Exception {
        HttpResponse<String> missing = HTTP.send(HttpRequest.newBuilder(URI.create(url("/v1/chat/completions")))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(chat("chat", ""))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(missing.statusCode()).isEqualTo(401);
        assertThat(json(missing).path("error").path("code").asText()).isEqualTo("invalid_api_key");
        assertThat(post("/v1/chat/completions", chat("chat", ""), "cvn-not-a-real-key").statusCode()).isEqualTo(401);

        TestAccount account = newAccount("1");
        String expired = newKey(account.id(), "{\"name\":\"old\",\"expires_at\":\"2020-01-01T00:00:00Z\"}");
        HttpResponse<String> refused = post("/v1/chat/completions", chat("chat", ""), expired);
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(json(refused).path("error").path("message").asText()).contains("expired");
    }

    @Test
    void limitsAKeyToItsRequestsPerMinute() throws Exception {
        TestAccount account = newAccount("1");
        String limited = newKey(account.id(), "{\"name\":\"slow lane\",\"rpm_limit\":2}");

        assertThat(post("/v1/chat/completions", chat("chat", ""), limited).statusCode()).isEqualTo(200);
        assertThat(post("/v1/chat/completions", chat("chat", ""), limited).statusCode()).isEqualTo(200);
        HttpResponse<String> third = post("/v1/chat/completions", chat("chat", ""), limited);

        assertThat(third.statusCode()).isEqualTo(429);
        assertThat(third.headers().firstValue("Retry-After")).hasValueSatisfying(v -> assertThat(Long.parseLong(v)).isBetween(1L, 60L));
        assertThat(json(third).path("error").path("type").asText()).isEqualTo("rate_limit_error");
    }

    @Test
    void refusesAKeyOverItsSpendLimitSayingWhichLimit() throws Exception {
        TestAccount account = newAccount("10");
        // each request holds ~$0.000125 (prompt + 10 tokens at $10/M) and costs $0.0000975:
        // the limit covers two, then what is left no longer covers a useful answer
        String capped = newKey(account.id(), "{\"name\":\"capped\",\"spend_limit\":0.0003}");

        HttpResponse<String> first = post("/v1/chat/completions", chat("chat", "\"max_tokens\":10"), capped);
        assertThat(first.statusCode()).isEqualTo(200);
        awaitSettled(account.id());
        HttpResponse<String> second = post("/v1/chat/completions", chat("chat", "\"max_tokens\":10"), capped);
        assertThat(second.statusCode()).isEqualTo(200);
        awaitSettled(account.id());

        HttpResponse<String> refused = post("/v1/chat/completions", chat("chat", "\"max_tokens\":10"), capped);
        assertThat(refused.statusCode()).isEqualTo(402);
        assertThat(json(refused).path("error").path("code").asText()).isEqualTo("key_spend_limit_reached");
        assertThat(json(refused).path("error").path("message").asText()).contains("key");
    }

    @Test
    void capsMaxTokensToWhatTheBalanceCoversAndSaysSo() throws Exception {
        // $0.002 covers the prompt plus ~190 output tokens at $10/M, not the 4096 the model allows
        TestAccount account = newAccount("0.002");

        HttpResponse<String> response = post("/v1/chat/completions", chat("chat", ""), account.key());

        assertThat(response.statusCode()).isEqualTo(200);
        long capped = Long.parseLong(response.headers().firstValue("X-Caravan-Max-Tokens-Capped").orElseThrow());
        assertThat(capped).isBetween(150L, 200L);
        assertThat(UPSTREAM.lastRequestFor("ok").body().path("max_tokens").asLong()).isEqualTo(capped);
        awaitSettled(account.id());
        assertLedgerBalances(account.id());
    }

    @Test
    void refusesWith402WhenNotEvenAShortAnswerFitsSayingWhatWouldFit() throws Exception {
        TestAccount account = newAccount("0.0001");

        HttpResponse<String> refused = post("/v1/chat/completions", chat("chat", "\"max_tokens\":1000"), account.key());

        assertThat(refused.statusCode()).isEqualTo(402);
        JsonNode error = json(refused).path("error");
        assertThat(error.path("code").asText()).isEqualTo("insufficient_credits");
        assertThat(error.path("message").asText()).contains("needs up to $", "has $0.0001 available", "max_tokens of at most");
        assertThat(countRows("usage_records", account.id())).isZero();
        assertThat(countRows("holds", account.id())).isZero();
    }

    @Test
    void keepsTheLedgerExactAcrossPlainStreamedFailedAndAbortedRequests() throws Exception {
        TestAccount account = newAccount("5");
        String key = account.key();

        assertThat(post("/v1/chat/completions", chat("chat", ""), key).statusCode()).isEqualTo(200);
        assertThat(post("/v1/chat/completions", chat("cached-chat", ""), key).statusCode()).isEqualTo(200);
        readStream(key, chat("chat", "\"stream\":true"), Integer.MAX_VALUE);
        readStream(key, chat("cut", "\"stream\":true"), Integer.MAX_VALUE);
        assertThat(post("/v1/chat/completions", chat("err-500", ""), key).statusCode()).isEqualTo(502);
        assertThat(post("/v1/chat/completions", chat("unreachable", ""), key).statusCode()).isEqualTo(502);
        assertThat(post("/v1/embeddings", "{\"model\":\"embed\",\"input\":\"x\"}", key).statusCode()).isEqualTo(200);
        readStream(key, chat("endless", "\"stream\":true"), 3);
        awaitSettled(account.id());

        List<Map<String, Object>> usage = jdbc.queryForList(
                "SELECT model, cost, cancelled, finish_reason, streamed FROM usage_records WHERE account_id = ?", account.id());
        // failed requests that produced nothing are not charged and leave no usage row
        assertThat(usage).extracting(row -> row.get("model"))
                .containsExactlyInAnyOrder("chat", "cached-chat", "chat", "cut", "embed", "endless");
        Map<String, Object> aborted = usage.stream().filter(r -> r.get("model").equals("endless")).findFirst().orElseThrow();
        assertThat((Boolean) aborted.get("cancelled")).isTrue();
        assertThat((BigDecimal) aborted.get("cost")).isPositive();
        Map<String, Object> cut = usage.stream().filter(r -> r.get("model").equals("cut")).findFirst().orElseThrow();
        assertThat(cut.get("finish_reason")).isEqualTo("error");
        assertThat((BigDecimal) cut.get("cost")).isPositive();
        assertLedgerBalances(account.id());
    }

    @Test
    void aSettlementDeliveredTwiceChargesOnce() throws Exception {
        TestAccount account = newAccount("1");
        HttpResponse<String> response = post("/v1/chat/completions", chat("chat", ""), account.key());
        awaitSettled(account.id());
        String requestId = response.headers().firstValue("X-Request-Id").orElseThrow();
        BigDecimal balance = balance(account.id());
        Map<String, Object> row = jdbc.queryForMap("SELECT * FROM usage_records WHERE request_id = ?", requestId);

        UsageRecord again = new UsageRecord(requestId, account.id(), (String) row.get("key_id"), Instant.now(), "chat",
                "fake/ok", "fake", "ok", new TokenUsage(11, 7, 0, false), CHAT_COST, false, false, "stop", 200, 5, List.of());
        // twice in one batch, and once more on its own (a retried batch)
        assertThat(ledger.settle(List.of(again, again))).isEmpty();
        assertThat(ledger.settle(List.of(again))).isEmpty();

        assertThat(balance(account.id())).isEqualByComparingTo(balance);
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM usage_records WHERE request_id = ?", Integer.class, requestId))
                .isEqualTo(1);
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM ledger_entries WHERE request_id = ?", Integer.class, requestId))
                .isZero(); // the usage row is the debit
        assertLedgerBalances(account.id());
    }

    @Test
    void aBatchChargesEachRequestAtMostItsHoldAndRecordsTheRestAsUncollected() throws Exception {
        TestAccount account = newAccount("1");
        String keyId = keyId(account.key());
        String prefix = "req_batch" + System.nanoTime();
        hold(prefix + "a", account.id(), keyId, "0.40");
        hold(prefix + "b", account.id(), keyId, "0.40");

        // a and b cost more than they held: the hold is what they could ask for, so it is what they pay;
        // c has no hold (one a database lost): it pays what the account has left, never more
        List<Ledger.Settled> settled = ledger.settle(List.of(
                usage(prefix + "a", account.id(), keyId, "0.60"),
                usage(prefix + "b", account.id(), keyId, "0.50"),
                usage(prefix + "c", account.id(), keyId, "0.30")));

        assertThat(settled).extracting(Ledger.Settled::charged).usingElementComparator(BigDecimal::compareTo)
                .containsExactly(new BigDecimal("0.40"), new BigDecimal("0.40"), new BigDecimal("0.20"));
        assertThat(jdbc.queryForList("SELECT uncollected FROM usage_records WHERE account_id = ? ORDER BY request_id",
                BigDecimal.class, account.id())).usingElementComparator(BigDecimal::compareTo)
                .containsExactly(new BigDecimal("0.20"), new BigDecimal("0.10"), new BigDecimal("0.10"));
        assertThat(balance(account.id())).isZero();
        assertThat(jdbc.queryForObject("SELECT held FROM accounts WHERE id = ?", BigDecimal.class, account.id())).isZero();
        assertThat(jdbc.queryForObject("SELECT held FROM api_keys WHERE id = ?", BigDecimal.class, keyId)).isZero();
        assertThat(jdbc.queryForObject("SELECT spent FROM api_keys WHERE id = ?", BigDecimal.class, keyId))
                .isEqualByComparingTo("1");
        assertThat(jdbc.queryForList("SELECT balance_after FROM usage_records WHERE account_id = ? ORDER BY seq",
                BigDecimal.class, account.id())).usingElementComparator(BigDecimal::compareTo)
                .containsExactly(new BigDecimal("0.60"), new BigDecimal("0.20"), BigDecimal.ZERO);
        assertThat(countRows("holds", account.id())).isZero();
        assertLedgerBalances(account.id());
        // the operator sees it: per account, and per backend in the metrics
        assertThat(json(admin("GET", "/admin/accounts/" + account.id(), null)).path("total_uncollected").decimalValue())
                .isEqualByComparingTo("0.40");
        assertThat(meters.get("caravan.billing.uncollected.usd").tag("backend", "fake/ok").counter().count())
                .isGreaterThanOrEqualTo(0.40);
        JsonNode row = json(get("/v1/generation?id=" + prefix + "a", account.key())).path("data");
        assertThat(row.path("cost").decimalValue()).isEqualByComparingTo("0.40");
        assertThat(row.path("uncollected").decimalValue()).isEqualByComparingTo("0.20");
        assertThat(row.path("settlement").asText()).isEqualTo("metered");
    }

    @Test
    void aRequestTheDatabaseRefusesGoesToTheDeadLettersWithItsHoldWhileTheRestOfItsBatchSettles() throws Exception {
        TestAccount account = newAccount("1");
        String keyId = keyId(account.key());
        String prefix = "req_poison" + System.nanoTime();
        hold(prefix + "a", account.id(), keyId, "0.10");
        hold(prefix + "b", account.id(), keyId, "0.10");
        hold(prefix + "c", account.id(), keyId, "0.10");
        String missingKey = "key_gone" + System.nanoTime();
        List<UsageRecord> batch = List.of(
                usage(prefix + "a", account.id(), keyId, "0.05"),
                usage(prefix + "b", account.id(), missingKey, "0.05"), // refused: no such key
                usage(prefix + "c", account.id(), keyId, "0.05"));

        assertThat(ledger.settle(batch)).extracting(settled -> settled.usage().requestId())
                .containsExactly(prefix + "a", prefix + "c");
        // delivered again (a retry): nothing changes, nothing is charged twice
        assertThat(ledger.settle(batch)).isEmpty();

        assertThat(jdbc.queryForList("SELECT request_id FROM usage_records WHERE account_id = ?", String.class, account.id()))
                .containsExactlyInAnyOrder(prefix + "a", prefix + "c");
        assertThat(balance(account.id())).isEqualByComparingTo("0.90");
        // b's money stays held, never lost, and the sweeper leaves it alone
        assertThat(jdbc.queryForList("SELECT request_id FROM holds WHERE account_id = ?", String.class, account.id()))
                .containsExactly(prefix + "b");
        jdbc.update("UPDATE holds SET created_at = ? WHERE request_id = ?",
                java.sql.Timestamp.from(Instant.now().minusSeconds(7200)), prefix + "b");
        sweeper().settleOlderThan(Instant.now().minusSeconds(3600));
        assertThat(countRows("holds", account.id())).isOne();
        JsonNode deadLetters = json(admin("GET", "/admin/dead-letters", null)).path("data");
        assertThat(deadLetters.findValuesAsText("request_id")).contains(prefix + "b");
        assertThat(admin("POST", "/admin/dead-letters/" + prefix + "b/retry", null).statusCode()).isEqualTo(409);
        // what no dead letter can be: a clear answer, never a database error
        assertThat(admin("POST", "/admin/dead-letters/" + "x".repeat(300) + "/retry", null).statusCode()).isEqualTo(404);
        assertThat(admin("POST", "/admin/dead-letters/req_never/retry", null).statusCode()).isEqualTo(404);
        assertThat(admin("GET", "/admin/dead-letters?limit=abc", null).statusCode()).isEqualTo(400);
        assertThat(admin("GET", "/admin/dead-letters?limit=0", null).statusCode()).isEqualTo(400);

        // the operator fixes the cause (here: the key the record names), then settles it again
        jdbc.update("""
                INSERT INTO api_keys (id, account_id, name, prefix, key_hash, created_at)
                VALUES (?, ?, 'restored', 'cvn-x', ?, CURRENT_TIMESTAMP)""", missingKey, account.id(),
                "%064d".formatted(System.nanoTime()));
        jdbc.update("UPDATE holds SET key_id = ? WHERE request_id = ?", missingKey, prefix + "b");
        jdbc.update("UPDATE api_keys SET held = held - 0.10 WHERE id = ?", keyId);
        jdbc.update("UPDATE api_keys SET held = held + 0.10 WHERE id = ?", missingKey);
        HttpResponse<String> retried = admin("POST", "/admin/dead-letters/" + prefix + "b/retry", null);
        assertThat(retried.statusCode()).as(retried.body()).isEqualTo(200);
        assertThat(json(admin("GET", "/admin/dead-letters", null)).path("data").findValuesAsText("request_id"))
                .doesNotContain(prefix + "b");
        assertThat(balance(account.id())).isEqualByComparingTo("0.85");
        assertThat(countRows("holds", account.id())).isZero();
        assertLedgerBalances(account.id());
    }

    @Test
    void holdsOfConcurrentRequestsShareTransactions() throws Exception {
        TestAccount account = newAccount("1000");
        String keyId = keyId(account.key());
        Caller caller = new Caller(keyId, account.id(), "test", null, null, null);
        double transactionsBefore = holdTransactions();
        int threads = 64;
        int each = 10;
        java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
        List<java.util.concurrent.Future<Boolean>> held = new ArrayList<>();
        try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            for (int t = 0; t < threads; t++) {
                String prefix = "req_concurrent" + System.nanoTime() + "_" + t + "_";
                held.add(pool.submit(() -> {
                    start.await();
                    boolean all = true;
                    for (int i = 0; i < each; i++) {
                        all &= holdBatcher.hold(caller, prefix + i, "chat", new BigDecimal("0.01"));
                    }
                    return all;
                }));
            }
            start.countDown();
            for (var result : held) {
                assertThat(result.get()).isTrue();
            }
        }

        assertThat(countRows("holds", account.id())).isEqualTo(threads * each);
        assertThat(jdbc.queryForObject("SELECT held FROM accounts WHERE id = ?", BigDecimal.class, account.id()))
                .isEqualByComparingTo(new BigDecimal("0.01").multiply(BigDecimal.valueOf(threads * each)));
        assertThat(jdbc.queryForObject("SELECT held FROM api_keys WHERE id = ?", BigDecimal.class, keyId))
                .isEqualByComparingTo(new BigDecimal("0.01").multiply(BigDecimal.valueOf(threads * each)));
        assertThat(holdTransactions() - transactionsBefore).as("hold transactions for %d holds", threads * each)
                .isLessThan(threads * each);
    }

    @Test
    void aBatchOfHoldsTakesWhatEachKeyAndAccountCoversAndLeavesTheRestToBeTriedAlone() throws Exception {
        TestAccount account = newAccount("1");
        String open = keyId(account.key());
        String limited = keyId(newKey(account.id(), "{\"name\":\"limited\",\"spend_limit\":0.30}"));
        String revoked = keyId(newKey(account.id(), "{\"name\":\"revoked\"}"));
        jdbc.update("UPDATE api_keys SET revoked_at = ? WHERE id = ?", java.sql.Timestamp.from(Instant.now()), revoked);
        TestAccount poor = newAccount("0.50");
        String poorKey = keyId(poor.key());
        String prefix = "req_together" + System.nanoTime();

        List<Boolean> held = holdBatcher.holdTogether(List.of(
                new HoldBatcher.Request(new Caller(open, account.id(), "open", null, null, null), prefix + "a", "chat", new BigDecimal("0.20")),
                // together over the key's limit of 0.30, though each alone would fit
                new HoldBatcher.Request(new Caller(limited, account.id(), "limited", null, null, null), prefix + "b", "chat", new BigDecimal("0.20")),
                new HoldBatcher.Request(new Caller(limited, account.id(), "limited", null, null, null), prefix + "c", "chat", new BigDecimal("0.20")),
                new HoldBatcher.Request(new Caller(revoked, account.id(), "revoked", null, null, null), prefix + "d", "chat", new BigDecimal("0.10")),
                // together over what the account has
                new HoldBatcher.Request(new Caller(poorKey, poor.id(), "poor", null, null, null), prefix + "e", "chat", new BigDecimal("0.30")),
                new HoldBatcher.Request(new Caller(poorKey, poor.id(), "poor", null, null, null), prefix + "f", "chat", new BigDecimal("0.30"))));

        assertThat(held).containsExactly(true, false, false, false, false, false);
        assertThat(jdbc.queryForList("SELECT request_id FROM holds WHERE account_id IN (?, ?)", String.class,
                account.id(), poor.id())).containsExactly(prefix + "a");
        assertThat(jdbc.queryForObject("SELECT held FROM accounts WHERE id = ?", BigDecimal.class, account.id()))
                .isEqualByComparingTo("0.20");
        assertThat(jdbc.queryForObject("SELECT held FROM accounts WHERE id = ?", BigDecimal.class, poor.id())).isZero();
        for (String key : List.of(limited, revoked, poorKey)) {
            assertThat(jdbc.queryForObject("SELECT held FROM api_keys WHERE id = ?", BigDecimal.class, key)).isZero();
        }
        assertThat(jdbc.queryForObject("SELECT held FROM api_keys WHERE id = ?", BigDecimal.class, open))
                .isEqualByComparingTo("0.20");
    }

    @Test
    void aHoldTheDatabaseRefusesFailsOnlyItsOwnRequestNotTheOthersHeldWithIt() throws Exception {
        TestAccount account = newAccount("10");
        Caller caller = new Caller(keyId(account.key()), account.id(), "test", null, null, null);
        String bad = "req_" + "x".repeat(60); // longer than holds.request_id: the row the database refuses
        String prefix = "req_mates" + System.nanoTime() + "_";
        java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
        List<java.util.concurrent.Future<Boolean>> good = new ArrayList<>();
        java.util.concurrent.Future<Boolean> refused;
        try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            refused = pool.submit(() -> {
                start.await();
                // in a batch: not held; the reserve step then holds it alone, which the database refuses
                return holdBatcher.hold(caller, bad, "chat", new BigDecimal("0.01"))
                        || holdBatcher.holdTogether(List.of(new HoldBatcher.Request(caller, bad, "chat", new BigDecimal("0.01")))).get(0);
            });
            for (int i = 0; i < 30; i++) {
                String requestId = prefix + i;
                good.add(pool.submit(() -> {
                    start.await();
                    return holdBatcher.hold(caller, requestId, "chat", new BigDecimal("0.01"))
                            || holdBatcher.holdTogether(List.of(new HoldBatcher.Request(caller, requestId, "chat",
                            new BigDecimal("0.01")))).get(0);
                }));
            }
            start.countDown();
            for (var each : good) {
                assertThat(each.get()).isTrue();
            }
            assertThatThrownBy(refused::get).hasCauseInstanceOf(org.springframework.dao.DataIntegrityViolationException.class);
        }
        assertThat(countRows("holds", account.id())).isEqualTo(30);
        assertThat(jdbc.queryForObject("SELECT held FROM accounts WHERE id = ?", BigDecimal.class, account.id()))
                .isEqualByComparingTo("0.30");
    }

    @Test
    void aTopUpRepeatedWithTheSameIdempotencyKeyCreditsOnce() throws Exception {
        String account = createAccount("Grace");

        HttpResponse<String> first = addCredits(account, "25.50", "order-77");
        HttpResponse<String> repeat = addCredits(account, "25.50", "order-77");
        HttpResponse<String> conflicting = addCredits(account, "30", "order-77");

        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(repeat.statusCode()).isEqualTo(200);
        assertThat(json(repeat).path("repeated").asBoolean()).isTrue();
        assertThat(json(repeat).path("id").asText()).isEqualTo(json(first).path("id").asText());
        assertThat(conflicting.statusCode()).isEqualTo(409);
        assertThat(balance(account)).isEqualByComparingTo("25.50");
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM ledger_entries WHERE account_id = ?", Integer.class, account))
                .isEqualTo(1);
    }

    @Test
    void aHoldWhoseSettlementNeverCameIsChargedItsHeldAmountAndMarked() throws Exception {
        TestAccount account = newAccount("1");
        String keyId = keyId(account.key());
        String requestId = "req_stale" + System.nanoTime();
        hold(requestId, account.id(), keyId, "0.25", Instant.now().minusSeconds(7200));

        sweeper().settleOlderThan(Instant.now().minusSeconds(3600));

        assertThat(countRows("holds", account.id())).isZero();
        assertThat(jdbc.queryForObject("SELECT held FROM accounts WHERE id = ?", BigDecimal.class, account.id())).isZero();
        assertThat(balance(account.id())).isEqualByComparingTo("0.75");
        Map<String, Object> row = jdbc.queryForMap("SELECT * FROM usage_records WHERE request_id = ?", requestId);
        assertThat(row.get("settlement")).isEqualTo(Ledger.HOLD_TIMEOUT);
        assertThat((BigDecimal) row.get("cost")).isEqualByComparingTo("0.25");
        assertThat(row.get("model")).isEqualTo("chat");
        assertLedgerBalances(account.id());
    }

    @Test
    void theHoldsOfAnInstanceThatStoppedRenewingItsLeaseAreSettledAtTheHeldAmountOnce() throws Exception {
        TestAccount account = newAccount("1");
        String keyId = keyId(account.key());
        String dead = "gw_dead" + System.nanoTime();
        jdbc.update("INSERT INTO gateway_instances (id, started_at, heartbeat_at) VALUES (?, ?, ?)", dead,
                java.sql.Timestamp.from(Instant.now().minusSeconds(600)), java.sql.Timestamp.from(Instant.now().minusSeconds(300)));
        String orphan = "req_orphan" + System.nanoTime();
        String mine = "req_alive" + System.nanoTime();
        hold(orphan, account.id(), keyId, "0.30");
        jdbc.update("UPDATE holds SET instance_id = ? WHERE request_id = ?", dead, orphan);
        hold(mine, account.id(), keyId, "0.20"); // this instance's own, renewed lease: left alone

        sweeper().settleOrphans();
        // the dead instance's real settlement arrives late after all (it was only cut off): not charged twice
        assertThat(ledger.settle(List.of(usage(orphan, account.id(), keyId, "0.01")))).isEmpty();

        assertThat(jdbc.queryForList("SELECT request_id FROM holds WHERE account_id = ?", String.class, account.id()))
                .containsExactly(mine);
        Map<String, Object> row = jdbc.queryForMap("SELECT * FROM usage_records WHERE request_id = ?", orphan);
        assertThat(row.get("settlement")).isEqualTo(Ledger.ORPHANED_HOLD);
        assertThat((BigDecimal) row.get("cost")).isEqualByComparingTo("0.30");
        assertThat(balance(account.id())).isEqualByComparingTo("0.70");
        ledger.settle(List.of(usage(mine, account.id(), keyId, "0.05")));
        assertThat(balance(account.id())).isEqualByComparingTo("0.65");
        assertLedgerBalances(account.id());
    }

    @Test
    void twoHundredRequestsReleasedTogetherNeverSpendMoreThanTheCredit() throws Exception {
        // $0.005 covers 51 answers at $0.0000975, but only a few worst-case holds at a time
        TestAccount account = newAccount("0.005");
        List<String> gateways = gatewayBaseUrls();
        int requests = 200;
        java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
        List<java.util.concurrent.Future<HttpResponse<String>>> futures = new ArrayList<>();
        try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < requests; i++) {
                String base = gateways.get(i % gateways.size());
                futures.add(pool.submit(() -> {
                    start.await();
                    return HTTP.send(HttpRequest.newBuilder(URI.create(base + "/v1/chat/completions"))
                            .header("Content-Type", "application/json").header("Authorization", "Bearer " + account.key())
                            .POST(HttpRequest.BodyPublishers.ofString(chat("chat", "\"max_tokens\":100"))).build(),
                            HttpResponse.BodyHandlers.ofString());
                }));
            }
            start.countDown();
        }
        List<HttpResponse<String>> responses = new ArrayList<>();
        for (var future : futures) {
            responses.add(future.get());
        }
        awaitSettled(account.id());

        List<Integer> statuses = statuses(responses);
        long admitted = statuses.stream().filter(s -> s == 200).count();
        assertThat(statuses).containsOnly(200, 402);
        assertThat(admitted).isPositive().isLessThan(requests);
        List<BigDecimal> charges = jdbc.queryForList("SELECT cost FROM usage_records WHERE account_id = ?",
                BigDecimal.class, account.id());
        // every admitted request was covered by its hold and charged in full, exactly once
        assertThat(charges).hasSize((int) admitted).allSatisfy(c -> assertThat(c).isEqualByComparingTo(CHAT_COST));
        assertThat(charges.stream().reduce(BigDecimal.ZERO, BigDecimal::add)).isLessThanOrEqualTo(new BigDecimal("0.005"));
        assertThat(jdbc.queryForObject("SELECT held FROM api_keys WHERE account_id = ?", BigDecimal.class, account.id()))
                .isZero();
        assertLedgerBalances(account.id());
    }

    @Test
    void everyAnswerDeliveredBeforeOrDuringADatabaseOutageIsChargedOnceAfterItAndNewRequestsAreRefusedWith503()
            throws Exception {
        TestAccount account = newAccount("10");
        String unusedKey = newKey(account.id(), "{\"name\":\"first used during the outage\"}");
        // in flight when the database goes: slow streams and slow plain answers, their holds already made
        List<java.util.concurrent.Future<Delivered>> inFlight = new ArrayList<>();
        try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 4; i++) {
                inFlight.add(pool.submit(() -> deliveredStream(account.key(),
                        chat("slow", "\"stream\":true,\"stream_options\":{\"include_usage\":true}"))));
                inFlight.add(pool.submit(() -> delivered(post("/v1/chat/completions",
                        chat("unhedged", "\"provider\":{\"only\":[\"lagging\"]}"), account.key()))));
            }
            awaitHolds(account.id(), inFlight.size());
            long outageStarted = System.nanoTime();
            databaseDown();
            List<Delivered> answers = new ArrayList<>();
            List<Integer> duringOutage = new ArrayList<>();
            try {
                // new requests fail closed: 503, never a 401 (the unknown key) or a 500
                duringOutage.add(post("/v1/chat/completions", chat("chat", ""), account.key()).statusCode());
                duringOutage.add(post("/v1/chat/completions", chat("chat", ""), unusedKey).statusCode());
                duringOutage.add(get("/v1/credits", account.key()).statusCode());
                for (var answer : inFlight) {
                    answers.add(answer.get());
                }
                // longer than the 6 s settlement used to retry before it dropped a batch
                long wait = java.time.Duration.ofSeconds(10).toMillis()
                        - java.time.Duration.ofNanos(System.nanoTime() - outageStarted).toMillis();
                Thread.sleep(Math.max(0, wait));
                assertThat(meters.get("caravan.billing.settlement.waiting").gauge().value()).isPositive();
            } finally {
                databaseUp();
            }
            assertThat(duringOutage).containsOnly(503);

            awaitSettled(account.id(), 60_000);
            BigDecimal delivered = BigDecimal.ZERO;
            for (Delivered answer : answers) {
                List<Map<String, Object>> rows = jdbc.queryForList(
                        "SELECT cost, settlement FROM usage_records WHERE request_id = ?", answer.requestId());
                assertThat(rows).as("usage of %s", answer.requestId()).hasSize(1);
                assertThat((BigDecimal) rows.get(0).get("cost")).isEqualByComparingTo(answer.cost());
                assertThat(rows.get(0).get("settlement")).isEqualTo(Ledger.METERED);
                delivered = delivered.add(answer.cost());
            }
            assertThat(countRows("usage_records", account.id())).isEqualTo(answers.size());
            assertThat(balance(account.id())).isEqualByComparingTo(new BigDecimal("10").subtract(delivered));
            assertLedgerBalances(account.id());
        }
    }

    /** An answer the client received whole: its request id and the cost it was told. */
    record Delivered(String requestId, BigDecimal cost) {
    }

    static Delivered delivered(HttpResponse<String> response) throws java.io.IOException {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return new Delivered(response.headers().firstValue("X-Request-Id").orElseThrow(),
                json(response).path("usage").path("cost").decimalValue());
    }

    Delivered deliveredStream(String key, String body) throws Exception {
        HttpResponse<String> response = post("/v1/chat/completions", body, key);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.body()).contains("data: [DONE]");
        List<JsonNode> chunks = streamChunks(response);
        return new Delivered(response.headers().firstValue("X-Request-Id").orElseThrow(),
                chunks.get(chunks.size() - 1).path("usage").path("cost").decimalValue());
    }

    /** Makes the database unreachable: on H2 the pool fails ({@link dev.caravan.support.DatabaseOutage}). */
    void databaseDown() throws Exception {
        dev.caravan.support.DatabaseOutage.down();
    }

    void databaseUp() throws Exception {
        dev.caravan.support.DatabaseOutage.up();
    }

    void awaitHolds(String accountId, int count) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 10_000;
        while (countRows("holds", accountId) < count) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("fewer than " + count + " holds of " + accountId + " after 10 s");
            }
            Thread.sleep(20);
        }
    }

    /** The gateway instances the concurrency scenario spreads its requests over. */
    List<String> gatewayBaseUrls() throws Exception {
        return List.of(url(""));
    }

    @Autowired
    HoldSweeper holdSweeper;

    HoldSweeper sweeper() {
        return holdSweeper;
    }

    // --- helpers -------------------------------------------------------------------------------------

    /** Streams a chat request; reads {@code maxEvents} data events, then hangs up. */
    void readStream(String key, String body, int maxEvents) throws Exception {
        HttpResponse<InputStream> response = HTTP.send(HttpRequest.newBuilder(URI.create(url("/v1/chat/completions")))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + key)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            int events = 0;
            for (String line = reader.readLine(); line != null && events < maxEvents; line = reader.readLine()) {
                if (line.startsWith("data: ")) {
                    events++;
                }
            }
        }
    }

    @Autowired
    Ledger ledger;

    @Autowired
    HoldBatcher holdBatcher;

    @Autowired
    io.micrometer.core.instrument.MeterRegistry meters;

    double holdTransactions() {
        return meters.get("caravan.billing.hold.transactions").counter().count();
    }

    String keyId(String key) throws Exception {
        return json(get("/v1/key", key)).path("data").path("id").asText();
    }

    /** A hold as the reserve step leaves it. */
    void hold(String requestId, String accountId, String keyId, String amount) {
        hold(requestId, accountId, keyId, amount, Instant.now());
    }

    void hold(String requestId, String accountId, String keyId, String amount, Instant createdAt) {
        BigDecimal value = new BigDecimal(amount);
        jdbc.update("UPDATE accounts SET held = held + ? WHERE id = ?", value, accountId);
        jdbc.update("UPDATE api_keys SET held = held + ? WHERE id = ?", value, keyId);
        // this instance's: the sweeper running in the background leaves a live instance's holds alone
        jdbc.update("""
                INSERT INTO holds (request_id, account_id, key_id, amount, created_at, instance_id, model)
                VALUES (?, ?, ?, ?, ?, ?, 'chat')""", requestId, accountId, keyId, value, java.sql.Timestamp.from(createdAt),
                gatewayInstance.id());
    }

    @Autowired
    GatewayInstance gatewayInstance;

    static UsageRecord usage(String requestId, String accountId, String keyId, String cost) {
        return new UsageRecord(requestId, accountId, keyId, Instant.now(), "chat", "fake/ok", "fake", "ok",
                new TokenUsage(11, 7, 0, false), new BigDecimal(cost), false, false, "stop", 200, 5, List.of());
    }

    /** Settlement runs off the response path: wait until no hold of the account is open. */
    void awaitSettled(String accountId) throws InterruptedException {
        awaitSettled(accountId, 15_000);
    }

    void awaitSettled(String accountId, long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (System.currentTimeMillis() < deadline) {
            BigDecimal held = jdbc.queryForObject("SELECT held FROM accounts WHERE id = ?", BigDecimal.class, accountId);
            if (held.signum() == 0 && countRows("holds", accountId) == 0) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("holds of " + accountId + " still open after " + timeoutMillis + " ms");
    }

    /**
     * The invariant: balance = credits added - usage charged, never negative; the usage row is the
     * request's debit (no ledger entry of its own), and the balance is the balance after whichever
     * entry or usage row changed it last.
     */
    void assertLedgerBalances(String accountId) {
        BigDecimal balance = balance(accountId);
        BigDecimal credits = jdbc.queryForObject(
                "SELECT COALESCE(SUM(amount), 0) FROM credit_purchases WHERE account_id = ?", BigDecimal.class, accountId);
        BigDecimal usage = jdbc.queryForObject(
                "SELECT COALESCE(SUM(cost), 0) FROM usage_records WHERE account_id = ?", BigDecimal.class, accountId);
        assertThat(balance).isEqualByComparingTo(credits.subtract(usage));
        assertThat(balance.signum()).isNotNegative();
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM ledger_entries WHERE account_id = ? AND kind = 'debit'",
                Integer.class, accountId)).isZero();
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM usage_records WHERE account_id = ? AND balance_after IS NULL",
                Integer.class, accountId)).isZero();
        LedgerAssertions.assertBalanceIsTheLastBalanceAfter(jdbc, accountId, balance);
    }

    BigDecimal balance(String accountId) {
        return jdbc.queryForObject("SELECT balance FROM accounts WHERE id = ?", BigDecimal.class, accountId);
    }

    int countRows(String table, String accountId) {
        return jdbc.queryForObject("SELECT COUNT(*) FROM " + table + " WHERE account_id = ?", Integer.class, accountId);
    }

    static List<Integer> statuses(List<HttpResponse<String>> responses) {
        List<Integer> statuses = new ArrayList<>();
        responses.forEach(r -> statuses.add(r.statusCode()));
        return statuses;
    }
}
