package dev.caravan.routing;

import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.ConcurrentHashMap;

import dev.caravan.metering.UsageRecord;
import org.springframework.stereotype.Component;

/**
 * Moving averages per backend, for {@code provider.sort: latency | throughput} and the admin view:
 * time to first byte of successful attempts (fed by the dispatcher) and completion tokens per second
 * of answered requests (fed by the {@code record-usage} route). Exponentially weighted, so a backend
 * that got slower shows it within a few requests. In memory, per instance.
 */
@Component("backendStats")
public class BackendStats {

    /** Weight of the newest sample. */
    private static final double ALPHA = 0.2;

    private final Map<String, Average> latencyMillis = new ConcurrentHashMap<>();
    private final Map<String, Average> tokensPerSecond = new ConcurrentHashMap<>();

    public void recordFirstByte(String backendId, long millis) {
        latencyMillis.computeIfAbsent(backendId, id -> new Average()).add(millis);
    }

    /** Route step of {@code record-usage}: the throughput of an answered request. */
    public void recordAnswer(UsageRecord usage) {
        long completion = usage.tokens().completionTokens();
        if (completion <= 0 || usage.cancelled()) {
            return;
        }
        double seconds = Math.max(usage.latencyMillis(), 1) / 1000.0;
        tokensPerSecond.computeIfAbsent(usage.backendId(), id -> new Average()).add(completion / seconds);
    }

    public OptionalDouble latencyMillis(String backendId) {
        Average average = latencyMillis.get(backendId);
        return average == null ? OptionalDouble.empty() : OptionalDouble.of(average.value());
    }

    public OptionalDouble tokensPerSecond(String backendId) {
        Average average = tokensPerSecond.get(backendId);
        return average == null ? OptionalDouble.empty() : OptionalDouble.of(average.value());
    }

    private static final class Average {
        private double value = Double.NaN;

        synchronized void add(double sample) {
            value = Double.isNaN(value) ? sample : ALPHA * sample + (1 - ALPHA) * value;
        }

        synchronized double value() {
            return value;
        }
    }
}
