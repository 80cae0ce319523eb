package dev.caravan.auth;

import java.math.BigDecimal;
import java.time.Instant;

/** The authenticated key of a request and the account it draws on. */
public record Caller(String keyId, String accountId, String keyName, Integer rpmLimit, BigDecimal spendLimit,
                     Instant expiresAt) {
}
