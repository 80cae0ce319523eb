package dev.caravan.auth;

import java.time.Duration;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.caravan.api.GatewayException;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import org.springframework.stereotype.Component;

/**
 * A key's requests-per-minute limit: a token bucket per key, refilled evenly over the minute. Held in
 * memory per gateway instance, so with N instances a key can reach up to N times its limit.
 */
@Component
public class RequestRateLimiter {

    private final Cache<String, Bucket> buckets = Caffeine.newBuilder()
            .maximumSize(100_000).expireAfterAccess(Duration.ofMinutes(10)).build();

    public void admit(Caller caller) {
        Integer rpm = caller.rpmLimit();
        if (rpm == null) {
            return;
        }
        Bucket bucket = buckets.get(caller.keyId() + ":" + rpm, k -> Bucket.builder()
                .addLimit(Bandwidth.builder().capacity(rpm).refillGreedy(rpm, Duration.ofMinutes(1)).build())
                .build());
        ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
        if (!probe.isConsumed()) {
            long seconds = Math.max(1, (probe.getNanosToWaitForRefill() + 999_999_999L) / 1_000_000_000L);
            throw new GatewayException(429, "rate_limit_error", "rate_limit_exceeded", null,
                    "This key is limited to " + rpm + " requests per minute. Retry after " + seconds + " s.", seconds);
        }
    }
}
