package dev.caravan.web;

import java.net.http.HttpResponse;

import dev.caravan.support.GatewayTest;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ObservabilityTest extends GatewayTest {

    @Test
    void reportsHealth() throws Exception {
        HttpResponse<String> health = get("/actuator/health");

        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).contains("\"status\":\"UP\"");
        assertThat(health.headers().firstValue("X-Request-Id")).isPresent();
    }

    @Test
    void exportsRequestTokenAndCostMetricsByModelAndBackend() throws Exception {
        assertThat(post("/v1/chat/completions", chat("cached-chat", "")).statusCode()).isEqualTo(200);

        // usage is recorded off the response path (wireTap): give it a moment
        String metrics = "";
        long deadline = System.currentTimeMillis() + 5000;
        while (!metrics.contains("caravan_cost_usd_total{backend=\"fake/cached\"") && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
            metrics = metrics();
        }
        assertThat(metrics).contains("caravan_requests_seconds_count{backend=\"fake/cached\",model=\"cached-chat\"");
        assertThat(metrics).contains("caravan_tokens_total{backend=\"fake/cached\",model=\"cached-chat\",type=\"prompt\"}");
        assertThat(metrics).contains("caravan_tokens_total{backend=\"fake/cached\",model=\"cached-chat\",type=\"completion\"}");
        assertThat(metrics).contains("caravan_cost_usd_total{backend=\"fake/cached\",model=\"cached-chat\"}");
    }
}
