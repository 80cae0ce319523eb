package dev.caravan.metering;

import java.math.BigDecimal;
import java.math.RoundingMode;

import dev.caravan.catalog.Price;

/** The one place where tokens become money. Prices are USD per million tokens; results are exact. */
public final class CostCalculator {

    /** The ledger's precision: DECIMAL(38,12). */
    public static final int SCALE = 12;

    private CostCalculator() {
    }

    public static BigDecimal cost(Price price, TokenUsage usage) {
        long uncachedPrompt = Math.max(0, usage.promptTokens() - usage.cachedTokens() - usage.cacheWriteTokens());
        BigDecimal perMillion = price.input().multiply(BigDecimal.valueOf(uncachedPrompt))
                .add(price.cachedInput().multiply(BigDecimal.valueOf(usage.cachedTokens())))
                .add(price.cacheWrite().multiply(BigDecimal.valueOf(usage.cacheWriteTokens())))
                .add(price.output().multiply(BigDecimal.valueOf(usage.completionTokens())));
        return perMillion.movePointLeft(6).setScale(SCALE, RoundingMode.HALF_EVEN);
    }
}
