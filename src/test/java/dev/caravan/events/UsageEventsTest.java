package dev.caravan.events;

import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import dev.caravan.support.FakeOpenAiUpstream;
import dev.caravan.support.KafkaGatewayTest;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

class UsageEventsTest extends KafkaGatewayTest {

    @Autowired
    UsageOutbox outbox;

    @Autowired
    JdbcTemplate jdbc;

    @Test
    void everyRequestBecomesOneEventThatMatchesTheLedger() throws Exception {
        String key = newFundedKey("10");
        JsonNode keyInfo = json(get("/v1/key", key)).path("data");
        List<String> requestIds = new ArrayList<>();
        requestIds.add(answered(post("/v1/chat/completions", chat("chat", ""), key)));
        requestIds.add(answered(post("/v1/chat/completions", chat("chat", "\"stream\":true,"
                + "\"stream_options\":{\"include_usage\":true}"), key)));
        requestIds.add(answered(post("/v1/chat/completions", chat("cached-chat", ""), key)));
        requestIds.add(answered(post("/v1/chat/completions", chat("tools-chat", ""), key)));
        requestIds.add(answered(post("/v1/chat/completions", chat("no-usage-chat", "\"stream\":true"), key)));
        requestIds.add(answered(post("/v1/embeddings", "{\"model\":\"embed\",\"input\":\"Say hello\"}", key)));
        requestIds.add(answered(post("/v1/chat/completions", chat("chat", ""), key)));

        String accountId = keyInfo.path("account_id").asText();
        List<ConsumerRecord<String, String>> records = KAFKA.awaitRecords(Set.of(accountId), requestIds.size(),
                EVENTS_ARRIVE);
        // a few more relay turns: nothing else may come
        Thread.sleep(500);
        records = KAFKA.awaitRecords(Set.of(accountId), requestIds.size() + 1, java.time.Duration.ofSeconds(1));

        assertThat(records).hasSize(requestIds.size());
        Map<String, JsonNode> events = new HashMap<>();
        for (ConsumerRecord<String, String> record : records) {
            assertThat(record.key()).isEqualTo(accountId);
            assertThat(record.value()).doesNotContain("Say hello").doesNotContain(FakeOpenAiUpstream.CONTENT)
                    .doesNotContain("Paris").doesNotContain(key);
            JsonNode event = JSON.readTree(record.value());
            events.put(event.path("event_id").asText(), event);
        }
        assertThat(events.keySet()).containsExactlyInAnyOrderElementsOf(requestIds);

        Map<String, JsonNode> usage = new HashMap<>();
        json(get("/v1/usage?limit=100", key)).path("data").forEach(row -> usage.put(row.path("id").asText(), row));
        assertThat(usage.keySet()).containsExactlyInAnyOrderElementsOf(requestIds);
        for (String id : requestIds) {
            JsonNode event = events.get(id);
            JsonNode row = usage.get(id);
            assertThat(event.path("schema_version").asInt()).isEqualTo(UsageEventJson.SCHEMA_VERSION);
            assertThat(event.path("type").asText()).isEqualTo("usage");
            assertThat(event.path("account_id").asText()).isEqualTo(accountId);
            assertThat(event.path("key_id").asText()).isEqualTo(keyInfo.path("id").asText());
            assertThat(event.path("time").asText()).isEqualTo(row.path("created_at").asText());
            for (String field : List.of("model", "backend", "provider", "upstream_model", "prompt_tokens",
                    "completion_tokens", "cached_tokens", "tokens_estimated", "streamed", "cancelled",
                    "finish_reason", "status", "latency_ms", "settlement")) {
                assertThat(event.path(field)).as(id + " " + field).isEqualTo(row.path(field));
            }
            assertThat(event.path("cost").decimalValue()).isEqualByComparingTo(row.path("cost").decimalValue());
            assertThat(event.path("uncollected").decimalValue()).isZero();
            assertThat(event.path("settlement").asText()).isEqualTo("metered");
            assertThat(event.path("currency").asText()).isEqualTo("USD");
            assertThat(event.path("price_version").asText()).matches("[0-9a-f]{12}");
            assertThat(event.path("price_version")).isEqualTo(row.path("price_version"));
            assertThat(event.path("attempts").asInt()).isEqualTo(1);
            // never personal data: no email, name or key name, only ids and metadata (docs/billing-events.md)
            List<String> fields = new java.util.ArrayList<>();
            event.fieldNames().forEachRemaining(fields::add);
            assertThat(fields).containsExactlyInAnyOrder("event_id", "schema_version", "type", "time", "account_id",
                    "key_id", "model", "backend", "provider", "upstream_model", "prompt_tokens", "completion_tokens",
                    "cached_tokens", "tokens_estimated", "cost", "uncollected", "currency", "settlement", "price_version",
                    "streamed", "cancelled", "finish_reason", "status", "latency_ms", "attempts");
        }
        BigDecimal charged = events.values().stream().map(e -> e.path("cost").decimalValue())
                .reduce(BigDecimal.ZERO, BigDecimal::add);
        assertThat(charged).isEqualByComparingTo(json(get("/v1/credits", key)).path("data").path("total_usage").decimalValue());

        JsonNode first = events.get(requestIds.get(0));
        assertThat(first.path("model").asText()).isEqualTo("chat");
        assertThat(first.path("backend").asText()).isEqualTo("fake/ok");
        assertThat(first.path("prompt_tokens").asLong()).isEqualTo(11);
        assertThat(first.path("completion_tokens").asLong()).isEqualTo(7);
        // 11 x 2.50 + 7 x 10.00 per million tokens
        assertThat(first.path("cost").decimalValue()).isEqualByComparingTo("0.0000975");
        assertThat(events.get(requestIds.get(1)).path("streamed").asBoolean()).isTrue();
        assertThat(events.get(requestIds.get(2)).path("cached_tokens").asLong()).isEqualTo(6);
        assertThat(events.get(requestIds.get(4)).path("tokens_estimated").asBoolean()).isTrue();
        // same backend and prices, same version; other prices, another version
        assertThat(events.get(requestIds.get(6)).path("price_version")).isEqualTo(first.path("price_version"));
        assertThat(events.get(requestIds.get(5)).path("price_version")).isNotEqualTo(first.path("price_version"));
    }

