package dev.caravan.dashboard;

import dev.caravan.support.DashboardClient;
import dev.caravan.support.GatewayTest;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code GET /api/connection} with a public URL configured: the base URL the Keys page shows is
 * built from it (a trailing slash dropped), and only a signed-in person gets it. The other case,
 * no public URL and the page's own origin, is the browser journey's (DashboardJourneyTest).
 */
@TestPropertySource(properties = {
        "caravan.dashboard.public-url=http://gateway.example.test/caravan/",
        "spring.datasource.url=jdbc:h2:mem:connection-api-test;DB_CLOSE_DELAY=-1;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH"})
class ConnectionApiTest extends GatewayTest {

    @Test
    void theBaseUrlIsThePublicUrlsForASignedInPersonOnly() throws Exception {
        DashboardClient anonymous = new DashboardClient(port);
        assertThat(anonymous.get("/api/connection").statusCode()).isEqualTo(401);

        DashboardClient browser = new DashboardClient(port);
        browser.signUp("connection-" + System.nanoTime() + "@example.test", "a long enough password 1");
        assertThat(browser.json("/api/connection").path("base_url").asText())
                .isEqualTo("http://gateway.example.test/caravan/v1");
    }
}
