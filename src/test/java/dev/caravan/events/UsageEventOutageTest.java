package dev.caravan.events;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import dev.caravan.support.KafkaGatewayTest;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real outage: the embedded broker is shut down while requests go on, and started again on the
 * same address. Nothing may be lost, and each account's events arrive in the order they were settled.
 */
class UsageEventOutageTest extends KafkaGatewayTest {

    @Test
    void eventsWaitInTheOutboxWhileKafkaIsDownAndAllArriveInOrderWhenItIsBack() throws Exception {
        String key = newFundedKey("10");
        String accountId = json(get("/v1/key", key)).path("data").path("account_id").asText();
        List<String> settled = new ArrayList<>();
        settled.add(requestId(key));
        KAFKA.awaitRecords(Set.of(accountId), 1, EVENTS_ARRIVE);

        KAFKA.stop();
        try {
            for (int i = 0; i < 12; i++) {
                settled.add(requestId(key));
            }
            JsonNode health = awaitHealth("DOWN");
            assertThat(health.path("details").path("error").asText()).isNotBlank();
            assertThat(health.path("details").path("backlog").asLong()).isGreaterThan(0);
            String metrics = metrics();
            assertThat(metrics).contains("caravan_usage_events_send_failures_total");
            assertThat(gauge(metrics, "caravan_usage_events_backlog")).isGreaterThan(0);
            assertThat(gauge(metrics, "caravan_usage_events_oldest_unsent_age_seconds")).isGreaterThan(0);
        } finally {
            KAFKA.restart();
        }
        settled.add(requestId(key));

        List<ConsumerRecord<String, String>> records = KAFKA.read(record -> accountId.equals(record.key()),
                got -> distinctEventIds(got).size() >= settled.size(), EVENTS_ARRIVE);
        // one partition per account: first deliveries in settlement order (a re-sent batch may repeat some)
        assertThat(new ArrayList<>(distinctEventIds(records))).containsExactlyElementsOf(settled);
        assertThat(awaitHealth("UP").path("details").path("backlog").asLong()).isZero();
    }

    private String requestId(String key) throws Exception {
        var response = post("/v1/chat/completions", chat("chat", ""), key);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return response.headers().firstValue("X-Request-Id").orElseThrow();
    }

    private static Set<String> distinctEventIds(List<ConsumerRecord<String, String>> records) {
        Set<String> ids = new LinkedHashSet<>();
        for (ConsumerRecord<String, String> record : records) {
            try {
                ids.add(JSON.readTree(record.value()).path("event_id").asText());
            } catch (java.io.IOException e) {
                throw new AssertionError(e);
            }
        }
        return ids;
    }

    private JsonNode awaitHealth(String status) throws Exception {
        JsonNode component = null;
        long deadline = System.currentTimeMillis() + EVENTS_ARRIVE.toMillis();
        while (System.currentTimeMillis() < deadline) {
            component = json(get("/actuator/health")).path("components").path("usageEvents");
            if (status.equals(component.path("status").asText())) {
                return component;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("usageEvents never became " + status + ": " + component);
    }

    private static double gauge(String metrics, String name) {
        return metrics.lines().filter(line -> line.startsWith(name + " ") || line.startsWith(name + "{"))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .findFirst().orElseThrow(() -> new AssertionError(name + " not exported"));
    }
}
