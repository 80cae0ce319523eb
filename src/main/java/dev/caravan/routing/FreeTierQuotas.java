package dev.caravan.routing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.caravan.catalog.Backend;
import dev.caravan.catalog.CatalogProperties.FreeTier;
import dev.caravan.metering.PromptTokens;
import dev.caravan.metering.UsageRecord;
import org.springframework.stereotype.Component;

/**
 * The free-tier quotas the gateway keeps for providers with a {@code free-tier}: requests per calendar
 * minute and per UTC day, tokens per calendar minute. A request takes one request and its prompt
 * estimate when the dispatcher picks the backend; the completion tokens are added when its usage is
 * recorded. An upstream 429 parks the free tier until its Retry-After. Kept in memory per instance
 * (N instances may together use up to N times a quota: give each a share). The clock is a bean so
 * that tests can move time instead of waiting for a window.
 */
@Component("freeTierQuotas")
public class FreeTierQuotas {

    private final Clock clock;
    private final Map<String, Usage> byProvider = new ConcurrentHashMap<>();

    public FreeTierQuotas(Clock clock) {
        this.clock = clock;
    }

    /** What a free tier has left now. {@code parkedUntil} is null unless a 429 parked it. */
    public record Snapshot(FreeTier limits, int requestsThisMinute, int requestsToday, long tokensThisMinute,
                           Instant parkedUntil, Instant minuteResetsAt) {

        public Integer requestsLeftThisMinute() {
            return left(limits.requestsPerMinute(), requestsThisMinute);
        }

        public Integer requestsLeftToday() {
            return left(limits.requestsPerDay(), requestsToday);
        }

        public Integer tokensLeftThisMinute() {
            return left(limits.tokensPerMinute(), tokensThisMinute);
        }

        private static Integer left(Integer limit, long used) {
            return limit == null ? null : (int) Math.max(0, limit - used);
        }
    }

    /**
     * Takes one request and the prompt's tokens from the backend's free tier.
     *
     * @return null when taken (or the backend has no free tier), else why not
     */
    public String tryAcquire(Backend backend, PromptTokens prompt) {
        FreeTier limits = backend.provider().freeTier();
        if (limits == null) {
            return null;
        }
        // counted only for a tokens-per-minute limit, and outside the tier's lock
        long promptTokens = limits.tokensPerMinute() == null ? 0 : prompt.estimate();
        return usage(backend.providerName()).tryAcquire(limits, clock.instant(), promptTokens);
    }

    /** An upstream 429: no request goes to this free tier until {@code retryAfter} has passed. */
    public void park(Backend backend, Duration retryAfter) {
        if (backend.isFreeTier()) {
            usage(backend.providerName()).park(clock.instant().plus(retryAfter));
        }
    }

    /** Route step of {@code record-usage}: the answer's completion tokens count against tokens-per-minute. */
    public void recordTokens(UsageRecord record) {
        Usage usage = byProvider.get(record.provider());
        if (usage != null) {
            usage.addTokens(clock.instant(), record.tokens().completionTokens());
        }
    }

    public Snapshot snapshot(String provider, FreeTier limits) {
        return usage(provider).snapshot(limits, clock.instant());
    }

    private Usage usage(String provider) {
        return byProvider.computeIfAbsent(provider, p -> new Usage());
    }

    private static final class Usage {
        private long minute = Long.MIN_VALUE;
        private LocalDate day;
        private int minuteRequests;
        private long minuteTokens;
        private int dayRequests;
        private Instant parkedUntil;

        synchronized String tryAcquire(FreeTier limits, Instant now, long promptTokens) {
            roll(now);
            if (parkedUntil != null && now.isBefore(parkedUntil)) {
                return "free tier rate limited upstream (429), parked for "
                        + secondsUntil(now, parkedUntil) + " s";
            }
            if (limits.requestsPerMinute() != null && minuteRequests >= limits.requestsPerMinute()) {
                return "free tier used up: " + limits.requestsPerMinute() + " requests per minute, refills in "
                        + secondsUntil(now, minuteEnd()) + " s";
            }
            if (limits.requestsPerDay() != null && dayRequests >= limits.requestsPerDay()) {
                return "free tier used up: " + limits.requestsPerDay() + " requests per day, refills at 00:00 UTC";
            }
            if (limits.tokensPerMinute() != null && minuteTokens + promptTokens > limits.tokensPerMinute()) {
                return "free tier used up: " + limits.tokensPerMinute() + " tokens per minute, refills in "
                        + secondsUntil(now, minuteEnd()) + " s";
            }
            minuteRequests++;
            dayRequests++;
            minuteTokens += promptTokens;
            return null;
        }

        synchronized void park(Instant until) {
            if (parkedUntil == null || until.isAfter(parkedUntil)) {
                parkedUntil = until;
            }
        }

        synchronized void addTokens(Instant now, long tokens) {
            roll(now);
            minuteTokens += tokens;
        }

        synchronized Snapshot snapshot(FreeTier limits, Instant now) {
            roll(now);
            Instant parked = parkedUntil != null && now.isBefore(parkedUntil) ? parkedUntil : null;
            return new Snapshot(limits, minuteRequests, dayRequests, minuteTokens, parked, minuteEnd());
        }

        private void roll(Instant now) {
            long currentMinute = Math.floorDiv(now.getEpochSecond(), 60);
            if (currentMinute != minute) {
                minute = currentMinute;
                minuteRequests = 0;
                minuteTokens = 0;
            }
            LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
            if (!today.equals(day)) {
                day = today;
                dayRequests = 0;
            }
        }

        private Instant minuteEnd() {
            return Instant.ofEpochSecond((minute + 1) * 60);
        }

        private static long secondsUntil(Instant now, Instant then) {
            return Math.max(1, (Duration.between(now, then).toMillis() + 999) / 1000);
        }
    }
}
