package dev.caravan.auth;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Set;

/**
 * The authenticated key of a request and the account it draws on.
 *
 * @param maxConcurrentRequests the key's own bound on requests in flight, or null for the configured one
 * @param models                the catalog models the key may use, or null for every model
 */
public record Caller(String keyId, String accountId, String keyName, Integer rpmLimit, BigDecimal spendLimit,
                     Instant expiresAt, Integer maxConcurrentRequests, Set<String> models) {

    /** A key without a concurrency bound or model scope of its own. */
    public Caller(String keyId, String accountId, String keyName, Integer rpmLimit, BigDecimal spendLimit,
                  Instant expiresAt) {
        this(keyId, accountId, keyName, rpmLimit, spendLimit, expiresAt, null, null);
    }
}
