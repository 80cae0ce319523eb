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

    /**
     * Each prompt token once: cached at cached-input, written to the cache at cache-write, audio at
     * audio-input, the rest at input; completion audio at audio-output (else output), the rest at output.
     */
    public static BigDecimal cost(Price price, TokenUsage usage) {
        long textPrompt = Math.max(0, usage.promptTokens() - usage.cachedTokens() - usage.cacheWriteTokens()
                - usage.audioPromptTokens());
        long textCompletion = Math.max(0, usage.completionTokens() - usage.audioCompletionTokens());
        BigDecimal audioOutput = price.audioOutput() != null ? price.audioOutput() : price.output();
        BigDecimal perMillion = price.input().multiply(BigDecimal.valueOf(textPrompt))
                .add(price.cachedInput().multiply(BigDecimal.valueOf(usage.cachedTokens())))
                .add(price.cacheWrite().multiply(BigDecimal.valueOf(usage.cacheWriteTokens())))
                .add(price.audioInput().multiply(BigDecimal.valueOf(usage.audioPromptTokens())))
                .add(price.output().multiply(BigDecimal.valueOf(textCompletion)))
                .add(audioOutput.multiply(BigDecimal.valueOf(usage.audioCompletionTokens())));
        return perMillion.movePointLeft(6).setScale(SCALE, RoundingMode.HALF_EVEN);
    }
}
