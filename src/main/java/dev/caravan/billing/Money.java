package dev.caravan.billing;

import java.math.BigDecimal;
import java.math.RoundingMode;

import dev.caravan.metering.CostCalculator;

/** Formatting and parsing of USD amounts at the ledger's precision. */
public final class Money {

    private Money() {
    }

    public static BigDecimal ledger(BigDecimal amount) {
        return amount.setScale(CostCalculator.SCALE, RoundingMode.HALF_EVEN);
    }

    /** For messages and JSON: no trailing zeros, never scientific notation. */
    public static String plain(BigDecimal amount) {
        BigDecimal stripped = amount.stripTrailingZeros();
        return (stripped.signum() == 0 ? BigDecimal.ZERO : stripped).toPlainString();
    }

    public static BigDecimal json(BigDecimal amount) {
        BigDecimal stripped = amount.stripTrailingZeros();
        return stripped.signum() == 0 ? BigDecimal.ZERO : stripped.scale() < 0 ? stripped.setScale(0) : stripped;
    }
}
