package dev.caravan.events;

import java.util.HashSet;
import java.util.Set;

import dev.caravan.support.GatewayTest;
import org.apache.camel.CamelContext;
import org.apache.camel.ServiceStatus;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/** The embedded default: no Kafka configured. The gateway serves and records usage; no outbox grows. */
class UsageEventsOffTest extends GatewayTest {

    @Autowired
    CamelContext camel;

    @Autowired
    JdbcTemplate jdbc;

    @Test
    void servesAndRecordsUsageWithoutQueueingEvents() throws Exception {
        String key = newFundedKey("1");
        Set<String> requestIds = new HashSet<>();
        for (String body : new String[] {chat("chat", ""), chat("chat", "\"stream\":true")}) {
            var response = post("/v1/chat/completions", body, key);
            assertThat(response.statusCode()).isEqualTo(200);
            requestIds.add(response.headers().firstValue("X-Request-Id").orElseThrow());
        }

        Set<String> recorded = new HashSet<>();
        long deadline = System.currentTimeMillis() + 5000;
        while (!recorded.containsAll(requestIds) && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
            json(get("/v1/usage", key)).path("data").forEach(row -> recorded.add(row.path("id").asText()));
        }
        assertThat(recorded).containsAll(requestIds);
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM usage_outbox", Integer.class)).isZero();
        assertThat(camel.getRouteController().getRouteStatus("relay-usage-events")).isEqualTo(ServiceStatus.Stopped);
        assertThat(json(get("/actuator/health")).path("components").path("usageEvents").path("status").asText())
                .isEqualTo("UP");
        assertThat(metrics()).contains("caravan_usage_events_backlog 0.0");
    }
}
