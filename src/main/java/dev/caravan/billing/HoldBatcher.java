package dev.caravan.billing;

import java.math.BigDecimal;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

import dev.caravan.auth.Caller;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Credit holds of concurrent requests, made in one transaction. A request's hold is on the response
 * path and, when every request updates the same account row, holds queue on that row's lock. So the
 * requests that arrive while a hold transaction runs are held together in the next one: one
 * conditional update per account and per key for all of them, and one batch of hold rows. A request
 * that arrives alone is held alone, with the same three statements as before; nothing waits for a
 * batch to fill.
 *
 * <p>The thread that finds no transaction running makes it, for every request queued so far
 * (flat combining); the others park until theirs is done. A hold the batch could not make (an account
 * or key that cannot cover all of its requests together) is reported as not held: the caller then
 * tries it on its own, which also finds out why. So is every hold of a batch the database refused
 * for a reason other than an outage: one request's bad row must not fail another tenant's request.
 */
@Component
public class HoldBatcher {

    /** One request's hold, from the thread that waits for it; {@code model} is the catalog model asked for. */
    record Request(Caller caller, String requestId, String model, BigDecimal amount) {
    }

    private static final int MAX_BATCH = 256;

    static final String INSERT_HOLD = """
            INSERT INTO holds (request_id, account_id, key_id, amount, created_at, instance_id, model)
            VALUES (?, ?, ?, ?, ?, ?, ?)""";

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final GatewayInstance instance;
    private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();
    private final ReentrantLock combining = new ReentrantLock();
    private final Counter transactions;

    public HoldBatcher(JdbcTemplate jdbc, TransactionTemplate tx, GatewayInstance instance, MeterRegistry registry) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.instance = instance;
        this.transactions = Counter.builder("caravan.billing.hold.transactions")
                .description("Transactions that made credit holds (one per batch of concurrent requests)")
                .register(registry);
    }

    /** @return true when held; false when the batch could not hold it (try it alone then) */
    public boolean hold(Caller caller, String requestId, String model, BigDecimal amount) {
        Pending mine = new Pending(new Request(caller, requestId, model, amount), Thread.currentThread());
        queue.add(mine);
        boolean interrupted = false;
        while (!mine.done) {
            if (combining.tryLock()) {
                try {
                    // Requests that are runnable now reach the queue before it is drained, and share this
                    // transaction instead of each making the next one. Alone, the yield returns at once.
                    // Measured over a benchmark run (concurrency 16, 64 and 1): 0.64 hold transactions per
                    // request without it, 0.30 with (docs/performance.md).
                    Thread.yield();
                    while (!mine.done) {
                        runBatch(drain());
                    }
                } finally {
                    combining.unlock();
                }
                // whoever queued while this batch ran makes the next one
                Pending next = queue.peek();
                if (next != null) {
                    LockSupport.unpark(next.thread);
                }
            } else {
                LockSupport.park(this);
                // the hold may be in a transaction already: wait for it whatever happens, without spinning
                interrupted |= Thread.interrupted();
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (mine.failure != null) {
            throw mine.failure;
        }
        return mine.held;
    }

    private List<Pending> drain() {
        List<Pending> batch = new ArrayList<>();
        for (Pending next = queue.poll(); next != null; next = batch.size() < MAX_BATCH ? queue.poll() : null) {
            batch.add(next);
        }
        return batch;
    }

    private void runBatch(List<Pending> batch) {
        List<Boolean> held;
        try {
            held = holdTogether(batch.stream().map(Pending::request).toList());
        } catch (RuntimeException e) {
            if (batch.size() > 1 && !DatabaseFailures.isUnavailable(e)) {
                // one request's row the database refuses: each is tried alone, and only that one fails
                batch.forEach(pending -> pending.finish(false, null));
                return;
            }
            batch.forEach(pending -> pending.finish(false, e));
            return;
        } catch (Error e) {
            // every waiter must learn of it: one left unfinished would wait for ever
            RuntimeException failure = new IllegalStateException("The hold transaction failed", e);
            batch.forEach(pending -> pending.finish(false, failure));
            return;
        }
        for (int i = 0; i < batch.size(); i++) {
            batch.get(i).finish(held.get(i), null);
        }
    }

    /**
     * One transaction for all of {@code requests}: per account (in id order, the order every
     * transaction locks accounts in), one conditional update for the sum of its requests; then per key
     * the same. A key that refuses gives its share back to its account. The requests whose account and
     * key took them get their hold rows.
     *
     * @return per request, in order: held or not
     */
    List<Boolean> holdTogether(List<Request> requests) {
        transactions.increment();
        return tx.execute(status -> {
            Map<String, BigDecimal> byAccount = new TreeMap<>();
            Map<String, BigDecimal> byKey = new TreeMap<>();
            Map<String, String> accountOfKey = new TreeMap<>();
            for (Request request : requests) {
                byAccount.merge(request.caller().accountId(), request.amount(), BigDecimal::add);
                byKey.merge(request.caller().keyId(), request.amount(), BigDecimal::add);
                accountOfKey.put(request.caller().keyId(), request.caller().accountId());
            }
            Set<String> refusedAccounts = new HashSet<>();
            byAccount.forEach((account, amount) -> {
                if (jdbc.update("UPDATE accounts SET held = held + ? WHERE id = ? AND balance - held >= ?",
                        amount, account, amount) == 0) {
                    refusedAccounts.add(account);
                }
            });
            Timestamp now = Timestamp.from(Instant.now());
            Set<String> refusedKeys = new HashSet<>();
            byKey.forEach((key, amount) -> {
                String account = accountOfKey.get(key);
                if (refusedAccounts.contains(account)) {
                    refusedKeys.add(key);
                    return;
                }
                int updated = jdbc.update("""
                        UPDATE api_keys SET held = held + ?
                        WHERE id = ? AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?)
                          AND (spend_limit IS NULL OR spent + held + ? <= spend_limit)""", amount, key, now, amount);
                if (updated == 0) {
                    jdbc.update("UPDATE accounts SET held = held - ? WHERE id = ?", amount, account);
                    refusedKeys.add(key);
                }
            });
            List<Boolean> held = requests.stream().map(request -> !refusedKeys.contains(request.caller().keyId())).toList();
            List<Request> toInsert = new ArrayList<>();
            for (int i = 0; i < requests.size(); i++) {
                if (held.get(i)) {
                    toInsert.add(requests.get(i));
                }
            }
            jdbc.batchUpdate(INSERT_HOLD, toInsert, toInsert.size(),
                    (statement, request) -> bindHold(statement, request, instance.id(), now));
            return held;
        });
    }

    static void bindHold(PreparedStatement statement, Request request, String instanceId, Timestamp now)
            throws SQLException {
        statement.setString(1, request.requestId());
        statement.setString(2, request.caller().accountId());
        statement.setString(3, request.caller().keyId());
        statement.setBigDecimal(4, request.amount());
        statement.setTimestamp(5, now);
        statement.setString(6, instanceId);
        statement.setString(7, request.model());
    }

    private static final class Pending {
        private final Request request;
        private final Thread thread;
        private boolean held;
        private RuntimeException failure;
        private volatile boolean done;

        Pending(Request request, Thread thread) {
            this.request = request;
            this.thread = thread;
        }

        Request request() {
            return request;
        }

        void finish(boolean held, RuntimeException failure) {
            this.held = held;
            this.failure = failure;
            done = true; // after the fields: the volatile write publishes them
            LockSupport.unpark(thread);
        }
    }
}
