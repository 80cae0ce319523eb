package dev.caravan.billing;

import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caravan.CaravanApplication;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The embedded default keeps accounts, credits and usage across a restart: an H2 file, not memory.
 * And a stop settles what was answered just before it (settlement batches are flushed, not dropped),
 * and a start brings the demo key's model scope up to date.
 */
class EmbeddedDatabaseRestartTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ADMIN_TOKEN = "restart-admin-token-0123456789abcdef";

    @Test
    void accountsAndCreditsSurviveARestart() throws Exception {
        Path dir = Files.createTempDirectory("caravan-h2");
        String url = "jdbc:h2:file:" + dir.resolve("caravan") + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH";
        String accountId;
        String requestId;
        try (ConfigurableApplicationContext first = start(url, dir)) {
            String base = base(first);
            accountId = JSON.readTree(admin(base, "POST", "/admin/accounts", "{\"name\":\"Durable\"}").body()).path("id").asText();
            HttpRequest topUp = HttpRequest.newBuilder(URI.create(base + "/admin/accounts/" + accountId + "/credits"))
                    .header("Authorization", "Bearer " + ADMIN_TOKEN).header("Content-Type", "application/json")
                    .header("Idempotency-Key", "once").POST(HttpRequest.BodyPublishers.ofString("{\"amount\":7.25}")).build();
            assertThat(HTTP.send(topUp, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
            // answered, then the gateway stops at once: its settlement is still waiting in a batch
            String demoKey = Files.readString(dir.resolve("demo-api-key")).trim();
            HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/v1/chat/completions"))
                    .header("Authorization", "Bearer " + demoKey).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(
                            "{\"model\":\"demo\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(answer.statusCode()).isEqualTo(200);
            requestId = answer.headers().firstValue("X-Request-Id").orElseThrow();
            // a demo key from before key scopes existed
            first.getBean(JdbcTemplate.class).update("UPDATE api_keys SET models = NULL WHERE account_id = 'acct_demo'");
        }
        try (ConfigurableApplicationContext second = start(url, dir)) {
            JsonNode account = JSON.readTree(admin(base(second), "GET", "/admin/accounts/" + accountId, null).body());
            assertThat(account.path("balance").decimalValue()).isEqualByComparingTo(new BigDecimal("7.25"));
            JdbcTemplate jdbc = second.getBean(JdbcTemplate.class);
            assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM usage_records WHERE request_id = ?", Integer.class,
                    requestId)).isEqualTo(1);
            assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM holds", Integer.class)).isZero();
            // each start limits the demo account's keys to the demo models again
            assertThat(jdbc.queryForList("SELECT models FROM api_keys WHERE account_id = 'acct_demo'", String.class))
                    .singleElement().isEqualTo("[\"demo\",\"demo-embedding\"]");
        }
    }

    private static ConfigurableApplicationContext start(String url, Path dir) {
        return new SpringApplicationBuilder(CaravanApplication.class).run("--server.port=0",
                "--spring.datasource.url=" + url, "--caravan.admin.token=" + ADMIN_TOKEN,
                "--caravan.demo.key-file=" + dir.resolve("demo-api-key"),
                // a batch that would wait a minute: only the stop can settle it in time
                "--caravan.billing.settlement-batch-interval=60000");
    }

    private static String base(ConfigurableApplicationContext context) {
        return "http://127.0.0.1:" + ((WebServerApplicationContext) context).getWebServer().getPort();
    }

    private static HttpResponse<String> admin(String base, String method, String path, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Authorization", "Bearer " + ADMIN_TOKEN).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }
}
