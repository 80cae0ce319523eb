package dev.caravan.metering;

import java.math.BigDecimal;

import dev.caravan.catalog.Price;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Prices are USD per million tokens; costs come out exact at the ledger's scale of 12. Expected values
 * are compared with {@code isEqualTo} (BigDecimal.equals: value and scale), not by value alone.
 */
class CostCalculatorTest {

    private static final Price GPT_4O = new Price(new BigDecimal("2.50"), new BigDecimal("10.00"), new BigDecimal("1.25"));

    @Test
    void pricesPromptAndCompletionTokensPerMillion() {
        // 11 x $2.50/M + 7 x $10.00/M = $97.5/M
        BigDecimal cost = CostCalculator.cost(GPT_4O, new TokenUsage(11, 7, 0, false));

        assertThat(cost).isEqualTo(new BigDecimal("0.000097500000"));
    }

    @Test
    void pricesCachedPromptTokensAtTheCachedInputPrice() {
        // 5 uncached x $2.50/M + 6 cached x $1.25/M + 7 x $10.00/M = $90/M
        BigDecimal cost = CostCalculator.cost(GPT_4O, new TokenUsage(11, 7, 6, false));

        assertThat(cost).isEqualTo(new BigDecimal("0.000090000000"));
    }

    @Test
    void pricesPromptTokensWrittenToTheCacheAtTheCacheWritePrice() {
        // Claude Sonnet 4.5: $3 input, $0.30 cache hits, $3.75 cache writes (5 minutes), $15 output.
        // 21 uncached + 1800 read x $0.30 + 248 written x $3.75 + 393 x $15 = $7428/M
        Price sonnet = new Price(new BigDecimal("3"), new BigDecimal("15"), new BigDecimal("0.30"), new BigDecimal("3.75"));

        BigDecimal cost = CostCalculator.cost(sonnet, new TokenUsage(21 + 1800 + 248, 393, 1800, 248, false));

        assertThat(cost).isEqualTo(new BigDecimal("0.007428000000"));
    }

    @Test
    void pricesCacheWritesAtTheInputPriceWhenNoCacheWritePriceIsConfigured() {
        BigDecimal cost = CostCalculator.cost(GPT_4O, new TokenUsage(11, 7, 0, 4, false));

        assertThat(cost).isEqualTo(new BigDecimal("0.000097500000"));
    }

    @Test
    void pricesCachedTokensAtTheInputPriceWhenNoCachedPriceIsConfigured() {
        Price noCachedPrice = new Price(new BigDecimal("2.50"), new BigDecimal("10.00"), null);

        BigDecimal cost = CostCalculator.cost(noCachedPrice, new TokenUsage(11, 7, 6, false));

        assertThat(cost).isEqualTo(new BigDecimal("0.000097500000"));
    }

    @Test
    void costsNothingAtAZeroPrice() {
        BigDecimal cost = CostCalculator.cost(new Price(BigDecimal.ZERO, BigDecimal.ZERO, null),
                new TokenUsage(1_000_000, 500_000, 200_000, false));

        assertThat(cost).isEqualTo(new BigDecimal("0.000000000000"));
        assertThat(cost.signum()).isZero();
    }

    @Test
    void costsNothingForNoTokens() {
        assertThat(CostCalculator.cost(GPT_4O, new TokenUsage(0, 0, 0, false)))
                .isEqualTo(new BigDecimal("0.000000000000"));
    }

    @Test
    void staysExactForLargeTokenCounts() {
        Price price = new Price(new BigDecimal("3"), new BigDecimal("15"), new BigDecimal("0.30"));

        // 9e9 uncached x $3/M + 1e9 cached x $0.30/M + 3e9 x $15/M = $27,000 + $300 + $45,000
        BigDecimal cost = CostCalculator.cost(price, new TokenUsage(10_000_000_000L, 3_000_000_000L, 1_000_000_000L, false));

        assertThat(cost).isEqualTo(new BigDecimal("72300.000000000000"));
    }

    @Test
    void neitherOverflowsNorLosesDigitsAtTheLargestTokenCount() {
        Price price = new Price(new BigDecimal("1.000001"), BigDecimal.ZERO, null);

        BigDecimal cost = CostCalculator.cost(price, new TokenUsage(Long.MAX_VALUE, 0, 0, false));

        // 9223372036854775807 x 1.000001 / 10^6, computed by hand: no double or long arithmetic in between
        assertThat(cost).isEqualTo(new BigDecimal("9223381260226.812661775807"));
    }

