package dev.caravan;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.Environment;
import org.springframework.core.env.PropertySource;

/**
 * Settings whose default follows from other settings (Kafka on when its servers are set, tracing on
 * when its endpoint is): added as the last property source and looked up at each read, so a value set
 * explicitly anywhere still wins, and the derived one follows whatever the other settings end up being.
 */
public abstract class DerivedSettings implements EnvironmentPostProcessor {

    private final String name;

    protected DerivedSettings(String name) {
        this.name = name;
    }

    /** The value of {@code setting} derived from {@code environment}, or null when this derives no such setting. */
    protected abstract Object derive(String setting, Environment environment);

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        environment.getPropertySources().addLast(new Derived(name, environment, this));
    }

    /**
     * The environment is a field, not the property source's source: Spring Boot walks into a source
     * that is an environment, and would walk into this one's own sources again without end.
     */
    private static final class Derived extends PropertySource<Object> {

        private final Environment environment;
        private final DerivedSettings settings;

        Derived(String name, Environment environment, DerivedSettings settings) {
            super(name, new Object());
            this.environment = environment;
            this.settings = settings;
        }

        @Override
        public Object getProperty(String setting) {
            return settings.derive(setting, environment);
        }
    }
}
