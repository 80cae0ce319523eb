package dev.caravan.routing;

import java.util.Locale;
import java.util.concurrent.TimeUnit;

import dev.caravan.catalog.Backend;
import dev.caravan.catalog.Catalog;
import dev.caravan.catalog.CatalogProperties.FreeTier;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
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
 */
@Component
public class RoutingMetrics {

    private static final CircuitBreaker.State[] SHOWN_STATES = {
            CircuitBreaker.State.CLOSED, CircuitBreaker.State.OPEN, CircuitBreaker.State.HALF_OPEN};

    private final MeterRegistry registry;

    public RoutingMetrics(MeterRegistry registry, Catalog catalog, BackendBreakers breakers, FreeTierQuotas quotas) {
        this.registry = registry;
        for (Backend backend : catalog.backends()) {
            for (CircuitBreaker.State state : SHOWN_STATES) {
                Gauge.builder("caravan.backend.breaker.state", breakers,
                                b -> b.state(backend) == state ? 1 : 0)
                        .description("1 for the current state of the backend's circuit breaker")
                        .tags("backend", backend.id(), "state", state.name().toLowerCase(Locale.ROOT))
                        .register(registry);
            }
            if (backend.isFreeTier()) {
                freeTierGauges(backend.providerName(), backend.provider().freeTier(), quotas);
            }
        }
    }

    private void freeTierGauges(String provider, FreeTier limits, FreeTierQuotas quotas) {
        if (limits.requestsPerMinute() != null) {
            freeTierGauge(provider, "requests_per_minute", () -> quotas.snapshot(provider, limits).requestsLeftThisMinute());
        }
        if (limits.requestsPerDay() != null) {
            freeTierGauge(provider, "requests_per_day", () -> quotas.snapshot(provider, limits).requestsLeftToday());
        }
        if (limits.tokensPerMinute() != null) {
            freeTierGauge(provider, "tokens_per_minute", () -> quotas.snapshot(provider, limits).tokensLeftThisMinute());
        }
    }

    private void freeTierGauge(String provider, String limit, java.util.function.Supplier<Integer> left) {
        // registered once per provider even when several backends share it
        Gauge.builder("caravan.free_tier.remaining", left, s -> s.get())
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
