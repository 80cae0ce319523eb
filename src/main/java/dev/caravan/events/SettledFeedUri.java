package dev.caravan.events;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Checks {@code caravan.usage.settled} at start: record-usage publishes every settled request there,
 * inside settlement, so it must be a queue that never blocks and never fails the publisher (a
 * {@code seda:} endpoint with {@code discardWhenFull=true} and {@code discardIfNoConsumers=true}).
 * Anything else (a {@code direct:}, {@code kafka:} or {@code http:} URI) would run integrators' steps
 * in settlement, under its endless retries.
 */
@Component
class SettledFeedUri {

    SettledFeedUri(@Value("${caravan.usage.settled}") String uri) {
        check(uri);
    }

    static void check(String uri) {
        if (uri == null || !uri.startsWith("seda:") || !uri.contains("discardWhenFull=true")
                || !uri.contains("discardIfNoConsumers=true") || !uri.contains("multipleConsumers=true")) {
            throw new IllegalArgumentException("caravan.usage.settled: must be a seda: URI with multipleConsumers=true, "
                    + "discardWhenFull=true and discardIfNoConsumers=true, so that settlement never waits for a "
                    + "forwarding route (docs/routes.md); got '" + uri + "'");
        }
    }
}
