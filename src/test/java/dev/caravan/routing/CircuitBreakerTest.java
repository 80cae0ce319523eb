package dev.caravan.routing;

import java.net.http.HttpResponse;

import dev.caravan.catalog.CurrentCatalog;
import dev.caravan.support.FakeOpenAiUpstream;
import dev.caravan.support.GatewayTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Model {@code brittle-chat}: {@code brittle} (cheaper; its breaker opens when 2 of its last 3 calls
 * failed and probes again after 1 s) and {@code spare}.
 */
class CircuitBreakerTest extends GatewayTest {

    private static final FakeOpenAiUpstream BRITTLE = FakeOpenAiUpstream.named("brittle");

    @Autowired
    BackendBreakers breakers;
    @Autowired
    CurrentCatalog catalog;

    @BeforeEach
    void closedBreaker() {
        catalog.get().backends().stream().filter(b -> b.id().equals("brittle/ok")).findFirst()
                .ifPresent(b -> breakers.of(b).transitionToClosedState());
    }

    @AfterEach
    void brittleAnswersAgain() {
        BRITTLE.behave(null);
    }

    @Test
    void opensAfterRepeatedFailuresKeepsTheBackendOutThenLetsItBackAfterAHalfOpenProbe() throws Exception {
        BRITTLE.behave("status-500");
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> response = brittleChat();
            assertThat(backend(response)).isEqualTo("spare/ok");
            assertThat(attempts(response)).startsWith("brittle/ok 500 ");
        }
        assertThat(backendStatus("brittle/ok").path("breaker").path("state").asText()).isEqualTo("open");
        assertThat(metrics())
                .contains("caravan_backend_breaker_state{backend=\"brittle/ok\",state=\"open\"} 1.0");

        long brittleCalls = BRITTLE.chatRequests();
        HttpResponse<String> skipping = brittleChat();
        assertThat(backend(skipping)).isEqualTo("spare/ok");
        assertThat(attempts(skipping)).matches("spare/ok 200 \\d+ms");
        assertThat(BRITTLE.chatRequests()).as("an open breaker sends nothing").isEqualTo(brittleCalls);

        // the upstream recovers; after wait-in-open (1 s) one probe goes through, and closes the breaker
        BRITTLE.behave(null);
        long deadline = System.currentTimeMillis() + 10_000;
        String served = backend(brittleChat());
        while (!"brittle/ok".equals(served) && System.currentTimeMillis() < deadline) {
            Thread.sleep(200);
            served = backend(brittleChat());
        }
        assertThat(served).isEqualTo("brittle/ok");
        assertThat(BRITTLE.chatRequests()).isEqualTo(brittleCalls + 1);
        assertThat(backendStatus("brittle/ok").path("breaker").path("state").asText()).isEqualTo("closed");
        assertThat(backend(brittleChat())).isEqualTo("brittle/ok");
    }

    private HttpResponse<String> brittleChat() throws Exception {
        HttpResponse<String> response = post("/v1/chat/completions", chat("brittle-chat", ""));
        assertThat(response.statusCode()).isEqualTo(200);
        return response;
    }
}
