package dev.caravan.metering;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/**
 * What one request used and cost: metadata only, never message content. Produced by the metering
 * step (or the stream tap when a stream ends) and handed to the {@code record-usage} route.
 *
 * @param status      HTTP status the client got (200 for streams that started, even if cut later)
 * @param cancelled   the client went away before the answer was complete
 * @param attempts    every upstream call made for the request, in order; the last successful one answered
 *                    and is the only one charged
 * @param priceVersion the version of the backend's prices the cost was computed at (the ones in effect
 *                    when the request was planned: its hold used the same); null when not known (a hold
 *                    settled without its usage)
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
        long latencyMillis,
        List<Attempt> attempts,
        String priceVersion) {

    public UsageRecord {
        attempts = attempts == null ? List.of() : List.copyOf(attempts);
    }

    /** A usage whose price version is not known. */
    public UsageRecord(String requestId, String accountId, String keyId, Instant createdAt, String requestedModel,
                       String backendId, String provider, String upstreamModel, TokenUsage tokens, BigDecimal cost,
                       boolean streamed, boolean cancelled, String finishReason, int status, long latencyMillis,
                       List<Attempt> attempts) {
        this(requestId, accountId, keyId, createdAt, requestedModel, backendId, provider, upstreamModel, tokens, cost,
                streamed, cancelled, finishReason, status, latencyMillis, attempts, null);
    }

    /**
     * One upstream call of a request (a hop): the backend, how it ended ({@code ok}, {@code client_error},
     * {@code rate_limited}, {@code error}, {@code timeout}, {@code unreachable}, {@code cancelled}), the
     * upstream's HTTP status (0 when it never answered) and the time to its answer or failure.
     */
    public record Attempt(String backendId, String outcome, int upstreamStatus, long latencyMillis) {

        /**
         * {@code backend status-or-outcome time}: {@code free/flash 429 12ms}, {@code paid/chat timeout 5001ms},
         * {@code paid/chat error 8ms} (answered 200 with something that is not a valid answer).
         */
        @Override
        public String toString() {
            boolean statusSays = outcome.equals("ok") || upstreamStatus >= 300;
            String result = statusSays && upstreamStatus > 0 ? String.valueOf(upstreamStatus) : outcome;
            return backendId + " " + result + " " + latencyMillis + "ms";
        }
    }
}
