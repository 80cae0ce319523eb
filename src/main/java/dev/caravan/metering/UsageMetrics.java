package dev.caravan.metering;

import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.springframework.stereotype.Component;

/**
 * Request, token and cost metrics by model and backend, fed by the {@code record-usage} route.
 * Exported at {@code /actuator/prometheus} as {@code caravan_requests_seconds}, {@code caravan_tokens_total}
 * and {@code caravan_cost_usd_total}. (Metrics are approximate by nature; the ledger is the money record.)
 */
@Component("usageMetrics")
public class UsageMetrics {

    private final MeterRegistry registry;

    public UsageMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public void record(UsageRecord usage) {
        String outcome = usage.cancelled() ? "cancelled" : "error".equals(usage.finishReason()) ? "error" : "ok";
        Timer.builder("caravan.requests")
                .description("Answered requests by model and backend")
                .tags("model", usage.requestedModel(), "backend", usage.backendId(), "status",
                        String.valueOf(usage.status()), "outcome", outcome, "stream", String.valueOf(usage.streamed()))
                .register(registry)
                .record(usage.latencyMillis(), TimeUnit.MILLISECONDS);
        tokens(usage, "prompt", usage.tokens().promptTokens());
        tokens(usage, "completion", usage.tokens().completionTokens());
        Counter.builder("caravan.cost.usd")
                .description("Cost charged in USD")
                .tags("model", usage.requestedModel(), "backend", usage.backendId())
                .register(registry)
                .increment(usage.cost().doubleValue());
    }

    /** A request refused or failed before an answer: counted, never charged. {@code model} null: not resolved. */
    public void recordFailure(String model, int status) {
        Counter.builder("caravan.failures")
                .description("Requests answered with an error")
                .tags("model", model == null ? "unknown" : model, "status", String.valueOf(status))
                .register(registry)
                .increment();
    }

    private void tokens(UsageRecord usage, String type, long count) {
        Counter.builder("caravan.tokens")
                .description("Tokens by model, backend and type")
                .tags("model", usage.requestedModel(), "backend", usage.backendId(), "type", type)
                .register(registry)
                .increment(count);
    }
}
