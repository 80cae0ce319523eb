package dev.caravan.catalog;

import java.math.BigDecimal;

/** USD per one million tokens. {@code cachedInput} falls back to {@code input} when not configured. */
public record Price(BigDecimal input, BigDecimal output, BigDecimal cachedInput) {

    public Price {
        input = input == null ? BigDecimal.ZERO : input;
        output = output == null ? BigDecimal.ZERO : output;
        cachedInput = cachedInput == null ? input : cachedInput;
    }

    public boolean isFree() {
        return input.signum() == 0 && output.signum() == 0 && cachedInput.signum() == 0;
    }
}
