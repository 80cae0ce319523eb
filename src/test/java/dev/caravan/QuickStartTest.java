package dev.caravan;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README quick start against the shipped config/models.yaml (its own Spring context, on purpose):
 * the shipped catalog is valid and the demo provider answers without internet.
 */
@CamelSpringBootTest
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class QuickStartTest {

    @LocalServerPort
    int port;

    @Test
    void theDemoModelAnswersWithCostOnTheShippedConfiguration() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"model\":\"demo\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello Caravan\"}]}"))
                .build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = new ObjectMapper().readTree(response.body());
        assertThat(body.path("provider").asText()).isEqualTo("demo");
        assertThat(body.path("choices").get(0).path("message").path("content").asText()).contains("2 words");
        assertThat(body.path("usage").path("cost").decimalValue()).isPositive();
        assertThat(response.headers().firstValue("X-Caravan-Backend")).contains("demo/caravan-demo");
    }
}
