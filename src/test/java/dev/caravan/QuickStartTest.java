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
 * and the demo provider answers with it, without internet.
 */
@CamelSpringBootTest
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "spring.datasource.url=jdbc:h2:mem:quick-start;DB_CLOSE_DELAY=-1;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH",
        "caravan.demo.key-file=target/test-data/quick-start-demo-api-key"})
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
}
