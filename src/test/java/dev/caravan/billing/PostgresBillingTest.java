package dev.caravan.billing;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.caravan.CaravanApplication;
import dev.caravan.support.DashboardClient;
import dev.caravan.support.PostgresTestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The billing scenarios on a real PostgreSQL 15 (prepared by bin/prepare-postgres). The concurrency
 * scenario runs against two gateway instances sharing the database: this test's context and a
 * second application started here.
 */
class PostgresBillingTest extends BillingScenarios {

    private static ConfigurableApplicationContext secondInstance;

    @DynamicPropertySource
    static void postgres(DynamicPropertyRegistry registry) {
        PostgresTestDatabase.register(registry);
    }

    @Test
    void runsOnPostgresql() {
        assertThat(jdbc.queryForObject("SELECT version()", String.class)).startsWith("PostgreSQL");
    }

    /** The real thing: the server is stopped, as an operator or a crash stops it. */
    @Override
    void databaseDown() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(PostgresTestDatabase.LOCAL_CLUSTER,
                "the PostgreSQL at CARAVAN_TEST_PG_URL is not the tests' to stop");
        PostgresTestDatabase.stopServer();
    }

    @Override
    void databaseUp() throws Exception {
        PostgresTestDatabase.startServer();
    }

    @Override
    List<String> gatewayBaseUrls() {
        if (secondInstance == null) {
            // command-line arguments: they outrank config/application.yaml, as in production
            secondInstance = new SpringApplicationBuilder(CaravanApplication.class).run(
                    "--server.port=0",
                    "--caravan.models-file=src/test/resources/test-models.yaml",
                    "--caravan.providers.fake.base-url=" + UPSTREAM.baseUrl(),
                    "--caravan.providers.fake-impatient.base-url=" + UPSTREAM.baseUrl(),
                    "--caravan.demo.enabled=false",
                    "--caravan.admin.token=" + ADMIN_TOKEN,
                    // one signing key for both instances, as docs/dashboard.md asks of several instances
                    "--caravan.dashboard.session-key-file=" + SESSION_KEY_FILE,
                    "--spring.datasource.url=" + PostgresTestDatabase.URL,
                    "--spring.datasource.username=" + PostgresTestDatabase.USER,
                    "--spring.datasource.password=" + PostgresTestDatabase.PASSWORD);
        }
        int secondPort = ((WebServerApplicationContext) secondInstance).getWebServer().getPort();
        return List.of(url(""), "http://127.0.0.1:" + secondPort);
    }

    /**
     * The dashboard's live stream reads the shared database: a request answered and settled by the
     * other instance reaches a browser watching this one; and a session made here works there.
     */
    @Test
    void aRequestSettledByAnotherInstanceReachesTheLiveUsageStream() throws Exception {
        List<String> gateways = gatewayBaseUrls();
        DashboardClient browser = new DashboardClient(port);
        browser.signUp("pg-" + java.util.UUID.randomUUID() + "@example.com", "correct horse battery");
        String accountId = browser.json("/api/account").path("id").asText();
        assertThat(addCredits(accountId, "5", "pg-live-" + accountId).statusCode()).isEqualTo(200);
        String key = JSON.readTree(browser.post("/api/keys", "{\"name\":\"pg\"}").body()).path("key").asText();

        HttpResponse<InputStream> stream = browser.send(browser.request("/api/usage/stream").GET(),
                HttpResponse.BodyHandlers.ofInputStream());
        BufferedReader events = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8));
        assertThat(events.readLine()).isEqualTo(":live");

        HttpResponse<String> chat = HTTP.send(HttpRequest.newBuilder(URI.create(gateways.get(1) + "/v1/chat/completions"))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(chat("chat", ""))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(chat.statusCode()).as(chat.body()).isEqualTo(200);
        String requestId = chat.headers().firstValue("X-Request-Id").orElseThrow();
        CompletableFuture<String> firstEventId = CompletableFuture.supplyAsync(() -> {
            try {
                for (String line = events.readLine(); line != null; line = events.readLine()) {
                    if (line.startsWith("id:")) {
                        return line.substring(3).trim();
                    }
                }
                return null;
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        assertThat(firstEventId.get(5, TimeUnit.SECONDS)).isEqualTo(requestId);
        stream.body().close();

        HttpResponse<String> there = HTTP.send(HttpRequest.newBuilder(URI.create(gateways.get(1) + "/api/account"))
                .header("Cookie", "caravan_session=" + browser.cookie("caravan_session")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(there.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(there.body()).path("id").asText()).isEqualTo(accountId);
    }

    @AfterAll
    static void stopSecondInstance() {
        if (secondInstance != null) {
            secondInstance.close();
            secondInstance = null;
        }
    }
}
