package dev.caravan.web;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import dev.caravan.support.GatewayTest;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Metrics are never public on the API port: they need the metrics token; health stays public. */
class MetricsAccessTest extends GatewayTest {

    @Test
    void prometheusNeedsTheMetricsToken() throws Exception {
        for (String authorization : new String[] {null, "Bearer ", "Bearer wrong-token", "Bearer " + ADMIN_TOKEN,
                "Bearer " + apiKey(), METRICS_TOKEN}) {
            HttpResponse<String> response = actuator("/actuator/prometheus", authorization);
            assertThat(response.statusCode()).as(authorization).isEqualTo(401);
            assertThat(json(response).path("error").path("code").asText()).isEqualTo("invalid_metrics_token");
            assertThat(response.body()).doesNotContain("caravan_");
        }

        assertThat(metrics()).contains("# TYPE", "jvm_");
    }

    @Test
    void otherActuatorEndpointsThanHealthNeedItToo() throws Exception {
        assertThat(actuator("/actuator", null).statusCode()).isEqualTo(401);
        assertThat(actuator("/actuator/info", null).statusCode()).isEqualTo(401);
        assertThat(actuator("/actuator/prometheus/", null).statusCode()).isEqualTo(401);
        assertThat(actuator("/actuator/%70rometheus", null).statusCode()).isIn(400, 401, 404);

        assertThat(actuator("/actuator/health", null).statusCode()).isEqualTo(200);
        assertThat(actuator("/actuator/health/readiness", null).statusCode()).isEqualTo(200);
    }

    private HttpResponse<String> actuator(String path, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url(path))).GET();
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
