package dev.caravan.auth;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.caravan.api.GatewayException;
import org.apache.camel.Exchange;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The authenticate step. Finds the key by its SHA-256; the lookup is cached, which cannot make a
 * revocation late: every billed request re-checks revocation and expiry in the same atomic statement
 * that reserves its credit (see {@code Reservations}), and the read-only caller endpoints look the
 * key up fresh.
 */
@Component("apiKeys")
public class ApiKeys {

    private final JdbcTemplate jdbc;
    private final RequestRateLimiter rateLimiter;
    private final Cache<String, Caller> cache = Caffeine.newBuilder()
            .maximumSize(100_000).expireAfterWrite(Duration.ofMinutes(5)).build();

    public ApiKeys(JdbcTemplate jdbc, RequestRateLimiter rateLimiter) {
        this.jdbc = jdbc;
        this.rateLimiter = rateLimiter;
    }

    /** Route step: sets the {@code caller} variable, or fails with 401 / 429. */
    public void authenticate(Exchange exchange) {
        String key = bearer(exchange.getMessage().getHeader("Authorization", String.class));
        String hash = ApiKeyFormat.sha256(key);
        Caller caller = cache.getIfPresent(hash);
        if (caller == null) {
            caller = lookup(hash);
            cache.put(hash, caller);
        }
        if (caller.expiresAt() != null && !caller.expiresAt().isAfter(Instant.now())) {
            throw unauthorized("This API key has expired.");
        }
        rateLimiter.admit(caller);
        exchange.setVariable("caller", caller);
    }

    /** For the caller endpoints: a fresh lookup, so a revoked key is refused at once. */
    public Caller authenticateFresh(String authorization) {
        Caller caller = lookup(ApiKeyFormat.sha256(bearer(authorization)));
        if (caller.expiresAt() != null && !caller.expiresAt().isAfter(Instant.now())) {
            throw unauthorized("This API key has expired.");
        }
        return caller;
    }

    /** Drops a key from this instance's cache (other instances rely on the reservation re-check). */
    public void forget(String keyHash) {
        cache.invalidate(keyHash);
    }

    private Caller lookup(String hash) {
        List<Caller> found = jdbc.query("""
                SELECT id, account_id, name, rpm_limit, spend_limit, expires_at, revoked_at
                FROM api_keys WHERE key_hash = ?""", (rs, i) -> {
            if (rs.getTimestamp("revoked_at") != null) {
                throw unauthorized("This API key has been revoked.");
            }
            java.sql.Timestamp expires = rs.getTimestamp("expires_at");
            return new Caller(rs.getString("id"), rs.getString("account_id"), rs.getString("name"),
                    (Integer) rs.getObject("rpm_limit"), rs.getBigDecimal("spend_limit"),
                    expires == null ? null : expires.toInstant());
        }, hash);
        if (found.isEmpty()) {
            throw unauthorized("Incorrect API key provided.");
        }
        return found.get(0);
    }

    private static String bearer(String authorization) {
        if (authorization == null || authorization.isBlank()) {
            throw unauthorized("Missing API key: send it as 'Authorization: Bearer <key>'.");
        }
        String value = authorization.trim();
        if (value.regionMatches(true, 0, "Bearer ", 0, 7)) {
            value = value.substring(7).trim();
        }
        if (value.isEmpty()) {
            throw unauthorized("Missing API key: send it as 'Authorization: Bearer <key>'.");
        }
        return value;
    }

    public static GatewayException unauthorized(String message) {
        return new GatewayException(401, "invalid_request_error", "invalid_api_key", null, message, null);
    }
}
