package dev.caravan;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
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
 * the shipped catalog is valid, the first start leaves a demo key in a file only its owner can read,
 * the demo provider answers with it, without internet, and that key reaches nothing but the demo.
 */
@CamelSpringBootTest
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "spring.datasource.url=jdbc:h2:mem:quick-start;DB_CLOSE_DELAY=-1;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH",
        "caravan.demo.key-file=target/test-data/quick-start-demo-api-key",
        // a provider key, so that a paid model can be planned: what stops the demo key must be its scope
        "caravan.providers.openai.api-key=sk-not-used"})
class QuickStartTest {

    static {
        // a key file left by an earlier run would skip the first-start path this test is about
        try {
            Files.deleteIfExists(Path.of("target/test-data/quick-start-demo-api-key"));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @LocalServerPort
    int port;

    @Test
    void theDemoModelAnswersWithCostOnTheShippedConfiguration() throws Exception {
        Path keyFile = Path.of("target/test-data/quick-start-demo-api-key");
        assertThat(Files.getPosixFilePermissions(keyFile)).containsExactlyInAnyOrder(
                PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        String key = Files.readString(keyFile).trim();
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + key)
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

    @Test
    void theDemoKeyReachesOnlyTheDemoModels() throws Exception {
        String key = Files.readString(Path.of("target/test-data/quick-start-demo-api-key")).trim();

        assertThat(chat(key, "{\"model\":\"demo/caravan-demo\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}")
                .statusCode()).isEqualTo(200);
        for (String body : new String[] {
                "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}",
                "{\"model\":\"openai/gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}",
                "{\"model\":\"demo\",\"models\":[\"demo\",\"gpt-4o\"],\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}"}) {
            HttpResponse<String> refused = chat(key, body);
            assertThat(refused.statusCode()).as(body).isEqualTo(403);
            assertThat(new ObjectMapper().readTree(refused.body()).path("error").path("code").asText()).isEqualTo("model_not_allowed");
        }
    }

    @Test
    void metricsAreNotServedOnTheApiPortWithoutAToken() throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        HttpResponse<String> metrics = client.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/actuator/prometheus")).build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> health = client.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/actuator/health")).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(metrics.statusCode()).isEqualTo(403);
        assertThat(metrics.body()).contains("CARAVAN_METRICS_TOKEN").doesNotContain("# TYPE");
        assertThat(health.statusCode()).isEqualTo(200);
    }

    private HttpResponse<String> chat(String key, String body) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + key)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
