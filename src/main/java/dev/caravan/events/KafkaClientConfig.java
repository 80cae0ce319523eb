package dev.caravan.events;

import org.apache.camel.component.kafka.KafkaComponent;
import org.apache.camel.spi.ComponentCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Hands {@code caravan.kafka.properties} to the Kafka client as they are (security, SASL, TLS,
 * timeouts). They go through the component, not an endpoint URI, so a password in them never appears
 * in a route dump or a log line; they override the defaults the relay route sets.
 */
@Configuration(proxyBeanMethods = false)
public class KafkaClientConfig {

    @Bean
    ComponentCustomizer kafkaClientProperties(KafkaSettings settings) {
        return ComponentCustomizer.builder(KafkaComponent.class)
                .build(kafka -> kafka.getConfiguration().getAdditionalProperties().putAll(settings.properties()));
    }
}
