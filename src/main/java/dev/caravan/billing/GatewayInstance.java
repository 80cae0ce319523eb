package dev.caravan.billing;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import dev.caravan.auth.ApiKeyFormat;
import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * This gateway instance's lease in {@code gateway_instances}. Every hold names the instance that made
 * it; an instance that stops renewing its lease (killed, or cut off from the database) leaves holds
 * whose usage may never arrive, and {@link HoldSweeper} settles them. The lease is renewed every
 * {@code caravan.billing.instance-heartbeat} on the database's own clock.
 *
 * <p>An instance judges others only after its own lease has been renewed without a gap for a whole
 * {@code caravan.billing.instance-lease}: after a database outage every lease looks expired, and the
 * live instances need that long to renew theirs before anyone may call them dead.
 */
@Component
public class GatewayInstance {

    private static final Logger log = LoggerFactory.getLogger(GatewayInstance.class);

    private final JdbcTemplate jdbc;
    private final Duration lease;
    private final String id = ApiKeyFormat.newId("gw");
    /**
     * Its own thread: the shared scheduler also runs the sweeper, which can take a while, and a renewal
     * held up past the lease would make a live instance look dead.
     */
    private final ScheduledExecutorService renewals = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("caravan-lease").daemon().factory());
    /** When the current run of successful renewals began; null while the last renewal failed. */
    private volatile Instant renewedSince;

    public GatewayInstance(JdbcTemplate jdbc, @Value("${caravan.billing.instance-lease:30s}") Duration lease,
                           @Value("${caravan.billing.instance-heartbeat:5s}") Duration heartbeat) {
        if (heartbeat.multipliedBy(3).compareTo(lease) > 0) {
            throw new IllegalStateException("caravan.billing.instance-lease (" + lease + ") must be at least three "
                    + "times caravan.billing.instance-heartbeat (" + heartbeat + "): a live instance must be able to "
                    + "miss a renewal without being taken for dead");
        }
        this.jdbc = jdbc;
        this.lease = lease;
        // before any hold can name this instance: the start fails if the database cannot be reached
        jdbc.update("INSERT INTO gateway_instances (id, started_at, heartbeat_at) VALUES (?, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)", id);
        renewedSince = Instant.now();
        renewals.scheduleWithFixedDelay(this::renew, heartbeat.toMillis(), heartbeat.toMillis(), TimeUnit.MILLISECONDS);
    }

    public String id() {
        return id;
    }

    public Duration lease() {
        return lease;
    }

    void renew() {
        try {
            if (jdbc.update("UPDATE gateway_instances SET heartbeat_at = CURRENT_TIMESTAMP WHERE id = ?", id) == 0) {
                // declared dead and removed while cut off: its holds were settled; it lives on
                jdbc.update("INSERT INTO gateway_instances (id, started_at, heartbeat_at) VALUES (?, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)", id);
            }
            if (renewedSince == null) {
                renewedSince = Instant.now();
                log.info("Gateway instance {} renews its lease again", id);
            }
        } catch (RuntimeException e) {
            if (renewedSince != null) {
                log.warn("Gateway instance {} could not renew its lease ({})", id, e.getClass().getName());
            }
            renewedSince = null;
        }
    }

    /** Whether this instance has renewed its lease without a gap for a whole lease: only then may it judge others. */
    public boolean mayJudgeOthers() {
        Instant since = renewedSince;
        return since != null && !since.plus(lease).isAfter(Instant.now());
    }

    /** The cut-off on the database clock: instances whose last renewal is older are taken for dead. */
    public Timestamp expiredBefore() {
        Timestamp now = jdbc.queryForObject("SELECT CURRENT_TIMESTAMP", Timestamp.class);
        return Timestamp.from(now.toInstant().minus(lease));
    }

    /**
     * A stopped instance gives up its lease at once: what it left open (its settlements were flushed
     * first, as far as the database allowed) is then settled without waiting for the lease to run out.
     */
    @PreDestroy
    void giveUpLease() {
        renewals.shutdownNow();
        try {
            jdbc.update("DELETE FROM gateway_instances WHERE id = ?", id);
        } catch (RuntimeException e) {
            log.warn("Gateway instance {} could not give up its lease ({}); it expires in {}", id,
                    e.getClass().getName(), lease);
        }
    }
}
