package dev.caravan.events;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Where usage events go ({@code caravan.kafka}, docs/kafka.md). Off while {@code bootstrap-servers} is
 * blank. {@code properties} are Kafka producer settings handed to the client as they are (security,
 * SASL, TLS, timeouts); they are checked at startup against the client's own definitions, so a
 * misspelt key or an invalid value stops the start with a message naming it. Defaults are in the
 * gateway's built-in application.yaml.
 *
 * @param relayInterval how often the relay looks for unsent events
 * @param batchSize     the most events one relay turn sends
 * @param sentRetention how long relayed events stay in the outbox before they are deleted
 */
@ConfigurationProperties("caravan.kafka")
public record KafkaSettings(
        String bootstrapServers,
        String topic,
        String clientId,
        Map<String, String> properties,
        Duration relayInterval,
        int batchSize,
        Duration sentRetention) {

    /** What the relay relies on: delivery guarantees, and settings that have their own key here. */
    private static final Map<String, String> RESERVED = Map.of(
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "always true: the relay retries without duplicating on the broker",
            ProducerConfig.ACKS_CONFIG, "always all: an event counts as sent only when every in-sync replica has it",
            ProducerConfig.TRANSACTIONAL_ID_CONFIG, "not used: the outbox, not a Kafka transaction, makes delivery safe",
            ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, "fixed: the key is the account id as a string",
            ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, "fixed: the value is the event as JSON text",
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "set caravan.kafka.bootstrap-servers instead",
            ProducerConfig.CLIENT_ID_CONFIG, "set caravan.kafka.client-id instead");

    public KafkaSettings {
        properties = properties == null ? Map.of() : Map.copyOf(properties);
        if (bootstrapServers != null && !bootstrapServers.isBlank()) {
            require(topic, "topic");
            require(clientId, "client-id");
            if (batchSize < 1) {
                throw new IllegalArgumentException("caravan.kafka.batch-size: must be at least 1, got " + batchSize);
            }
            checkClientProperties(properties);
        }
    }

    public boolean enabled() {
        return bootstrapServers != null && !bootstrapServers.isBlank();
    }

    private static void require(String value, String key) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("caravan.kafka." + key + ": required when bootstrap-servers is set");
        }
    }

    private static void checkClientProperties(Map<String, String> properties) {
        Set<String> known = ProducerConfig.configNames();
        properties.forEach((key, value) -> {
            if (RESERVED.containsKey(key)) {
                throw new IllegalArgumentException("caravan.kafka.properties." + key + ": " + RESERVED.get(key));
            }
            if (!known.contains(key)) {
                throw new IllegalArgumentException("caravan.kafka.properties." + key
                        + ": not a Kafka producer setting (see the producer configs of the Kafka documentation)");
            }
        });
        Map<String, Object> all = new HashMap<>(properties);
        all.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "checked.invalid:9092");
        all.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        all.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        try {
            ProducerConfig.configDef().parse(all);
        } catch (ConfigException invalid) {
            // Kafka's message names the setting and the value; a password-type value is shown as [hidden]
            throw new IllegalArgumentException("caravan.kafka.properties: " + invalid.getMessage());
        }
    }
}
