package dev.caravan.catalog;

import java.time.Instant;

/**
 * A price a backend charges from {@code effective} on (an announced change, {@code price-changes} in
 * the catalog), until the next one. {@code version} names it ({@link PriceVersion}).
 */
public record ScheduledPrice(Instant effective, Price price, String version) {
}
