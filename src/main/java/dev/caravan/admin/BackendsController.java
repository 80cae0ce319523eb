package dev.caravan.admin;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caravan.catalog.Backend;
import dev.caravan.catalog.Catalog;
import dev.caravan.catalog.CatalogFileReload;
import dev.caravan.catalog.CurrentCatalog;
import dev.caravan.catalog.CatalogModel;
import dev.caravan.routing.BackendBreakers;
import dev.caravan.routing.BackendStats;
import dev.caravan.routing.FreeTierQuotas;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /admin/backends}: what routing sees right now, per backend: its circuit breaker, what its
 * free tier has left, and its measured latency and throughput; and under {@code catalog}, what the
 * last reload of the models file did. Per gateway instance.
 */
@RestController
public class BackendsController {

    private final CurrentCatalog catalog;
    private final BackendBreakers breakers;
    private final FreeTierQuotas quotas;
    private final BackendStats stats;
    private final ObjectMapper json;
    private final Clock clock;
    private final CatalogFileReload reload;

    public BackendsController(CurrentCatalog catalog, BackendBreakers breakers, FreeTierQuotas quotas, BackendStats stats,
                              ObjectMapper json, Clock clock, CatalogFileReload reload) {
        this.clock = clock;
        this.reload = reload;
        this.catalog = catalog;
        this.breakers = breakers;
        this.quotas = quotas;
        this.stats = stats;
        this.json = json;
    }

    @GetMapping(path = "/admin/backends", produces = "application/json")
    public ObjectNode backends() {
        ObjectNode root = json.createObjectNode();
        root.put("object", "list");
        ArrayNode data = root.putArray("data");
        Catalog catalog = this.catalog.get();
        Map<String, List<String>> modelsByBackend = modelsByBackend(catalog);
        for (Backend backend : catalog.backends()) {
            ObjectNode node = data.addObject();
            node.put("id", backend.id());
            node.put("provider", backend.providerName());
            node.put("upstream_model", backend.upstreamModel());
            ArrayNode models = node.putArray("models");
            modelsByBackend.getOrDefault(backend.id(), List.of()).forEach(models::add);
            node.put("configured", backend.provider().hasCredentials());
            // the price requests are charged now: a change announced in the catalog may have taken effect
            Backend priced = backend.pricedAt(clock.instant());
            ObjectNode price = node.putObject("price_per_million");
            price.set("input", DecimalNode.valueOf(priced.price().input()));
            price.set("output", DecimalNode.valueOf(priced.price().output()));
            node.put("price_version", priced.priceVersion());
            node.set("breaker", breaker(breakers.of(backend)));
            if (backend.isFreeTier()) {
                node.set("free_tier", freeTier(quotas.snapshot(backend.providerName(), backend.provider().freeTier())));
            } else {
                node.putNull("free_tier");
            }
            number(node, "latency_ms", stats.latencyMillis(backend.id()));
            number(node, "throughput_tokens_per_second", stats.tokensPerSecond(backend.id()));
        }
        root.set("catalog", catalogReload());
        return root;
    }

    /** Since when the catalog in effect was loaded at start, and what the last reload did. */
    private ObjectNode catalogReload() {
        ObjectNode node = json.createObjectNode();
        node.put("loaded_at", reload.loadedAt().toString());
        CatalogFileReload.Outcome last = reload.lastOutcome();
        if (last == null) {
            node.putNull("last_reload");
        } else {
            ObjectNode outcome = node.putObject("last_reload");
            outcome.put("at", last.at().toString());
            outcome.put("outcome", last.applied() ? "applied" : "refused");
            outcome.put("error", last.error());
        }
        return node;
    }

    private static Map<String, List<String>> modelsByBackend(Catalog catalog) {
        Map<String, List<String>> models = new LinkedHashMap<>();
        for (CatalogModel model : catalog.models()) {
            for (Backend backend : model.backends()) {
                models.computeIfAbsent(backend.id(), id -> new ArrayList<>()).add(model.id());
            }
        }
        return models;
    }

    private ObjectNode breaker(CircuitBreaker breaker) {
        CircuitBreaker.Metrics metrics = breaker.getMetrics();
        ObjectNode node = json.createObjectNode();
        node.put("state", breaker.getState().name().toLowerCase(Locale.ROOT));
        // Resilience4j reports -1 until the minimum number of calls was made
        if (metrics.getFailureRate() < 0) {
            node.putNull("failure_rate_percent");
        } else {
            node.put("failure_rate_percent", metrics.getFailureRate());
        }
        node.put("recent_calls", metrics.getNumberOfBufferedCalls());
        node.put("recent_failures", metrics.getNumberOfFailedCalls());
        node.put("not_permitted_calls", metrics.getNumberOfNotPermittedCalls());
        return node;
    }

    private ObjectNode freeTier(FreeTierQuotas.Snapshot quota) {
        ObjectNode node = json.createObjectNode();
        node.put("requests_per_minute", quota.limits().requestsPerMinute());
        node.put("requests_left_this_minute", quota.requestsLeftThisMinute());
        node.put("requests_per_day", quota.limits().requestsPerDay());
        node.put("requests_left_today", quota.requestsLeftToday());
        node.put("tokens_per_minute", quota.limits().tokensPerMinute());
        node.put("tokens_left_this_minute", quota.tokensLeftThisMinute());
        node.put("minute_resets_at", quota.minuteResetsAt().toString());
        node.put("parked_until", quota.parkedUntil() == null ? null : quota.parkedUntil().toString());
        return node;
    }

    private static void number(ObjectNode node, String field, OptionalDouble value) {
        if (value.isPresent()) {
            node.put(field, Math.round(value.getAsDouble() * 10) / 10.0);
        } else {
            node.putNull(field);
        }
    }
}
