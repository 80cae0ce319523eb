package dev.caravan.billing;

import java.io.IOException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caravan.metering.UsageRecord;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Usage records the database refused on their own, for a reason that waiting will not cure (a
 * constraint, a value it cannot store): kept whole in {@code settlement_dead_letters}, with their
 * hold left open, so the money stays reserved and nothing is lost. Each one is an alert (an ERROR
 * line and {@code caravan_billing_settlement_dead_letters_total}); the admin API lists them and
 * settles one again once its cause is fixed. The sweeper leaves their holds alone.
 */
@Component
public class SettlementDeadLetters {

    /** A refused record: the request, its account, the exception class, when. */
    public record DeadLetter(String requestId, String accountId, String failure, Instant createdAt) {
    }

    private static final Logger log = LoggerFactory.getLogger(SettlementDeadLetters.class);

    private final JdbcTemplate jdbc;
    private final ObjectMapper json;
    private final Counter taken;

    public SettlementDeadLetters(JdbcTemplate jdbc, ObjectMapper json, MeterRegistry registry) {
        this.jdbc = jdbc;
        this.json = json;
        this.taken = Counter.builder("caravan.billing.settlement.dead.letters")
                .description("Usage records the database refused for good: kept with their hold open, to settle by hand")
                .register(registry);
    }

    /** Keeps {@code usage}, which the database refused with {@code failure}; a second refusal keeps the first. */
    void take(UsageRecord usage, RuntimeException failure) {
        try {
            jdbc.update("""
                    INSERT INTO settlement_dead_letters (request_id, account_id, payload, failure, created_at)
                    VALUES (?, ?, ?, ?, ?)""", usage.requestId(), usage.accountId(), json.writeValueAsString(usage),
                    failure.getClass().getName(), Timestamp.from(Instant.now()));
        } catch (DuplicateKeyException again) {
            return;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("usage record of " + usage.requestId() + " not serializable", e);
        }
        taken.increment();
        // the class only: the database's message can quote the record's values
        log.error("The database refused the settlement of request {} ({}); kept in settlement_dead_letters with its "
                + "hold open: fix the cause, then POST /admin/dead-letters/{}/retry", usage.requestId(),
                failure.getClass().getName(), usage.requestId());
    }

    public List<DeadLetter> list(int limit) {
        return jdbc.query("""
                SELECT request_id, account_id, failure, created_at FROM settlement_dead_letters
                ORDER BY created_at, request_id LIMIT ?""", (rs, i) -> new DeadLetter(rs.getString("request_id"),
                rs.getString("account_id"), rs.getString("failure"), rs.getTimestamp("created_at").toInstant()), limit);
    }

    /** The usage record kept for {@code requestId}, to settle again. */
    public Optional<UsageRecord> record(String requestId) {
        List<String> payload = jdbc.queryForList("SELECT payload FROM settlement_dead_letters WHERE request_id = ?",
                String.class, requestId);
        if (payload.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(json.readValue(payload.get(0), UsageRecord.class));
        } catch (IOException e) {
            throw new IllegalStateException("dead letter " + requestId + " is not a usage record", e);
        }
    }

    /** Whether the request has its usage row: settled, by a retry or before. */
    public boolean isSettled(String requestId) {
        Integer rows = jdbc.queryForObject("SELECT COUNT(*) FROM usage_records WHERE request_id = ?", Integer.class,
                requestId);
        return rows != null && rows > 0;
    }

    /** Drops the dead letter of a request that is settled now. */
    public void resolve(String requestId) {
        jdbc.update("DELETE FROM settlement_dead_letters WHERE request_id = ?", requestId);
    }
}
