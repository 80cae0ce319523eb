package dev.caravan.events;

import dev.caravan.DerivedSettings;
import org.springframework.core.env.Environment;

/**
 * Derives {@code caravan.kafka.enabled} from {@code caravan.kafka.bootstrap-servers}, so that setting
 * {@code CARAVAN_KAFKA_BOOTSTRAP_SERVERS} alone switches usage events on, and routes can say
 * {@code autoStartup: "{{caravan.kafka.enabled}}"}. Looked up at each read and added last, so an
 * explicit {@code caravan.kafka.enabled=false} still wins.
 */
public class KafkaSwitch extends DerivedSettings {

    static final String ENABLED = "caravan.kafka.enabled";
    static final String BOOTSTRAP_SERVERS = "caravan.kafka.bootstrap-servers";

    public KafkaSwitch() {
        super("caravanKafkaSwitch");
    }

    @Override
    protected Object derive(String setting, Environment environment) {
        if (!ENABLED.equals(setting)) {
            return null;
        }
        String servers = environment.getProperty(BOOTSTRAP_SERVERS);
        return String.valueOf(servers != null && !servers.isBlank());
    }
}
