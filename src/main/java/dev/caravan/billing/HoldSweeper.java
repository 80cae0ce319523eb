package dev.caravan.billing;

import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

import dev.caravan.metering.TokenUsage;
import dev.caravan.metering.UsageRecord;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Settles holds whose usage will never arrive, at the held amount: never free, since the request may
 * well have been answered, and never more than the request could have cost. The usage row says so
 * ({@code settlement}), so an operator can see every such charge and refund it.
 * <ul>
 *   <li>{@value Ledger#ORPHANED_HOLD}: the instance that made the hold stopped renewing its lease
 *       ({@link GatewayInstance}): killed, or cut off from the database. Its answered requests whose
 *       usage had not reached the database are among them, as are requests it was still working on.
 *       Judged only by an instance whose own lease is in good standing, so within about
 *       {@code caravan.billing.instance-lease} plus {@code sweep-interval} of the crash (or of the
 *       restart, for a single instance).</li>
 *   <li>{@value Ledger#HOLD_TIMEOUT}: older than {@code caravan.billing.hold-timeout}, longer than any
 *       request may run, on any instance: a settlement that was lost without a crash.</li>
 * </ul>
 * Holds whose settlement is in the dead letters are left alone: their usage is known and kept; so are
 * those this instance itself still retries (a settlement or a release waiting for the database). Safe
 * with several instances sweeping at once: settlement takes each hold once, under its row lock.
 */
@Component
public class HoldSweeper {

    /** One hold left open, as the sweeper settles it. */
    private record OpenHold(String requestId, String accountId, String keyId, BigDecimal amount, String model,
                            Instant createdAt) {

        /** Its usage as far as it is known: the hold is the cost; which backend answered, if any, is not. */
        UsageRecord atHeldAmount() {
            return new UsageRecord(requestId, accountId, keyId, createdAt.truncatedTo(ChronoUnit.MICROS),
                    model == null ? UNKNOWN : model, UNKNOWN, UNKNOWN, UNKNOWN, new TokenUsage(0, 0, 0, true), amount,
                    false, false, null, 0, 0, List.of());
        }
    }

    private static final String UNKNOWN = "unknown";
    private static final int BATCH = 100;
    private static final String OPEN_HOLDS = """
            SELECT h.request_id, h.account_id, h.key_id, h.amount, h.model, h.created_at FROM holds h
            WHERE NOT EXISTS (SELECT 1 FROM settlement_dead_letters d WHERE d.request_id = h.request_id)
            """;

    private static final Logger log = LoggerFactory.getLogger(HoldSweeper.class);

    private final JdbcTemplate jdbc;
    private final Ledger ledger;
    private final Reservations reservations;
    private final GatewayInstance instance;
    private final Duration timeout;
    private final MeterRegistry registry;

    public HoldSweeper(JdbcTemplate jdbc, Ledger ledger, Reservations reservations, GatewayInstance instance,
                       @Value("${caravan.billing.hold-timeout:40m}") Duration timeout, MeterRegistry registry) {
        this.jdbc = jdbc;
        this.ledger = ledger;
        this.reservations = reservations;
        this.instance = instance;
        this.timeout = timeout;
        this.registry = registry;
    }

    @Scheduled(fixedDelayString = "${caravan.billing.sweep-interval:10s}", initialDelayString = "${caravan.billing.sweep-interval:10s}")
    public void sweep() {
        try {
            if (instance.mayJudgeOthers()) {
                settleOrphans();
            }
            settleOlderThan(Instant.now().minus(timeout));
        } catch (RuntimeException e) {
            // the database is away: the next turn tries again
            log.debug("Hold sweep failed ({})", e.getClass().getName());
        }
    }

    /** @return how many holds of instances that stopped renewing their lease were settled */
    public int settleOrphans() {
        List<OpenHold> orphans = jdbc.query(OPEN_HOLDS + """
                AND (h.instance_id IS NULL OR NOT EXISTS (SELECT 1 FROM gateway_instances i
                  WHERE i.id = h.instance_id AND i.heartbeat_at >= ?))""", HoldSweeper::openHold, instance.expiredBefore());
        int settled = settle(orphans, Ledger.ORPHANED_HOLD);
        if (settled > 0) {
            log.warn("Settled {} hold(s) of gateway instances that stopped renewing their lease, at the held amount "
                    + "(usage rows with settlement '{}')", settled, Ledger.ORPHANED_HOLD);
        }
        jdbc.update("""
                DELETE FROM gateway_instances WHERE heartbeat_at < ?
                  AND NOT EXISTS (SELECT 1 FROM holds h WHERE h.instance_id = gateway_instances.id)""",
                Timestamp.from(Instant.now().minus(Duration.ofDays(1))));
        return settled;
    }

    /** @return how many holds made before {@code cutoff} were settled */
    public int settleOlderThan(Instant cutoff) {
        List<OpenHold> stale = jdbc.query(OPEN_HOLDS + "AND h.created_at < ?", HoldSweeper::openHold, Timestamp.from(cutoff));
        int settled = settle(stale, Ledger.HOLD_TIMEOUT);
        if (settled > 0) {
            log.warn("Settled {} hold(s) older than {} at the held amount: their settlement never came "
                    + "(usage rows with settlement '{}')", settled, timeout, Ledger.HOLD_TIMEOUT);
        }
        return settled;
    }

    private int settle(List<OpenHold> found, String settlement) {
        // this instance still knows what became of these: settled or released once the database answers
        List<OpenHold> holds = found.stream().filter(hold -> !ledger.isWaiting(hold.requestId())
                && !reservations.isUnreleased(hold.requestId())).toList();
        int settled = 0;
        for (int from = 0; from < holds.size(); from += BATCH) {
            List<UsageRecord> batch = holds.subList(from, Math.min(holds.size(), from + BATCH)).stream()
                    .map(OpenHold::atHeldAmount).toList();
            settled += ledger.settle(batch, settlement).size();
        }
        if (settled > 0) {
            Counter.builder("caravan.billing.holds.settled.unmetered")
                    .description("Holds settled at the held amount because their usage never arrived")
                    .tag("settlement", settlement)
                    .register(registry)
                    .increment(settled);
        }
        return settled;
    }

    private static OpenHold openHold(java.sql.ResultSet rs, int row) throws java.sql.SQLException {
        return new OpenHold(rs.getString("request_id"), rs.getString("account_id"), rs.getString("key_id"),
                rs.getBigDecimal("amount"), rs.getString("model"), rs.getTimestamp("created_at").toInstant());
    }
}
