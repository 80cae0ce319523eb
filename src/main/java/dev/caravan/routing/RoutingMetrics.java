package dev.caravan.routing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import dev.caravan.catalog.Backend;
import dev.caravan.catalog.Catalog;
import dev.caravan.catalog.CurrentCatalog;
import dev.caravan.catalog.CatalogProperties.FreeTier;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.springframework.stereotype.Component;

/**
 * Routing metrics at {@code /actuator/prometheus}:
 * <ul>
 *   <li>{@code caravan_upstream_attempts_seconds{backend,outcome}}: every upstream call, failed ones too;</li>
 *   <li>{@code caravan_upstream_skipped_total{backend,reason}}: candidates passed over (circuit open, free tier used up);</li>
 *   <li>{@code caravan_backend_breaker_state{backend,state}}: 1 for the breaker's current state, else 0;</li>
 *   <li>{@code caravan_free_tier_remaining{provider,limit}}: what a free tier has left in its current window.</li>
 * </ul>
 * The gauges follow the catalog when it is reloaded.
 */
@Component
public class RoutingMetrics {

    private static final CircuitBreaker.State[] SHOWN_STATES = {
            CircuitBreaker.State.CLOSED, CircuitBreaker.State.OPEN, CircuitBreaker.State.HALF_OPEN};

    private final MeterRegistry registry;
    private final BackendBreakers breakers;
    private final FreeTierQuotas quotas;
    /** The gauges of each backend (breaker states) and of each free tier, to remove when they go. */
    private final Map<String, List<Meter>> backendGauges = new HashMap<>();
    private final Map<String, FreeTier> freeTierLimits = new HashMap<>();
    private final Map<String, List<Meter>> freeTierGauges = new HashMap<>();

    public RoutingMetrics(MeterRegistry registry, CurrentCatalog catalog, BackendBreakers breakers, FreeTierQuotas quotas) {
        this.registry = registry;
        this.breakers = breakers;
        this.quotas = quotas;
        follow(catalog.get());
        catalog.onReplace(this::follow);
    }

    /**
     * Gauges for the catalog's backends and free tiers: those kept keep theirs (a Gauge of the same
     * name and tags is the one already registered), new ones get theirs, removed ones lose theirs, and
     * a free tier whose limits changed gets gauges of its new limits.
     */
    private synchronized void follow(Catalog catalog) {
        Map<String, FreeTier> tiers = new HashMap<>();
        for (Backend backend : catalog.backends()) {
            backendGauges.computeIfAbsent(backend.id(), id -> breakerGauges(backend));
            if (backend.isFreeTier()) {
                tiers.putIfAbsent(backend.providerName(), backend.provider().freeTier());
            }
        }
        Set<String> backendIds = catalog.backends().stream().map(Backend::id).collect(Collectors.toSet());
        backendGauges.entrySet().removeIf(gauges -> !backendIds.contains(gauges.getKey()) && removeAll(gauges.getValue()));
        freeTierGauges.entrySet().removeIf(gauges -> !Objects.equals(tiers.get(gauges.getKey()),
                freeTierLimits.get(gauges.getKey())) && removeAll(gauges.getValue()));
        tiers.forEach((provider, limits) -> {
            freeTierLimits.put(provider, limits);
            freeTierGauges.computeIfAbsent(provider, p -> freeTierGauges(p, limits));
        });
        freeTierLimits.keySet().retainAll(tiers.keySet());
    }

    private boolean removeAll(List<Meter> meters) {
        meters.forEach(registry::remove);
        return true;
    }

    private List<Meter> breakerGauges(Backend backend) {
        List<Meter> gauges = new ArrayList<>();
        for (CircuitBreaker.State state : SHOWN_STATES) {
            gauges.add(Gauge.builder("caravan.backend.breaker.state", breakers,
                            b -> b.state(backend) == state ? 1 : 0)
                    .description("1 for the current state of the backend's circuit breaker")
                    .tags("backend", backend.id(), "state", state.name().toLowerCase(Locale.ROOT))
                    .register(registry));
        }
        return gauges;
    }

    private List<Meter> freeTierGauges(String provider, FreeTier limits) {
        List<Meter> gauges = new ArrayList<>();
        if (limits.requestsPerMinute() != null) {
            gauges.add(freeTierGauge(provider, "requests_per_minute", () -> quotas.snapshot(provider, limits).requestsLeftThisMinute()));
        }
        if (limits.requestsPerDay() != null) {
            gauges.add(freeTierGauge(provider, "requests_per_day", () -> quotas.snapshot(provider, limits).requestsLeftToday()));
        }
        if (limits.tokensPerMinute() != null) {
            gauges.add(freeTierGauge(provider, "tokens_per_minute", () -> quotas.snapshot(provider, limits).tokensLeftThisMinute()));
        }
        return gauges;
    }

    private Meter freeTierGauge(String provider, String limit, java.util.function.Supplier<Integer> left) {
        // registered once per provider even when several backends share it
        return Gauge.builder("caravan.free_tier.remaining", left, s -> s.get())
                .description("What the free tier has left in its current window")
                .tags("provider", provider, "limit", limit)
                .register(registry);
    }

    void attempt(String backendId, String outcome, long nanos) {
        Timer.builder("caravan.upstream.attempts")
                .description("Upstream calls by backend and outcome, failed and cancelled ones included")
                .tags("backend", backendId, "outcome", outcome)
                .register(registry)
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    void abandonedHedge(String backendId, boolean chargedToClient) {
        Counter.builder("caravan.hedge.abandoned")
                .description("Hedged attempts given up for another: charged to the client (its hedge) or not (the model's)")
                .tags("backend", backendId, "charged", String.valueOf(chargedToClient))
                .register(registry)
                .increment();
    }

    void skipped(String backendId, String reason) {
        Counter.builder("caravan.upstream.skipped")
                .description("Candidates passed over without a call")
                .tags("backend", backendId, "reason", reason)
                .register(registry)
                .increment();
    }
}
