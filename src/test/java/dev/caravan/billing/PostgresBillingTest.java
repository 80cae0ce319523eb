package dev.caravan.billing;

import java.util.List;

import dev.caravan.CaravanApplication;
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
                    "--spring.datasource.url=" + PostgresTestDatabase.URL,
                    "--spring.datasource.username=" + PostgresTestDatabase.USER,
                    "--spring.datasource.password=" + PostgresTestDatabase.PASSWORD);
        }
        int secondPort = ((WebServerApplicationContext) secondInstance).getWebServer().getPort();
        return List.of(url(""), "http://127.0.0.1:" + secondPort);
    }

    @AfterAll
    static void stopSecondInstance() {
        if (secondInstance != null) {
            secondInstance.close();
            secondInstance = null;
        }
    }
}