    @Test
    void countsTheUpstreamCallsOfAFailedOverRequestAndChargesOnlyTheAnswer() throws Exception {
        FakeOpenAiUpstream flaky = FakeOpenAiUpstream.named("flaky");
        flaky.behave("status-503");
        try {
            String key = newFundedKey("1");
            String requestId = answered(post("/v1/chat/completions", chat("failover", ""), key));
            String accountId = json(get("/v1/key", key)).path("data").path("account_id").asText();

            JsonNode event = JSON.readTree(KAFKA.awaitRecords(Set.of(accountId), 1, EVENTS_ARRIVE).get(0).value());

            assertThat(event.path("event_id").asText()).isEqualTo(requestId);
            assertThat(event.path("attempts").asInt()).isEqualTo(2);
            assertThat(event.path("backend").asText()).isEqualTo("spare/ok");
            // 11 prompt tokens x $3/M + 7 completion tokens x $4/M: the failed call costs nothing
            assertThat(event.path("cost").decimalValue()).isEqualByComparingTo("0.000061");
        } finally {
            flaky.behave(null);
        }
    }

    @Test
    void exportsRelayMetricsAndHealth() throws Exception {
        String key = newFundedKey("1");
        answered(post("/v1/chat/completions", chat("chat", ""), key));
        String accountId = json(get("/v1/key", key)).path("data").path("account_id").asText();
        assertThat(KAFKA.awaitRecords(Set.of(accountId), 1, EVENTS_ARRIVE)).hasSize(1);

        String metrics = metrics();
        assertThat(metrics).contains("caravan_usage_events_sent_total")
                .contains("caravan_usage_events_backlog")
                .contains("caravan_usage_events_oldest_unsent_age_seconds");
        assertThat(json(get("/actuator/health")).path("components").path("usageEvents").path("status").asText())
                .isEqualTo("UP");
    }

    @Test
    void relayedEventsAreDeletedAfterTheirRetention() throws Exception {
        String key = newFundedKey("1");
        String requestId = answered(post("/v1/chat/completions", chat("chat", ""), key));
        String accountId = json(get("/v1/key", key)).path("data").path("account_id").asText();
        KAFKA.awaitRecords(Set.of(accountId), 1, EVENTS_ARRIVE);
        awaitSent(requestId);

        outbox.pruneSentBefore(Instant.now().plusSeconds(60));

        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM usage_outbox WHERE sent_at IS NOT NULL", Integer.class))
                .isZero();
    }

    private void awaitSent(String eventId) throws InterruptedException {
        String sql = "SELECT COUNT(*) FROM usage_outbox WHERE event_id = ? AND sent_at IS NOT NULL";
        long deadline = System.currentTimeMillis() + EVENTS_ARRIVE.toMillis();
        while (jdbc.queryForObject(sql, Integer.class, eventId) == 0 && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
        assertThat(jdbc.queryForObject(sql, Integer.class, eventId)).isOne();
    }

    private static String answered(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return response.headers().firstValue("X-Request-Id").orElseThrow();
    }
}
