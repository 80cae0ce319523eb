package dev.caravan.dashboard;

import java.time.Duration;
import java.util.Locale;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.caravan.api.GatewayException;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import org.springframework.stereotype.Component;

/**
 * Throttles password guessing and the endpoints that send mail. A login attempt takes a token from
 * three budgets before the password is checked, so that concurrent guesses cannot all slip in between
 * a check and a count: one email from one address ({@code login-failures}), one email from anywhere
 * ({@code account-login-failures}: a guess spread over many addresses), and one address against any
 * email ({@code address-login-failures}). A correct password gives its tokens back and clears the
 * email-and-address budget; a password reset clears the email's. A stranger can thus lock an email
 * out only from the addresses they use, up to the higher per-email ceiling, which the owner lifts by
 * resetting the password. Sign-ups and reset requests have a budget per address.
 *
 * <p>Token buckets in memory per instance, refilled evenly over the window: with N instances an
 * attacker gets up to N times the budget, still far from enough to guess a 10-character password. The
 * address is the connection's, or the one the proxy names when {@code server.forward-headers-strategy}
 * is set (docs/dashboard.md).
 */
@Component
public class LoginThrottle {

    private final Cache<String, Bucket> buckets = Caffeine.newBuilder()
            .maximumSize(200_000).expireAfterAccess(Duration.ofHours(2)).build();
    private final DashboardSettings settings;

    public LoginThrottle(DashboardSettings settings) {
        this.settings = settings;
    }

    /** The tokens one login attempt took; give them back with {@link #succeeded(Attempt)}. */
    public record Attempt(String pairKey, String emailKey, String addressKey) {
    }

    /** Takes one attempt from each budget, or refuses with 429 and takes none. */
    public Attempt begin(String email, String address) {
        String normalized = normalize(email);
        Attempt attempt = new Attempt("pair:" + normalized + "|" + address, "email:" + normalized,
                "login-address:" + address);
        take(attempt.pairKey(), settings.loginFailures(), "too_many_attempts",
                "Too many failed logins for this account from here. Retry after %d s, or reset the password.");
        try {
            take(attempt.emailKey(), settings.accountLoginFailures(), "too_many_attempts",
                    "Too many failed logins for this account. Retry after %d s, or reset the password.");
        } catch (GatewayException refused) {
            giveBack(attempt.pairKey());
            throw refused;
        }
        try {
            take(attempt.addressKey(), settings.addressLoginFailures(), "too_many_attempts",
                    "Too many failed logins from this address. Retry after %d s.");
        } catch (GatewayException refused) {
            giveBack(attempt.pairKey());
            giveBack(attempt.emailKey());
            throw refused;
        }
        return attempt;
    }

    /** A correct password: its attempt does not count, and earlier failures from this address are forgiven. */
    public void succeeded(Attempt attempt) {
        buckets.invalidate(attempt.pairKey());
        giveBack(attempt.emailKey());
        giveBack(attempt.addressKey());
    }

    /** A password reset proves the mailbox: the email's failures from anywhere are cleared. */
    public void passwordReset(String email) {
        buckets.invalidate("email:" + normalize(email));
    }

    /** A sign-up or a mail sent on request: each takes one of the address's budget, or 429. */
    public void mailOrSignup(String address) {
        take("signup-address:" + address, settings.signupsPerAddress(), Duration.ofHours(1), "too_many_requests",
                "Too many sign-ups or reset requests from this address. Retry after %d s.");
    }

    private void take(String key, int capacity, String code, String message) {
        take(key, capacity, settings.loginWindow(), code, message);
    }

    private void take(String key, int capacity, Duration window, String code, String message) {
        Bucket bucket = buckets.get(key, k -> Bucket.builder()
                .addLimit(Bandwidth.builder().capacity(capacity).refillGreedy(capacity, window).build()).build());
        ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
        if (!probe.isConsumed()) {
            long seconds = Math.max(1, (probe.getNanosToWaitForRefill() + 999_999_999L) / 1_000_000_000L);
            throw new GatewayException(429, "rate_limit_error", code, null, message.formatted(seconds), seconds);
        }
    }

    private void giveBack(String key) {
        Bucket bucket = buckets.getIfPresent(key);
        if (bucket != null) {
            // never above capacity: addTokens caps at it
            bucket.addTokens(1);
        }
    }

    private static String normalize(String email) {
        return email == null ? "" : email.trim().toLowerCase(Locale.ROOT);
    }
}
