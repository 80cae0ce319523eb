package dev.caravan.events;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import dev.caravan.billing.Ledger;
import dev.caravan.metering.UsageRecord;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * The outbox table between settlement and Kafka. {@link #append} runs inside the settlement
 * transaction; the relay route claims, sends and marks. Without a sink configured nothing is written:
 * the usage table is the record, and an outbox nobody drains would only grow. Relayed rows are kept
 * for {@code caravan.kafka.sent-retention} (to re-send by hand: set their sent_at back to NULL), then deleted.
 */
@Component("usageOutbox")
public class UsageOutbox {

    /** One event waiting for the relay. */
    public record Event(long seq, String eventId, String accountId, String payload) {
    }

    /** Unsent events: how many, and when the oldest was settled (null when none). */
    public record Backlog(long size, Instant oldest) {
    }

    private static final Logger log = LoggerFactory.getLogger(UsageOutbox.class);

    private final JdbcTemplate jdbc;
    private final UsageEventJson events;
    private final KafkaSettings settings;

    public UsageOutbox(JdbcTemplate jdbc, UsageEventJson events, KafkaSettings settings, MeterRegistry registry) {
        this.jdbc = jdbc;
        this.events = events;
        this.settings = settings;
        Gauge.builder("caravan.usage.events.backlog", this, outbox -> outbox.backlog().size())
                .description("Usage events settled but not yet acknowledged by Kafka")
                .register(registry);
        Gauge.builder("caravan.usage.events.oldest.unsent.age", this, UsageOutbox::oldestUnsentAgeSeconds)
                .description("Age of the oldest usage event not yet acknowledged by Kafka (0 when none)")
                .baseUnit("seconds")
                .register(registry);
    }

    /** Called by settlement, in its transaction: the events commit with the charges or not at all. */
    public void append(List<Ledger.Settled> settled) {
        if (!settings.enabled() || settled.isEmpty()) {
            return;
        }
        jdbc.batchUpdate("INSERT INTO usage_outbox (event_id, account_id, payload, created_at) VALUES (?, ?, ?, ?)",
                settled, settled.size(), (statement, each) -> {
                    UsageRecord usage = each.usage();
                    statement.setString(1, usage.requestId());
                    statement.setString(2, usage.accountId());
                    statement.setString(3, events.toJson(each));
                    statement.setTimestamp(4, Timestamp.from(usage.createdAt()));
                });
    }

    /**
     * Within the caller's transaction: takes the relay lock and reads the oldest unsent events, in
     * the order they were settled. Settlement locks the account row before it appends, so an
     * account's events get their seq in commit order and none can appear later behind a newer one.
     *
     * @return the events to send; empty when there are none or another instance holds the lock
     */
    public List<Event> claim() {
        List<String> lock = jdbc.queryForList(
                "SELECT name FROM usage_outbox_relay WHERE name = 'relay' FOR UPDATE SKIP LOCKED", String.class);
        if (lock.isEmpty()) {
            return List.of();
        }
        return jdbc.query("""
                SELECT seq, event_id, account_id, payload FROM usage_outbox
                WHERE sent_at IS NULL ORDER BY seq LIMIT ?""",
                (rs, i) -> new Event(rs.getLong("seq"), rs.getString("event_id"), rs.getString("account_id"),
                        rs.getString("payload")), settings.batchSize());
    }

    /** Within the claim's transaction, after the broker acknowledged every one of them. */
    public void markSent(List<Event> sent) {
        Timestamp now = Timestamp.from(Instant.now());
        jdbc.batchUpdate("UPDATE usage_outbox SET sent_at = ? WHERE seq = ?", sent, sent.size(),
                (statement, event) -> {
                    statement.setTimestamp(1, now);
                    statement.setLong(2, event.seq());
                });
    }

    public Backlog backlog() {
        return jdbc.queryForObject("SELECT COUNT(*), MIN(created_at) FROM usage_outbox WHERE sent_at IS NULL",
                (rs, i) -> {
                    Timestamp oldest = rs.getTimestamp(2);
                    return new Backlog(rs.getLong(1), oldest == null ? null : oldest.toInstant());
                });
    }

    double oldestUnsentAgeSeconds() {
        Instant oldest = backlog().oldest();
        return oldest == null ? 0 : Math.max(0, Duration.between(oldest, Instant.now()).toMillis() / 1000.0);
    }

    @Scheduled(fixedDelayString = "${caravan.kafka.prune-interval:10m}", initialDelayString = "${caravan.kafka.prune-interval:10m}")
    public void pruneSent() {
        pruneSentBefore(Instant.now().minus(settings.sentRetention()));
    }

    /** @return how many relayed events were deleted */
    public int pruneSentBefore(Instant cutoff) {
        int deleted = jdbc.update("DELETE FROM usage_outbox WHERE sent_at < ?", Timestamp.from(cutoff));
        if (deleted > 0) {
            log.debug("Deleted {} relayed usage event(s) sent before {}", deleted, cutoff);
        }
        return deleted;
    }
}
