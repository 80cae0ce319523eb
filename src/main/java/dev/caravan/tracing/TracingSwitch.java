package dev.caravan.tracing;

import dev.caravan.DerivedSettings;
import org.springframework.core.env.Environment;

/**
 * Tracing is on exactly when there is somewhere to send it: setting {@code management.otlp.tracing.endpoint}
 * ({@code MANAGEMENT_OTLP_TRACING_ENDPOINT}) alone switches {@code management.tracing.enabled} on and samples
 * every request, unless those are set explicitly. Without an endpoint, tracing is off and the sampling
 * probability 0: the OpenTelemetry SDK is on the class path either way (Spring Boot then always builds a
 * tracer), and unsampled spans are not recorded, so a gateway without a collector pays next to nothing.
 * Explicit settings win ({@link dev.caravan.DerivedSettings}).
 */
public class TracingSwitch extends DerivedSettings {

    static final String ENDPOINT = "management.otlp.tracing.endpoint";
    static final String ENABLED = "management.tracing.enabled";
    static final String PROBABILITY = "management.tracing.sampling.probability";

    public TracingSwitch() {
        super("caravanTracingSwitch");
    }

    @Override
    protected Object derive(String setting, Environment environment) {
        if (!ENABLED.equals(setting) && !PROBABILITY.equals(setting)) {
            return null;
        }
        String endpoint = environment.getProperty(ENDPOINT);
        boolean exporting = endpoint != null && !endpoint.isBlank();
        return ENABLED.equals(setting) ? String.valueOf(exporting) : exporting ? "1.0" : "0.0";
    }
}
