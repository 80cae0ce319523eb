package dev.caravan.routing;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

import dev.caravan.catalog.Backend;
import dev.caravan.catalog.CatalogProperties;
import dev.caravan.catalog.Price;
import dev.caravan.metering.PromptTokens;
import dev.caravan.support.TestClock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class FreeTierQuotasTest {

    private final TestClock clock = TestClock.get();
    private final FreeTierQuotas quotas = new FreeTierQuotas(clock);

    @BeforeEach
    void startOfADay() {
        clock.startNextDay();
    }

    @Test
    void countsRequestsPerCalendarMinuteAndPerDay() {
        Backend free = backend(new CatalogProperties.FreeTier(2, 3, null));

        assertThat(quotas.tryAcquire(free, PromptTokens.known(10))).isNull();
        assertThat(quotas.tryAcquire(free, PromptTokens.known(10))).isNull();
        assertThat(quotas.tryAcquire(free, PromptTokens.known(10))).isEqualTo("free tier used up: 2 requests per minute, refills in 60 s");
        clock.advance(Duration.ofSeconds(45));
        assertThat(quotas.tryAcquire(free, PromptTokens.known(10))).endsWith("refills in 15 s");
        clock.advance(Duration.ofSeconds(15));
        assertThat(quotas.tryAcquire(free, PromptTokens.known(10))).isNull();
        assertThat(quotas.tryAcquire(free, PromptTokens.known(10))).isEqualTo("free tier used up: 3 requests per day, refills at 00:00 UTC");
        clock.startNextDay();
        assertThat(quotas.tryAcquire(free, PromptTokens.known(10))).isNull();
    }

    @Test
    void countsPromptTokensWhenTakenAndCompletionTokensWhenRecorded() {
        Backend free = backend(new CatalogProperties.FreeTier(null, null, 100));

        assertThat(quotas.tryAcquire(free, PromptTokens.known(60))).isNull();
        assertThat(quotas.tryAcquire(free, PromptTokens.known(50))).startsWith("free tier used up: 100 tokens per minute");
        assertThat(quotas.snapshot("free", free.provider().freeTier()).tokensLeftThisMinute()).isEqualTo(40);
    }

    @Test
    void aParkedFreeTierIsSkippedUntilRetryAfter() {
        Backend free = backend(new CatalogProperties.FreeTier(100, null, null));
        quotas.park(free, Duration.ofSeconds(7));

        assertThat(quotas.tryAcquire(free, PromptTokens.known(1))).isEqualTo("free tier rate limited upstream (429), parked for 7 s");
        assertThat(quotas.snapshot("free", free.provider().freeTier()).parkedUntil()).isNotNull();
        clock.advance(Duration.ofSeconds(7));
        assertThat(quotas.tryAcquire(free, PromptTokens.known(1))).isNull();
    }

    @Test
    void aPaidBackendHasNoQuota() {
        Backend paid = backend(null);
        for (int i = 0; i < 1000; i++) {
            assertThat(quotas.tryAcquire(paid, PromptTokens.known(1_000_000))).isNull();
        }
    }

    private static Backend backend(CatalogProperties.FreeTier freeTier) {
        CatalogProperties.Provider provider = new CatalogProperties.Provider("openai", "http://127.0.0.1:9/v1", "k",
                false, Duration.ofSeconds(60), Duration.ofSeconds(5), null, Map.of(), freeTier,
                new CatalogProperties.Breaker(50, 20, 5, Duration.ofSeconds(30), 1), "max_tokens");
        return Backend.of("free", provider, "m", new Price(BigDecimal.ZERO, BigDecimal.ZERO, null), Set.of(), null);
    }
}
