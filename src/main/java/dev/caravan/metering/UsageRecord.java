package dev.caravan.metering;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * What one request used and cost: metadata only, never message content. Produced by the metering
 * step (or the stream tap when a stream ends) and handed to the {@code record-usage} route.
 *
 * @param status      HTTP status the client got (200 for streams that started, even if cut later)
 * @param cancelled   the client went away before the answer was complete
 */
public record UsageRecord(
        String requestId,
        String accountId,
        String keyId,
        Instant createdAt,
        String requestedModel,
        String backendId,
        String provider,
        String upstreamModel,
        TokenUsage tokens,
        BigDecimal cost,
        boolean streamed,
        boolean cancelled,
        String finishReason,
        int status,
        long latencyMillis) {
}
