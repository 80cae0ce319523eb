package dev.caravan.billing;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Map;

import dev.caravan.api.ClientInput;
import dev.caravan.api.GatewayException;

/** The query parameters of a usage listing, shared by the caller and admin APIs. */
public final class UsageFilters {

    /** usage_records.model is VARCHAR(200). */
    private static final int MAX_MODEL_LENGTH = 200;

    private UsageFilters() {
    }

    /** Parses {@code from, to, model, key_id, cursor, limit}; unknown parameters are ignored. */
    public static UsageQueries.Filter parse(String accountId, Map<String, String> query) {
        Long pageSize = number("limit", query.get("limit"), 1000L);
        return new UsageQueries.Filter(accountId, time("from", query.get("from")), time("to", query.get("to")),
                ClientInput.text(blankToNull(query.get("model")), "model", MAX_MODEL_LENGTH), keyId(query.get("key_id")),
                number("cursor", query.get("cursor"), Long.MAX_VALUE), pageSize == null ? 50 : pageSize.intValue());
    }

    private static String keyId(String value) {
        String keyId = blankToNull(value);
        if (keyId != null && !ClientInput.isId(keyId)) {
            throw GatewayException.invalidRequest("key_id", "'key_id' must be a key id such as key_0123456789abcdef01234567.");
        }
        return keyId;
    }

    private static Instant time(String param, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            try {
                return LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant();
            } catch (DateTimeParseException again) {
                throw GatewayException.invalidRequest(param, "'" + param
                        + "' must be an ISO-8601 instant (2026-01-31T00:00:00Z) or a date (2026-01-31).");
            }
        }
    }

    private static Long number(String param, String value, long max) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            long parsed = Long.parseLong(value);
            if (parsed < 1 || parsed > max) {
                throw new NumberFormatException();
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw GatewayException.invalidRequest(param, "'" + param + "' must be a positive integer"
                    + (max < Long.MAX_VALUE ? " up to " + max : "") + ".");
        }
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
