package dev.caravan.dashboard;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import dev.caravan.auth.ApiKeyFormat;
import dev.caravan.billing.Accounts;
import dev.caravan.billing.DeletionRefunds;
import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * An account's deletion, asked for by its owner (dashboard) or the operator (admin API). At once: the
 * account is closed (no login, no new key), its keys are revoked, its sessions ended, its one-time links
 * voided. Then, {@code caravan.accounts.deletion-period} after the request (30 days at most; 0: at once),
 * a job erases the personal data: emails, name, password hash, key names, browsers' user agents,
 * refresh tokens. Billing records (ledger, usage, purchases) stay, detached from the person: they only
 * ever name the account id. Several instances may run the job: each erasure is claimed with a
 * conditional update (with a lease, so that a crashed claimer's work is taken over) and marked done once.
 */
@Component
public class AccountDeletions {

    /** The longest the terms allow between the request and the erasure. */
    public static final Duration MAXIMUM_PERIOD = Duration.ofDays(30);
    /** How long a claim keeps other instances off an erasure: far longer than an erasure takes. */
    static final Duration CLAIM_LEASE = Duration.ofMinutes(10);
    static final String ERASED_NAME = "deleted account";
    static final String ERASED_PASSWORD = "{erased}";

    private static final Logger log = LoggerFactory.getLogger(AccountDeletions.class);

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final Accounts accounts;
    private final WebSessions sessions;
    private final List<DeletionRefunds> refunds;
    private final Duration period;
    private final Duration interval;
    private final String instance = ApiKeyFormat.newId("gw");
    private final ScheduledExecutorService job = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("caravan-account-erasure").daemon().factory());

    /** A deletion asked for and not yet erased. */
    public record Pending(String accountId, Instant requestedAt, Instant eraseBy) {
    }

    public AccountDeletions(JdbcTemplate jdbc, TransactionTemplate tx, Accounts accounts, WebSessions sessions,
                            List<DeletionRefunds> refunds,
                            @Value("${caravan.accounts.deletion-period:30d}") Duration period,
                            @Value("${caravan.accounts.deletion-check-interval:1h}") Duration interval) {
        if (period.isNegative() || period.compareTo(MAXIMUM_PERIOD) > 0) {
            throw new IllegalStateException("caravan.accounts.deletion-period: from 0 (at once) to 30d (the terms "
                    + "promise erasure within 30 days), got " + period);
        }
        if (interval.isNegative() || interval.isZero() || interval.compareTo(MAXIMUM_PERIOD) > 0) {
            throw new IllegalStateException("caravan.accounts.deletion-check-interval: a positive duration of at most 30d, got "
                    + interval);
        }
        this.jdbc = jdbc;
        this.tx = tx;
        this.accounts = accounts;
        this.sessions = sessions;
        this.refunds = List.copyOf(refunds);
        this.period = period;
        this.interval = interval;
        job.scheduleWithFixedDelay(this::runJob, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    @PreDestroy
    void stop() {
        job.shutdownNow();
    }

    /** Closes the account at once (idempotent); returns when the deletion was first asked for. */
    public Instant request(String accountId) {
        accounts.get(accountId); // 404 for an unknown account
        Instant now = Instant.now();
        jdbc.update("UPDATE accounts SET deletion_requested_at = ? WHERE id = ? AND deletion_requested_at IS NULL",
                Timestamp.from(now), accountId);
        accounts.keys(accountId).stream().filter(key -> key.revokedAt() == null).forEach(key -> accounts.revoke(key.id()));
        for (String userId : jdbc.queryForList("SELECT id FROM users WHERE account_id = ?", String.class, accountId)) {
            sessions.endAll(userId, null);
        }
        // links already mailed (a password reset, an invitation) must not reopen it
        jdbc.update("DELETE FROM user_tokens WHERE account_id = ? OR user_id IN (SELECT id FROM users WHERE account_id = ?)",
                accountId, accountId);
        refunds.forEach(refund -> refund.onDeletionRequested(accountId));
        Instant requested = jdbc.queryForObject("SELECT deletion_requested_at FROM accounts WHERE id = ?",
                Timestamp.class, accountId).toInstant();
        if (period.isZero()) {
            eraseDue(now);
        }
        return requested;
    }

    /** Deletions asked for and not yet erased, oldest first. */
    public List<Pending> pending() {
        return jdbc.query("""
                SELECT id, deletion_requested_at FROM accounts
                WHERE deletion_requested_at IS NOT NULL AND erased_at IS NULL ORDER BY deletion_requested_at, id""",
                (rs, i) -> {
                    Instant requested = rs.getTimestamp(2).toInstant();
                    return new Pending(rs.getString(1), requested, requested.plus(period));
                });
    }

    private void runJob() {
        try {
            eraseDue(Instant.now());
        } catch (RuntimeException e) {
            // the database may be down: the next run tries again, well within the period
            log.warn("Account erasure failed; the next run in {} tries again: {}", interval, e.getClass().getName());
        }
    }

    /**
     * Erases every account whose erasure falls before the job's next run: due at request + period, so
     * taken up to one interval early, and never later than the period.
     */
    public int eraseDue(Instant now) {
        Instant dueBefore = now.minus(period).plus(period.isZero() ? Duration.ZERO : interval);
        List<String> due = jdbc.queryForList("""
                SELECT id FROM accounts WHERE deletion_requested_at IS NOT NULL AND erased_at IS NULL
                AND deletion_requested_at <= ? ORDER BY deletion_requested_at""", String.class, Timestamp.from(dueBefore));
        int erased = 0;
        for (String accountId : due) {
            if (!claim(accountId, now)) {
                continue;
            }
            try {
                refunds.forEach(refund -> refund.beforeErasure(accountId));
                if (Boolean.TRUE.equals(tx.execute(status -> erase(accountId, now)))) {
                    erased++;
                    log.info("Account {} erased: its personal data is gone, its billing records kept", accountId);
                }
            } catch (RuntimeException e) {
                // one account's trouble (its refund, say) holds up no other; this one is tried again next run
                jdbc.update("UPDATE accounts SET erasure_claimed_by = NULL, erasure_claimed_at = NULL "
                        + "WHERE id = ? AND erasure_claimed_by = ?", accountId, instance);
                log.warn("Erasure of account {} postponed to the next run: {}", accountId, e.getClass().getName());
            }
        }
        return erased;
    }

    /** Takes the erasure for this instance, unless another holds a live claim or it is done. */
    private boolean claim(String accountId, Instant now) {
        return jdbc.update("""
                UPDATE accounts SET erasure_claimed_by = ?, erasure_claimed_at = ?
                WHERE id = ? AND erased_at IS NULL AND (erasure_claimed_at IS NULL OR erasure_claimed_at < ?)""",
                instance, Timestamp.from(now), accountId, Timestamp.from(now.minus(CLAIM_LEASE))) == 1;
    }

    private boolean erase(String accountId, Instant now) {
        Timestamp at = Timestamp.from(now);
        // the claim is still ours and nobody finished it: the row stays locked to the end of the transaction
        if (jdbc.update("UPDATE accounts SET erased_at = ?, name = ?, email = NULL WHERE id = ? AND erasure_claimed_by = ? "
                + "AND erased_at IS NULL", at, ERASED_NAME, accountId, instance) == 0) {
            return false;
        }
        List<String> users = jdbc.queryForList("SELECT id FROM users WHERE account_id = ?", String.class, accountId);
        for (String userId : users) {
            // an address no mail can reach (RFC 2606's .invalid), unique per user: the real one is free again
            jdbc.update("UPDATE users SET email = ?, password_hash = ?, email_verified_at = NULL WHERE id = ?",
                    tombstone(userId), ERASED_PASSWORD, userId);
            jdbc.update("DELETE FROM refresh_tokens WHERE session_id IN (SELECT id FROM web_sessions WHERE user_id = ?)",
                    userId);
            jdbc.update("UPDATE web_sessions SET user_agent = NULL, ended_at = COALESCE(ended_at, ?) WHERE user_id = ?",
                    at, userId);
        }
        jdbc.update("DELETE FROM user_tokens WHERE account_id = ? OR user_id IN (SELECT id FROM users WHERE account_id = ?)",
                accountId, accountId);
        // key names are the person's words; the keys themselves stay for the usage rows that name them
        jdbc.update("UPDATE api_keys SET name = 'deleted', revoked_at = COALESCE(revoked_at, ?) WHERE account_id = ?",
                at, accountId);
        return true;
    }

    /** The email a user's row keeps once erased. */
    public static String tombstone(String userId) {
        return "deleted-" + userId + "@invalid";
    }
}
