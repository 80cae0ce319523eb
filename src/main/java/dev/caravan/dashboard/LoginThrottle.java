package dev.caravan.dashboard;

import java.time.Duration;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.caravan.api.GatewayException;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.EstimationProbe;
import org.springframework.stereotype.Component;

/**
 * Throttles password guessing and mail-sending endpoints. Failed logins are counted per email (whoever
 * tries it: one account cannot be guessed at from many addresses) and per client address (one address
 * cannot try many accounts); past either budget, logins are refused with 429 before the password is
 * checked. Sign-ups and reset requests have a budget per address. Token buckets in memory per
 * instance, refilled evenly over the window: with N instances an attacker gets up to N times the
 * budget, still far from enough to guess a 10-character password.
 */
@Component
public class LoginThrottle {

    private final Cache<String, Bucket> buckets = Caffeine.newBuilder()
            .maximumSize(200_000).expireAfterAccess(Duration.ofHours(2)).build();
    private final DashboardSettings settings;

    public LoginThrottle(DashboardSettings settings) {
        this.settings = settings;
    }

    /** @throws GatewayException 429 when the email or the address has no failed logins left */
    public void checkLogin(String email, String address) {
        refuseIfSpent("email:" + normalize(email), "too_many_attempts",
                "Too many failed logins for this account. Retry after %d s, or reset the password.");
        refuseIfSpent("login-address:" + address, "too_many_attempts",
                "Too many failed logins from this address. Retry after %d s.");
    }

    public void failedLogin(String email, String address) {
        bucket("email:" + normalize(email), settings.loginFailures(), settings.loginWindow()).tryConsume(1);
        bucket("login-address:" + address, settings.addressLoginFailures(), settings.loginWindow()).tryConsume(1);
    }

    /** A correct password clears the account's failures (not the address's). */
    public void succeededLogin(String email) {
        buckets.invalidate("email:" + normalize(email));
    }

    /** A sign-up or a mail sent on request: each takes one of the address's budget, or 429. */
    public void mailOrSignup(String address) {
        Bucket bucket = bucket("signup-address:" + address, settings.signupsPerAddress(), Duration.ofHours(1));
        if (!bucket.tryConsume(1)) {
            refuseIfSpent("signup-address:" + address, "too_many_requests",
                    "Too many sign-ups or reset requests from this address. Retry after %d s.");
        }
    }

    private void refuseIfSpent(String key, String code, String message) {
        Bucket bucket = buckets.getIfPresent(key);
        if (bucket == null) {
            return;
        }
        EstimationProbe probe = bucket.estimateAbilityToConsume(1);
        if (!probe.canBeConsumed()) {
            long seconds = Math.max(1, (probe.getNanosToWaitForRefill() + 999_999_999L) / 1_000_000_000L);
            throw new GatewayException(429, "rate_limit_error", code, null, message.formatted(seconds), seconds);
        }
    }

    private Bucket bucket(String key, int capacity, Duration window) {
        return buckets.get(key, k -> Bucket.builder()
                .addLimit(Bandwidth.builder().capacity(capacity).refillGreedy(capacity, window).build()).build());
    }

    private static String normalize(String email) {
        return email == null ? "" : email.trim().toLowerCase(java.util.Locale.ROOT);
    }
}
