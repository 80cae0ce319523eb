package dev.caravan.tracing;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.Environment;
import org.springframework.core.env.PropertySource;

/**
 * Tracing is on exactly when there is somewhere to send it: setting {@code management.otlp.tracing.endpoint}
 * ({@code MANAGEMENT_OTLP_TRACING_ENDPOINT}) alone switches {@code management.tracing.enabled} on and samples
 * every request, unless those are set explicitly. Without an endpoint, tracing is off and the sampling
 * probability 0: the OpenTelemetry SDK is on the class path either way (Spring Boot then always builds a
 * tracer), and unsampled spans are not recorded, so a gateway without a collector pays next to nothing.
 * Looked up at each read and added last, so explicit settings win (as {@code events.KafkaSwitch} does).
 */
public class TracingSwitch implements EnvironmentPostProcessor {

    static final String ENDPOINT = "management.otlp.tracing.endpoint";
    static final String ENABLED = "management.tracing.enabled";
    static final String PROBABILITY = "management.tracing.sampling.probability";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        environment.getPropertySources().addLast(new Derived(environment));
    }

    /** The environment is a field, not the source: Spring Boot would walk into an environment source. */
    private static final class Derived extends PropertySource<Object> {

        private final Environment environment;

        Derived(Environment environment) {
            super("caravanTracingSwitch", new Object());
            this.environment = environment;
        }

        @Override
        public Object getProperty(String name) {
            if (!ENABLED.equals(name) && !PROBABILITY.equals(name)) {
                return null;
            }
            String endpoint = environment.getProperty(ENDPOINT);
            boolean exporting = endpoint != null && !endpoint.isBlank();
            return ENABLED.equals(name) ? String.valueOf(exporting) : exporting ? "1.0" : "0.0";
        }
    }
}
