package dev.caravan.admin;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import dev.caravan.api.ClientInput;
import dev.caravan.api.ClientJson;
import dev.caravan.api.GatewayException;
import dev.caravan.billing.Accounts;
import dev.caravan.catalog.Catalog;
import dev.caravan.catalog.CatalogModel;

/**
 * The fields of the admin API's request bodies, checked before anything reaches the database: each
 * bad value is a 400 naming its field. Text lengths are those of the columns they go to.
 */
public final class AdminRequests {

    private static final BigDecimal MAX_AMOUNT = new BigDecimal("1000000000");
    private static final int MAX_LIMIT = 1_000_000;

    private AdminRequests() {
    }

    /** The body as a JSON object, or a 400. */
    static JsonNode object(ClientJson clientJson, byte[] body) {
        if (body == null || body.length == 0) {
            throw GatewayException.invalidRequest(null, "A JSON object body is required.");
        }
        JsonNode node = clientJson.read(body);
        if (!node.isObject()) {
            throw GatewayException.invalidRequest(null, "The request body must be a JSON object.");
        }
        return node;
    }

    /** A new key: {@code name} (required), {@code rpm_limit}, {@code spend_limit}, {@code expires_at}, {@code max_concurrent_requests}, {@code models}. */
    public static Accounts.KeySpec keySpec(JsonNode request, Catalog catalog) {
        Instant expiresAt = null;
        JsonNode expires = request.get("expires_at");
        if (expires != null && !expires.isNull()) {
            expiresAt = expiry(expires.asText());
        }
        return new Accounts.KeySpec(requiredText(request, "name", 200), optionalLimit(request, "rpm_limit"),
                amount(request.get("spend_limit"), "spend_limit", false), expiresAt,
                optionalLimit(request, "max_concurrent_requests"), models(request.get("models"), catalog));
    }

    /** An instant, or a date: the key works through that date (UTC) and expires at the next midnight. */
    private static Instant expiry(String value) {
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException notInstant) {
            try {
                return java.time.LocalDate.parse(value).plusDays(1).atStartOfDay(java.time.ZoneOffset.UTC).toInstant();
            } catch (DateTimeParseException notDate) {
                throw GatewayException.invalidRequest("expires_at",
                        "'expires_at' must be an ISO-8601 instant (2027-01-31T00:00:00Z) or a date (2027-01-31).");
            }
        }
    }

    /** Catalog model ids, at least one; null when the field is absent (every model). */
    private static List<String> models(JsonNode node, Catalog catalog) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isArray() || node.isEmpty()) {
            throw GatewayException.invalidRequest("models", "'models' must be a non-empty array of model ids from GET /v1/models.");
        }
        Set<String> known = new LinkedHashSet<>(catalog.models().stream().map(CatalogModel::id).toList());
        List<String> models = new ArrayList<>();
        for (JsonNode model : node) {
            if (!model.isTextual() || !known.contains(model.asText())) {
                throw GatewayException.invalidRequest("models", "'models' may list only model ids of the catalog "
                        + "(GET /v1/models), not " + (model.isTextual() ? "'" + ClientInput.text(model.asText(), "models", 200)
                        + "'" : model.getNodeType().toString().toLowerCase(java.util.Locale.ROOT)) + ".");
            }
            if (!models.contains(model.asText())) {
                models.add(model.asText());
            }
        }
        return models;
    }

    private static Integer optionalLimit(JsonNode request, String field) {
        JsonNode node = request.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.canConvertToExactIntegral() || node.asLong() < 1 || node.asLong() > MAX_LIMIT) {
            throw GatewayException.invalidRequest(field, "'" + field + "' must be an integer from 1 to " + MAX_LIMIT + ".");
        }
        return node.asInt();
    }

    static String requiredText(JsonNode request, String field, int maxLength) {
        String value = optionalText(request, field, maxLength);
        if (value == null || value.isBlank()) {
            throw GatewayException.invalidRequest(field, "'" + field + "' is required.");
        }
        return value;
    }

    static String optionalText(JsonNode request, String field, int maxLength) {
        JsonNode node = request.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw GatewayException.invalidRequest(field, "'" + field + "' must be a string of at most " + maxLength
                    + " characters.");
        }
        return ClientInput.text(node.asText(), field, maxLength);
    }

    /** A positive USD amount given as a JSON number or numeric string, at most 12 decimals. */
    static BigDecimal amount(JsonNode node, String field, boolean required) {
        if (node == null || node.isNull()) {
            if (required) {
                throw GatewayException.invalidRequest(field, "'" + field + "' is required (USD, e.g. 10.00).");
            }
            return null;
        }
        BigDecimal value;
        try {
            value = node.isNumber() ? node.decimalValue() : node.isTextual() ? new BigDecimal(node.asText().trim()) : null;
        } catch (NumberFormatException e) {
            value = null;
        }
        if (value == null || value.signum() <= 0 || value.compareTo(MAX_AMOUNT) > 0
                || value.stripTrailingZeros().scale() > 12) {
            throw GatewayException.invalidRequest(field, "'" + field
                    + "' must be a positive USD amount up to 1000000000 with at most 12 decimals.");
        }
        return value;
    }
}
