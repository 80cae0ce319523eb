package dev.caravan.billing;

import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Releases holds that no settlement will ever come for (the instance that made them crashed). Older
 * than {@code caravan.billing.hold-timeout}, longer than any request may run, a hold is released
 * without a charge: what such a request delivered is unknown, and the account is not made to pay a
 * worst case it may not have used. Safe with several instances: each hold is released once, under
 * its row lock.
 */
@Component
public class HoldSweeper {

    private static final Logger log = LoggerFactory.getLogger(HoldSweeper.class);

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final Duration timeout;

    public HoldSweeper(JdbcTemplate jdbc, TransactionTemplate tx,
                       @Value("${caravan.billing.hold-timeout:40m}") Duration timeout) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.timeout = timeout;
    }

    @Scheduled(fixedDelayString = "${caravan.billing.sweep-interval:60s}", initialDelayString = "${caravan.billing.sweep-interval:60s}")
    public void sweep() {
        sweepOlderThan(Instant.now().minus(timeout));
    }

    /** @return how many holds were released */
    public int sweepOlderThan(Instant cutoff) {
        List<String> stale = jdbc.queryForList("SELECT request_id FROM holds WHERE created_at < ?", String.class,
                Timestamp.from(cutoff));
        int released = 0;
        for (String requestId : stale) {
            Boolean done = tx.execute(status -> {
                List<Map<String, Object>> hold = jdbc.queryForList(
                        "SELECT account_id, key_id, amount FROM holds WHERE request_id = ? FOR UPDATE", requestId);
                if (hold.isEmpty()) {
                    return false;
                }
                Reservations.releaseHold(jdbc, requestId, (String) hold.get(0).get("account_id"),
                        (String) hold.get(0).get("key_id"), (BigDecimal) hold.get(0).get("amount"));
                return true;
            });
            if (Boolean.TRUE.equals(done)) {
                released++;
            }
        }
        if (released > 0) {
            log.warn("Released {} hold(s) older than {} without a charge (no settlement arrived)", released, timeout);
        }
        return released;
    }
}
