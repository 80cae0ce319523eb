package dev.caravan.auth;

import java.time.Duration;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.caravan.api.GatewayException;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.EstimationProbe;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Throttles guessing: each client address may fail authentication {@code caravan.auth.max-failures-per-minute}
 * times in a burst, then as often as the bucket refills; beyond that its unknown keys are refused with
 * 429 before any database lookup. Keys this instance already knows as valid are not throttled, so a
 * client behind the same address (a NAT, a proxy without forwarded headers) keeps working. In memory
 * per instance, like the rate limits.
 */
@Component
public class FailedAuthentications {

    private final Cache<String, Bucket> buckets = Caffeine.newBuilder()
            .maximumSize(100_000).expireAfterAccess(Duration.ofMinutes(10)).build();
    private final int perMinute;
    private final Counter throttled;

    public FailedAuthentications(@Value("${caravan.auth.max-failures-per-minute:30}") int perMinute, MeterRegistry meters) {
        this.perMinute = perMinute;
        this.throttled = Counter.builder("caravan.auth.throttled")
                .description("Authentications refused because their client address failed too often").register(meters);
    }

    /** @throws GatewayException 429 when the address has used up its failures */
    public void check(String address) {
        if (perMinute <= 0 || address == null) {
            return;
        }
        Bucket bucket = buckets.getIfPresent(address);
        if (bucket == null) {
            return;
        }
        EstimationProbe probe = bucket.estimateAbilityToConsume(1);
        if (!probe.canBeConsumed()) {
            throttled.increment();
            long seconds = Math.max(1, (probe.getNanosToWaitForRefill() + 999_999_999L) / 1_000_000_000L);
            throw new GatewayException(429, "rate_limit_error", "too_many_failed_authentications", null,
                    "Too many failed authentications from this address. Retry after " + seconds + " s.", seconds);
        }
    }

    public void failed(String address) {
        if (perMinute > 0 && address != null) {
            buckets.get(address, a -> Bucket.builder().addLimit(Bandwidth.builder().capacity(perMinute)
                    .refillGreedy(perMinute, Duration.ofMinutes(1)).build()).build()).tryConsume(1);
        }
    }
}
