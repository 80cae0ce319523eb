package dev.caravan.billing;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

import dev.caravan.api.GatewayException;

/** The query parameters of a usage listing, shared by the caller and admin APIs. */
public final class UsageFilters {

    private UsageFilters() {
    }

    /** Parses the usage listing parameters shared by the caller and admin APIs. */
    public static UsageQueries.Filter parse(String accountId, String from, String to, String model, String keyId,
                                      String cursor, String limit) {
        Long pageSize = number("limit", limit, 1000L);
        return new UsageQueries.Filter(accountId, time("from", from), time("to", to), blankToNull(model),
                blankToNull(keyId), number("cursor", cursor, Long.MAX_VALUE), pageSize == null ? 50 : pageSize.intValue());
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
