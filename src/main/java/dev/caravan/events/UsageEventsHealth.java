package dev.caravan.events;

import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * {@code usageEvents} in {@code /actuator/health}: DOWN with the reason while the relay cannot hand
 * events to Kafka (broker unreachable, authentication refused, topic missing...), UP otherwise. The
 * gateway keeps serving meanwhile, so this is not part of the liveness or readiness probes.
 */
@Component("usageEventsHealthIndicator")
public class UsageEventsHealth implements HealthIndicator {

    private final KafkaSettings settings;
    private final UsageOutbox outbox;
    private final UsageEventRelay relay;

    public UsageEventsHealth(KafkaSettings settings, UsageOutbox outbox, UsageEventRelay relay) {
        this.settings = settings;
        this.outbox = outbox;
        this.relay = relay;
    }

    @Override
    public Health health() {
        if (!settings.enabled()) {
            return Health.up().withDetail("sink", "none: caravan.kafka.bootstrap-servers is not set; "
                    + "usage is recorded in the database only").build();
        }
        UsageEventRelay.Status status = relay.status();
        UsageOutbox.Backlog backlog = outbox.backlog();
        Health.Builder health = status.error() == null ? Health.up() : Health.down()
                .withDetail("error", status.error())
                .withDetail("failingSince", status.failingSince().toString());
        health.withDetail("topic", settings.topic())
                .withDetail("bootstrapServers", settings.bootstrapServers())
                .withDetail("backlog", backlog.size());
        if (backlog.oldest() != null) {
            health.withDetail("oldestUnsent", backlog.oldest().toString());
        }
        if (status.lastSentAt() != null) {
            health.withDetail("lastSentAt", status.lastSentAt().toString());
        }
        return health.build();
    }
}
