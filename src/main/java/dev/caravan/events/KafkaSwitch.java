package dev.caravan.events;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.Environment;
import org.springframework.core.env.PropertySource;

/**
 * Derives {@code caravan.kafka.enabled} from {@code caravan.kafka.bootstrap-servers}, so that setting
 * {@code CARAVAN_KAFKA_BOOTSTRAP_SERVERS} alone switches usage events on, and routes can say
 * {@code autoStartup: "{{caravan.kafka.enabled}}"}. Looked up at each read and added last, so an
 * explicit {@code caravan.kafka.enabled=false} still wins.
 */
public class KafkaSwitch implements EnvironmentPostProcessor {

    static final String ENABLED = "caravan.kafka.enabled";
    static final String BOOTSTRAP_SERVERS = "caravan.kafka.bootstrap-servers";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        environment.getPropertySources().addLast(new Derived(environment));
    }

    /**
     * The environment is a field, not the property source's source: Spring Boot walks into a source
     * that is an environment, and would walk into this one's own sources again without end.
     */
    private static final class Derived extends PropertySource<Object> {

        private final Environment environment;

        Derived(Environment environment) {
            super("caravanKafkaSwitch", new Object());
            this.environment = environment;
        }

        @Override
        public Object getProperty(String name) {
            if (!ENABLED.equals(name)) {
                return null;
            }
            String servers = environment.getProperty(BOOTSTRAP_SERVERS);
            return String.valueOf(servers != null && !servers.isBlank());
        }
    }
}
