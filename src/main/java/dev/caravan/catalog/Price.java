package dev.caravan.catalog;

import java.math.BigDecimal;

import org.springframework.boot.context.properties.bind.ConstructorBinding;

/**
 * USD per one million tokens. {@code cachedInput} (prompt tokens read from the provider's prompt
 * cache) and {@code cacheWrite} (prompt tokens written to it, which Anthropic bills above the input
 * price) fall back to {@code input} when not configured.
 */
public record Price(BigDecimal input, BigDecimal output, BigDecimal cachedInput, BigDecimal cacheWrite) {

    @ConstructorBinding
    public Price {
        input = input == null ? BigDecimal.ZERO : input;
        output = output == null ? BigDecimal.ZERO : output;
        cachedInput = cachedInput == null ? input : cachedInput;
        cacheWrite = cacheWrite == null ? input : cacheWrite;
    }

    public Price(BigDecimal input, BigDecimal output, BigDecimal cachedInput) {
        this(input, output, cachedInput, null);
    }

    /** The most a prompt token can cost: what a credit hold must assume for an unknown prompt. */
    public BigDecimal highestInput() {
        return input.max(cachedInput).max(cacheWrite);
    }

    public boolean isFree() {
        return input.signum() == 0 && output.signum() == 0 && cachedInput.signum() == 0 && cacheWrite.signum() == 0;
    }
}
