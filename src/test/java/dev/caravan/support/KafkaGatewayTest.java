package dev.caravan.support;

import java.time.Duration;

import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Base of the tests of usage events: the whole gateway as in {@link GatewayTest}, with usage events
 * switched on against {@link TestKafka}. All subclasses share this second Spring context (with its own
 * database): add nothing here that differs between tests.
 */
public abstract class KafkaGatewayTest extends GatewayTest {

    protected static final TestKafka KAFKA = TestKafka.get();
    /** How long the tests wait for events: several relay turns, and a broker reconnect. */
    protected static final Duration EVENTS_ARRIVE = Duration.ofSeconds(30);

    @DynamicPropertySource
    static void kafka(DynamicPropertyRegistry registry) {
        // a short lock timeout: a test that holds row locks makes the relay fail quickly
        registry.add("spring.datasource.url", () -> "jdbc:h2:mem:kafka-test;DB_CLOSE_DELAY=-1;MODE=PostgreSQL;"
                + "DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;LOCK_TIMEOUT=1000");
        // the one setting an integrator needs; the topic is the default one
        registry.add("caravan.kafka.bootstrap-servers", KAFKA::bootstrapServers);
        registry.add("caravan.kafka.relay-interval", () -> "100ms");
        registry.add("management.endpoint.health.show-details", () -> "always");
        // producer settings passed through as they are: an outage is noticed within seconds
        registry.add("caravan.kafka.properties.max.block.ms", () -> "2000");
        registry.add("caravan.kafka.properties.request.timeout.ms", () -> "2000");
        registry.add("caravan.kafka.properties.delivery.timeout.ms", () -> "4000");
        registry.add("caravan.kafka.properties.reconnect.backoff.max.ms", () -> "200");
    }
}
