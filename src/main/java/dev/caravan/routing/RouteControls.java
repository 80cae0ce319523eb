package dev.caravan.routing;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import dev.caravan.api.GatewayException;

/**
 * The OpenRouter-style routing fields of a request: {@code models} (fallback list), {@code route}
 * and {@code provider} ({@code order}, {@code only}, {@code ignore}, {@code sort},
 * {@code allow_fallbacks}, {@code max_price}), plus Caravan's {@code provider.hedge_after_ms}.
 * Malformed fields are refused with a 400 naming the field.
 *
 * @param maxPrompt     USD per million prompt tokens a backend may cost at most; null: no limit
 * @param maxCompletion USD per million completion tokens a backend may cost at most; null: no limit
 * @param hedgeAfter    null: as the model says; zero: no hedging for this request
 */
public record RouteControls(List<String> models, List<String> order, Set<String> only, Set<String> ignore, Sort sort,
                            boolean allowFallbacks, BigDecimal maxPrompt, BigDecimal maxCompletion,
                            Duration hedgeAfter) {

    /** How the backends of one model are ordered. */
    public enum Sort {
        /** cheapest effective price for this request first (free tiers first) */
        PRICE,
        /** lowest measured time to first byte first */
        LATENCY,
        /** highest measured tokens per second first */
        THROUGHPUT
    }

    static final RouteControls NONE = new RouteControls(List.of(), List.of(), Set.of(), Set.of(), Sort.PRICE, true,
            null, null, null);

    public static RouteControls from(JsonNode body) {
        List<String> models = strings(body.get("models"), "models");
        JsonNode route = body.get("route");
        if (route != null && !route.isNull() && !"fallback".equals(route.asText())) {
            throw GatewayException.invalidRequest("route", "'route' can only be \"fallback\" (try the models in order).");
        }
        JsonNode provider = body.get("provider");
        if (provider == null || provider.isNull()) {
            return models.isEmpty() ? NONE : new RouteControls(models, List.of(), Set.of(), Set.of(), Sort.PRICE, true,
                    null, null, null);
        }
        if (!provider.isObject()) {
            throw GatewayException.invalidRequest("provider", "'provider' must be an object.");
        }
        JsonNode maxPrice = provider.path("max_price");
        if (!maxPrice.isMissingNode() && !maxPrice.isNull() && !maxPrice.isObject()) {
            throw GatewayException.invalidRequest("provider.max_price",
                    "'provider.max_price' must be an object: {\"prompt\": USD per 1M tokens, \"completion\": ...}.");
        }
        return new RouteControls(models, strings(provider.get("order"), "provider.order"),
                new LinkedHashSet<>(strings(provider.get("only"), "provider.only")),
                new LinkedHashSet<>(strings(provider.get("ignore"), "provider.ignore")),
                sort(provider.get("sort")), allowFallbacks(provider.get("allow_fallbacks")),
                price(maxPrice.get("prompt"), "provider.max_price.prompt"),
                price(maxPrice.get("completion"), "provider.max_price.completion"),
                hedgeAfter(provider.get("hedge_after_ms")));
    }

    private static List<String> strings(JsonNode node, String param) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        List<String> values = new ArrayList<>();
        if (node.isArray()) {
            for (JsonNode item : node) {
                if (!item.isTextual() || item.asText().isBlank()) {
                    values = null;
                    break;
                }
                values.add(item.asText());
            }
        }
        if (values == null || !node.isArray()) {
            throw GatewayException.invalidRequest(param, "'" + param + "' must be an array of non-empty strings.");
        }
        return List.copyOf(values);
    }

    private static Sort sort(JsonNode node) {
        if (node == null || node.isNull()) {
            return Sort.PRICE;
        }
        for (Sort sort : Sort.values()) {
            if (sort.name().toLowerCase(Locale.ROOT).equals(node.asText())) {
                return sort;
            }
        }
        throw GatewayException.invalidRequest("provider.sort",
                "'provider.sort' must be one of \"price\", \"latency\", \"throughput\".");
    }

    private static boolean allowFallbacks(JsonNode node) {
        if (node == null || node.isNull()) {
            return true;
        }
        if (!node.isBoolean()) {
            throw GatewayException.invalidRequest("provider.allow_fallbacks", "'provider.allow_fallbacks' must be a boolean.");
        }
        return node.booleanValue();
    }

    private static BigDecimal price(JsonNode node, String param) {
        if (node == null || node.isNull()) {
            return null;
        }
        BigDecimal value = null;
        try {
            value = node.isNumber() ? node.decimalValue() : node.isTextual() ? new BigDecimal(node.asText().trim()) : null;
        } catch (NumberFormatException e) {
            // refused below
        }
        if (value == null || value.signum() < 0) {
            throw GatewayException.invalidRequest(param, "'" + param + "' must be a non-negative USD price per 1M tokens.");
        }
        return value;
    }

    private static Duration hedgeAfter(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.canConvertToExactIntegral() || node.asLong() < 0 || node.asLong() > 600_000) {
            throw GatewayException.invalidRequest("provider.hedge_after_ms",
                    "'provider.hedge_after_ms' must be an integer from 0 (no hedging) to 600000.");
        }
        return Duration.ofMillis(node.asLong());
    }
}
