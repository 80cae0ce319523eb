package dev.caravan.auth;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.caravan.api.FlowVariables;
import dev.caravan.api.GatewayException;
import dev.caravan.api.RequestContext;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.http.HttpServletRequest;
import org.apache.camel.Exchange;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The authenticate step. The key comes only from the request's real {@code Authorization} header
 * (never from a query parameter or a message header) and is found by its SHA-256. Lookups are cached
 * both ways: a valid key for 5 minutes, which cannot make a revocation late (every billed request
 * re-checks revocation and expiry in the statement that reserves its credit, see
 * {@code Reservations}, and the caller endpoints look the key up fresh); an unknown or revoked key for
 * a minute, so that it costs one lookup, not one per request. A failed lookup is counted against the
 * client's address ({@link FailedAuthentications}). A database failure is not a refusal: it propagates
 * as it is and is never cached.
 */
@Component("apiKeys")
public class ApiKeys {

    private static final String BEARER = "'Authorization: Bearer <key>'";

    private final JdbcTemplate jdbc;
    private final RequestRateLimiter rateLimiter;
    private final KeyConcurrency concurrency;
    private final FailedAuthentications failures;
    private final Counter lookups;
    private final Cache<String, Caller> known = Caffeine.newBuilder()
            .maximumSize(100_000).expireAfterWrite(Duration.ofMinutes(5)).build();
    /** Unknown and revoked key hashes, with why they were refused. */
    private final Cache<String, String> refused = Caffeine.newBuilder()
            .maximumSize(100_000).expireAfterWrite(Duration.ofMinutes(1)).build();

    public ApiKeys(JdbcTemplate jdbc, RequestRateLimiter rateLimiter, KeyConcurrency concurrency,
                   FailedAuthentications failures, MeterRegistry meters) {
        this.jdbc = jdbc;
        this.rateLimiter = rateLimiter;
        this.concurrency = concurrency;
        this.failures = failures;
        this.lookups = Counter.builder("caravan.auth.key.lookups")
                .description("API keys looked up in the database (cache misses)").register(meters);
    }

    /**
     * Route step: sets the {@code caller} variable, or fails with 401, or 429 (the client's address
     * failed too often, the key has too many requests in flight, or is over its rpm_limit).
     */
    public void authenticate(Exchange exchange) {
        HttpServletRequest request = RequestContext.httpRequest(exchange, "apiKeys.authenticate");
        admit(exchange, request, request.getHeader("Authorization"), BEARER);
    }

    /**
     * Route step for Anthropic's clients (POST /v1/messages): their SDKs send the key as
     * {@code x-api-key}, or as {@code Authorization: Bearer} when configured with a token. Either
     * header of the real request carries a Caravan key; otherwise as {@link #authenticate}.
     */
    public void authenticateAnthropicClient(Exchange exchange) {
        HttpServletRequest request = RequestContext.httpRequest(exchange, "apiKeys.authenticateAnthropicClient");
        String apiKey = request.getHeader("x-api-key");
        admit(exchange, request, apiKey != null && !apiKey.isBlank() ? apiKey : request.getHeader("Authorization"),
                "'x-api-key: <key>' or " + BEARER);
    }

    private void admit(Exchange exchange, HttpServletRequest request, String presented, String howToSend) {
        String hash = ApiKeyFormat.sha256(bearer(presented, howToSend));
        Caller caller = known.getIfPresent(hash);
        if (caller == null) {
            caller = lookup(hash, request.getRemoteAddr());
        }
        checkExpiry(caller);
        concurrency.admit(caller, exchange);
        rateLimiter.admit(caller);
        FlowVariables.CALLER.set(exchange, caller);
    }

    /** For the caller endpoints: a fresh lookup, so a revoked key is refused at once. */
    public Caller authenticateFresh(String authorization, String clientAddress) {
        String hash = ApiKeyFormat.sha256(bearer(authorization, BEARER));
        // a key this instance knows as valid is not held back by its address's failures
        Caller caller = known.getIfPresent(hash) != null ? query(hash, clientAddress) : lookup(hash, clientAddress);
        checkExpiry(caller);
        return caller;
    }

    /** Drops a key from this instance's cache (other instances rely on the reservation re-check). */
    public void forget(String keyHash) {
        known.invalidate(keyHash);
    }

    private Caller lookup(String hash, String clientAddress) {
        failures.check(clientAddress);
        String refusedBecause = refused.getIfPresent(hash);
        if (refusedBecause != null) {
            failures.failed(clientAddress);
            throw unauthorized(refusedBecause);
        }
        return query(hash, clientAddress);
    }

    private Caller query(String hash, String clientAddress) {
        lookups.increment();
        List<KeyRow> found = jdbc.query("""
                SELECT id, account_id, name, rpm_limit, spend_limit, expires_at, revoked_at, max_concurrent_requests,
                  models
                FROM api_keys WHERE key_hash = ?""", (rs, i) -> new KeyRow(rs.getTimestamp("revoked_at") != null,
                new Caller(rs.getString("id"), rs.getString("account_id"), rs.getString("name"),
                        (Integer) rs.getObject("rpm_limit"), rs.getBigDecimal("spend_limit"),
                        rs.getTimestamp("expires_at") == null ? null : rs.getTimestamp("expires_at").toInstant(),
                        (Integer) rs.getObject("max_concurrent_requests"), ApiKeyFormat.scopeOf(rs.getString("models")))),
                hash);
        String refusal = found.isEmpty() ? "Incorrect API key provided."
                : found.get(0).revoked() ? "This API key has been revoked." : null;
        if (refusal != null) {
            known.invalidate(hash);
            refused.put(hash, refusal);
            failures.failed(clientAddress);
            throw unauthorized(refusal);
        }
        Caller caller = found.get(0).caller();
        known.put(hash, caller);
        return caller;
    }

    private record KeyRow(boolean revoked, Caller caller) {
    }

    private static void checkExpiry(Caller caller) {
        if (caller.expiresAt() != null && !caller.expiresAt().isAfter(Instant.now())) {
            throw unauthorized("This API key has expired.");
        }
    }

    /** @param howToSend the headers the route reads a key from, for the message when there is none */
    private static String bearer(String authorization, String howToSend) {
        if (authorization == null || authorization.isBlank()) {
            throw unauthorized("Missing API key: send it as " + howToSend + ".");
        }
        String value = authorization.trim();
        if (value.regionMatches(true, 0, "Bearer ", 0, 7)) {
            value = value.substring(7).trim();
        }
        if (value.isEmpty()) {
            throw unauthorized("Missing API key: send it as " + howToSend + ".");
        }
        return value;
    }

    public static GatewayException unauthorized(String message) {
        return new GatewayException(401, "invalid_request_error", "invalid_api_key", null, message, null);
    }
}
