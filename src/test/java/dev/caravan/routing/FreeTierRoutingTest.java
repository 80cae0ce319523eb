package dev.caravan.routing;

import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import dev.caravan.support.FakeOpenAiUpstream;
import dev.caravan.support.GatewayTest;
import dev.caravan.support.TestClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Model {@code spill}: a free tier (2 requests per minute) and a paid provider, each its own fake
 * server. Time is the {@link TestClock}: windows pass without waiting.
 */
class FreeTierRoutingTest extends GatewayTest {

    private static final FakeOpenAiUpstream FREE = FakeOpenAiUpstream.named("free");
    private static final FakeOpenAiUpstream PAID = FakeOpenAiUpstream.named("paid");
    /** 11 prompt tokens x $1/M + 7 completion tokens x $2/M */
    private static final BigDecimal PAID_COST = new BigDecimal("0.000025");

    @BeforeEach
    void freshWindows() {
        TestClock.get().startNextDay();
    }

    @AfterEach
    void freeTierAnswersAgain() {
        FREE.behave(null);
    }

    @Test
    void theFreeTierServesWhileItHasQuotaThenThePaidOneUntilTheWindowRefills() throws Exception {
        String key = newFundedKey("1");
        long paidCallsBefore = PAID.chatRequests();

        assertThat(backend(spill(key))).isEqualTo("free/ok");
        assertThat(backend(spill(key))).isEqualTo("free/ok");
        HttpResponse<String> spilled = spill(key);
        assertThat(backend(spilled)).isEqualTo("paid/ok");
        assertThat(json(spilled).path("usage").path("cost").decimalValue()).isEqualByComparingTo(PAID_COST);
        assertThat(PAID.chatRequests() - paidCallsBefore).isEqualTo(1);

        TestClock.get().advance(Duration.ofMinutes(1));
        assertThat(backend(spill(key))).isEqualTo("free/ok");

        // the balance shows only what the paid provider served
        JsonNode credits = settledCredits(key);
        assertThat(credits.path("total_usage").decimalValue()).isEqualByComparingTo(PAID_COST);
        assertThat(credits.path("balance").decimalValue()).isEqualByComparingTo(BigDecimal.ONE.subtract(PAID_COST));
        String metrics = metrics();
        assertThat(metrics).contains("caravan_upstream_skipped_total{backend=\"free/ok\",reason=\"free_tier_exhausted\"}");
        assertThat(metrics).contains("caravan_upstream_attempts_seconds_count{backend=\"paid/ok\",outcome=\"ok\"}");
        assertThat(metrics).contains("caravan_free_tier_remaining{limit=\"requests_per_minute\",provider=\"free\"}");
    }

    @Test
    void aFreeTierAnsweringTooManyRequestsIsParkedUntilRetryAfter() throws Exception {
        FREE.behave("status-429");
        HttpResponse<String> limited = spill(apiKey());
        assertThat(limited.statusCode()).isEqualTo(200);
        assertThat(backend(limited)).isEqualTo("paid/ok");
        assertThat(attempts(limited)).matches("free/ok 429 \\d+ms, paid/ok 200 \\d+ms");

        FREE.behave(null);
        long freeCalls = FREE.chatRequests();
        assertThat(backend(spill(apiKey()))).isEqualTo("paid/ok");
        assertThat(FREE.chatRequests()).as("parked: no call until Retry-After (7 s)").isEqualTo(freeCalls);

        TestClock.get().advance(Duration.ofSeconds(8));
        assertThat(backend(spill(apiKey()))).isEqualTo("free/ok");
    }

    @Test
    void aRequestOnlyTheUsedUpFreeTierMayServeGets503SayingWhy() throws Exception {
        String onlyFree = "\"provider\":{\"only\":[\"free\"]}";
        post("/v1/chat/completions", chat("spill", onlyFree));
        post("/v1/chat/completions", chat("spill", onlyFree));

        HttpResponse<String> refused = post("/v1/chat/completions", chat("spill", onlyFree));

        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(json(refused).path("error").path("code").asText()).isEqualTo("no_backend_available");
        assertThat(json(refused).path("error").path("message").asText())
                .contains("free/ok: free tier used up: 2 requests per minute, refills in 60 s");
    }

    @Test
    void theAdminApiShowsWhatTheFreeTierHasLeft() throws Exception {
        spill(apiKey());

        JsonNode free = backendStatus("free/ok");
        assertThat(free.path("free_tier").path("requests_per_minute").asInt()).isEqualTo(2);
        assertThat(free.path("free_tier").path("requests_left_this_minute").asInt()).isEqualTo(1);
        assertThat(free.path("free_tier").path("parked_until").isNull()).isTrue();
        assertThat(free.path("models").toString()).contains("spill");
        assertThat(backendStatus("paid/ok").path("free_tier").isNull()).isTrue();
    }

    private HttpResponse<String> spill(String key) throws Exception {
        return post("/v1/chat/completions", chat("spill", ""), key);
    }
}