    @Test
    void keepsTwelveDecimalsForSubMicroCentCosts() {
        // one token at $0.000001/M costs $1e-12: the smallest amount the ledger holds
        BigDecimal cost = CostCalculator.cost(new Price(new BigDecimal("0.000001"), BigDecimal.ZERO, null),
                new TokenUsage(1, 0, 0, false));

        assertThat(cost).isEqualTo(new BigDecimal("0.000000000001"));
        assertThat(cost.scale()).isEqualTo(CostCalculator.SCALE).isEqualTo(12);
    }

    @Test
    void roundsBeyondTwelveDecimalsHalfEven() {
        Price halfPicoDollar = new Price(new BigDecimal("0.0000005"), BigDecimal.ZERO, null);
        Price oneAndAHalfPicoDollars = new Price(new BigDecimal("0.0000015"), BigDecimal.ZERO, null);

        assertThat(CostCalculator.cost(halfPicoDollar, new TokenUsage(1, 0, 0, false)))
                .isEqualTo(new BigDecimal("0.000000000000"));
        assertThat(CostCalculator.cost(oneAndAHalfPicoDollars, new TokenUsage(1, 0, 0, false)))
                .isEqualTo(new BigDecimal("0.000000000002"));
    }

    @Test
    void alwaysAnswersAtTheLedgerScale() {
        BigDecimal cost = CostCalculator.cost(new Price(new BigDecimal("2"), new BigDecimal("8"), null),
                new TokenUsage(1_000_000, 1_000_000, 0, false));

        assertThat(cost).isEqualTo(new BigDecimal("10.000000000000"));
        assertThat(cost.scale()).isEqualTo(12);
    }

    @Test
    void pricesAudioTokensAtTheAudioPricesAndTheRestAsText() {
        // gpt-4o-audio-preview: $2.50 text in, $40 audio in, $10 text out, $80 audio out.
        // prompt 11 (4 audio): 7 x 2.50 + 4 x 40 = 177.5; completion 7 (5 audio): 2 x 10 + 5 x 80 = 420
        Price audio = new Price(new BigDecimal("2.50"), new BigDecimal("10"), null, null, new BigDecimal("40"),
                new BigDecimal("80"), null);

        BigDecimal cost = CostCalculator.cost(audio, new TokenUsage(11, 7, 0, 0, false, 4, 5));

        assertThat(cost).isEqualTo(new BigDecimal("0.000597500000"));
        // without audio prices, audio tokens are text tokens
        assertThat(CostCalculator.cost(GPT_4O, new TokenUsage(11, 7, 0, 0, false, 4, 5)))
                .isEqualTo(new BigDecimal("0.000097500000"));
    }

    @Test
    void theHoldAssumesTheDearestKindOfTokenTheRequestCanUse() {
        Price audio = new Price(new BigDecimal("2.50"), new BigDecimal("10"), new BigDecimal("1.25"), null,
                new BigDecimal("40"), new BigDecimal("80"), null);

        assertThat(audio.highestInput(false)).isEqualByComparingTo("2.50");
        assertThat(audio.highestInput(true)).isEqualByComparingTo("40");
        assertThat(audio.highestOutput(false)).isEqualByComparingTo("10");
        assertThat(audio.highestOutput(true)).isEqualByComparingTo("80");
    }

    @Test
    void aServiceTierIsPricedByItsOwnPrices() {
        Price priority = new Price(new BigDecimal("5"), new BigDecimal("20"), null);
        Price tiered = new Price(new BigDecimal("2.50"), new BigDecimal("10"), null, null, null, null,
                java.util.Map.of("priority", priority));

        assertThat(tiered.forTier(null)).isSameAs(tiered);
        assertThat(tiered.forTier("default")).isSameAs(tiered);
        assertThat(tiered.forTier("flex")).isNull();
        // 11 x $5/M + 7 x $20/M
        assertThat(CostCalculator.cost(tiered.forTier("priority"), new TokenUsage(11, 7, 0, false)))
                .isEqualTo(new BigDecimal("0.000195000000"));
    }
}
