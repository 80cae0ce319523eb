package dev.caravan.billing;

import java.math.BigDecimal;
import java.sql.Array;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import dev.caravan.events.UsageOutbox;
import dev.caravan.metering.UsageRecord;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Settlement: in one transaction, debit the actual cost, release the hold, write the usage row (which
 * is the request's debit, with the balance after it) and the usage event (outbox), for a batch of
 * answered requests at once (the
 * {@code record-usage} route collects them). Keyed by request id: a second settlement of the same
 * request finds the hold gone and the usage row present, and changes nothing, so a batch may be
 * retried whole, as often as it takes.
 *
 * <p>The hold bounds the charge: a request is charged its cost at catalog prices up to what it held.
 * Should an upstream deliver more than the request allowed, the rest is recorded as uncollected (in
 * the usage row, a metric and a warning), never silently lost and never taken from the balance.
 */
@Component("ledger")
public class Ledger {

    /**
     * A request's settlement: what was charged for it (its cost, up to its hold), the balance after,
     * and how the charge was decided ({@link #METERED}, {@link #ORPHANED_HOLD}, {@link #HOLD_TIMEOUT}).
     */
    public record Settled(UsageRecord usage, BigDecimal charged, BigDecimal balanceAfter, String settlement) {

        /** The cost at catalog prices that the hold did not cover. */
        public BigDecimal uncollected() {
            return usage.cost().subtract(charged).max(BigDecimal.ZERO);
        }
    }

    /** Charged from the answer's metered usage. */
    public static final String METERED = "metered";
    /** The instance that made the hold died before the usage reached the database: the held amount. */
    public static final String ORPHANED_HOLD = "orphaned_hold";
    /** A hold older than caravan.billing.hold-timeout whose settlement never came: the held amount. */
    public static final String HOLD_TIMEOUT = "hold_timeout";

    private static final Logger log = LoggerFactory.getLogger(Ledger.class);

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final UsageOutbox outbox;
    private final SettlementDeadLetters deadLetters;
    private final MeterRegistry registry;
    /** Requests whose settlement waits for the database (an outage): retried by the route until it answers. */
    private final Set<String> waiting = ConcurrentHashMap.newKeySet();

    public Ledger(JdbcTemplate jdbc, TransactionTemplate tx, UsageOutbox outbox, SettlementDeadLetters deadLetters,
                  MeterRegistry registry) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.outbox = outbox;
        this.deadLetters = deadLetters;
        this.registry = registry;
        Gauge.builder("caravan.billing.settlement.waiting", waiting, Set::size)
                .description("Answered requests whose settlement waits for the database to come back")
                .register(registry);
    }

    /**
     * Settles the batch of answered requests in one transaction.
     *
     * @return the requests settled now: without those settled before
     * @throws RuntimeException when the database is unavailable: the caller retries (the route does,
     *                          without limit); nothing of the batch is lost or charged twice
     */
    public List<Settled> settle(List<UsageRecord> batch) {
        return settle(batch, METERED);
    }

    /**
     * Settles {@code records} as {@code settlement} says. A batch the database refuses for a reason
     * other than an outage is settled request by request, so that one request it cannot take does not
     * hold up the others; a request refused on its own goes to the dead letters with its hold kept.
     */
    List<Settled> settle(List<UsageRecord> records, String settlement) {
        List<Settled> settled;
        try {
            settled = tx.execute(status -> settleInTransaction(records, settlement));
        } catch (RuntimeException e) {
            if (DatabaseFailures.isUnavailable(e)) {
                throw waitForDatabase(records, e);
            }
            if (records.size() == 1) {
                deadLetters.take(records.get(0), e); // it failed alone: a second try would only fail again
                settled = List.of();
            } else {
                settled = settleOneByOne(records, settlement, e);
            }
        }
        records.forEach(usage -> waiting.remove(usage.requestId()));
        settled.forEach(this::reportUncollected);
        return settled;
    }

    private List<Settled> settleOneByOne(List<UsageRecord> records, String settlement, RuntimeException batchFailure) {
        log.warn("A settlement batch of {} failed ({}); settling its requests one by one", records.size(),
                batchFailure.getClass().getName());
        List<Settled> settled = new ArrayList<>();
        for (UsageRecord usage : records) {
            try {
                settled.addAll(tx.execute(status -> settleInTransaction(List.of(usage), settlement)));
            } catch (RuntimeException each) {
                if (DatabaseFailures.isUnavailable(each)) {
                    // the rest of the batch is retried as it is; those settled now are skipped then
                    throw waitForDatabase(records, each);
                }
                deadLetters.take(usage, each);
            }
        }
        return settled;
    }

    /** Whether this instance keeps the request's usage, waiting for the database to settle it. */
    boolean isWaiting(String requestId) {
        return waiting.contains(requestId);
    }

    private RuntimeException waitForDatabase(List<UsageRecord> records, RuntimeException failure) {
        if (waiting.isEmpty()) {
            log.warn("Settlement waits for the database ({}); {} answered request(s) are kept and retried until it answers",
                    failure.getClass().getName(), records.size());
        }
        records.forEach(usage -> waiting.add(usage.requestId()));
        return failure;
    }

    private void reportUncollected(Settled each) {
        BigDecimal uncollected = each.uncollected();
        if (uncollected.signum() > 0) {
            log.warn("Request {} cost {} at catalog prices, more than its hold: {} charged, {} uncollected (backend {})",
                    each.usage().requestId(), Money.plain(each.usage().cost()), Money.plain(each.charged()),
                    Money.plain(uncollected), each.usage().backendId());
            Counter.builder("caravan.billing.uncollected.usd")
                    .description("Cost at catalog prices beyond what requests held: delivered, not charged")
                    .tag("backend", each.usage().backendId())
                    .register(registry)
                    .increment(uncollected.doubleValue());
        }
    }

    private List<Settled> settleInTransaction(List<UsageRecord> batch, String settlement) {
        Map<String, UsageRecord> byRequest = new LinkedHashMap<>();
        batch.forEach(usage -> byRequest.putIfAbsent(usage.requestId(), usage));
        // Lock order, as everywhere: holds, then accounts (by id), then keys (by id).
        Map<String, BigDecimal> holds = lockHolds(byRequest.keySet());
        Set<String> done = alreadySettled(byRequest.keySet().stream().filter(id -> !holds.containsKey(id)).toList());
        List<UsageRecord> toSettle = byRequest.values().stream().filter(usage -> !done.contains(usage.requestId())).toList();
        if (toSettle.isEmpty()) {
            return List.of();
        }
        Map<String, AccountState> accounts = new TreeMap<>();
        toSettle.forEach(usage -> accounts.putIfAbsent(usage.accountId(), null));
        accounts.replaceAll((id, none) -> jdbc.queryForObject("SELECT balance, held FROM accounts WHERE id = ? FOR UPDATE",
                (rs, i) -> new AccountState(rs.getBigDecimal("balance"), rs.getBigDecimal("held")), id));

        List<Settled> settled = new ArrayList<>(toSettle.size());
        Map<String, BigDecimal[]> keys = new TreeMap<>(); // id -> {charged, released}
        for (UsageRecord usage : toSettle) {
            BigDecimal held = holds.get(usage.requestId());
            AccountState account = accounts.get(usage.accountId());
            BigDecimal charge = Money.ledger(usage.cost().min(chargeable(held, account)));
            BigDecimal released = held == null ? BigDecimal.ZERO : held;
            account.charge(charge, released);
            BigDecimal[] key = keys.computeIfAbsent(usage.keyId(), id -> new BigDecimal[] {BigDecimal.ZERO, BigDecimal.ZERO});
            key[0] = key[0].add(charge);
            key[1] = key[1].add(released);
            settled.add(new Settled(usage, charge, account.balance, settlement));
        }

        List<Map.Entry<String, AccountState>> accountRows = new ArrayList<>(accounts.entrySet());
        jdbc.batchUpdate("UPDATE accounts SET balance = balance - ?, held = held - ? WHERE id = ?", accountRows,
                accountRows.size(), (statement, row) -> {
                    statement.setBigDecimal(1, row.getValue().charged);
                    statement.setBigDecimal(2, row.getValue().released);
                    statement.setString(3, row.getKey());
                });
        List<Map.Entry<String, BigDecimal[]>> keyRows = new ArrayList<>(keys.entrySet());
        jdbc.batchUpdate("UPDATE api_keys SET spent = spent + ?, held = held - ? WHERE id = ?", keyRows,
                keyRows.size(), (statement, row) -> {
                    statement.setBigDecimal(1, row.getValue()[0]);
                    statement.setBigDecimal(2, row.getValue()[1]);
                    statement.setString(3, row.getKey());
                });
        if (!holds.isEmpty()) {
            jdbc.update("DELETE FROM holds WHERE request_id = ANY (?)",
                    statement -> statement.setArray(1, varchars(statement, holds.keySet())));
        }
        insertUsage(settled);
        outbox.append(settled);
        return settled;
    }

    /**
     * The most a request may be charged: its hold, which bounded what it could ask of the upstream.
     * Without a hold (one made before this version, or lost by a database that did not keep it) what
     * the account has left: the balance never goes below zero.
     */
    private static BigDecimal chargeable(BigDecimal held, AccountState account) {
        return held != null ? held : account.balance.subtract(account.held).max(BigDecimal.ZERO);
    }

    /** The batch's open holds, locked: request id to amount. */
    private Map<String, BigDecimal> lockHolds(Set<String> requestIds) {
        Map<String, BigDecimal> holds = new HashMap<>();
        jdbc.query("SELECT request_id, amount FROM holds WHERE request_id = ANY (?) FOR UPDATE",
                statement -> statement.setArray(1, varchars(statement, requestIds)),
                rs -> {
                    holds.put(rs.getString("request_id"), rs.getBigDecimal("amount"));
                });
        return holds;
    }

    /** Of requests without a hold: those with a usage row (settled before). The others' holds were swept. */
    private Set<String> alreadySettled(List<String> requestIds) {
        Set<String> settled = new HashSet<>();
        if (!requestIds.isEmpty()) {
            jdbc.query("SELECT request_id FROM usage_records WHERE request_id = ANY (?)",
                    statement -> statement.setArray(1, varchars(statement, requestIds)),
                    rs -> {
                        settled.add(rs.getString(1));
                    });
        }
        return settled;
    }

    private void insertUsage(List<Settled> settled) {
        jdbc.batchUpdate("""
                INSERT INTO usage_records (request_id, account_id, key_id, created_at, model, backend, provider,
                    upstream_model, prompt_tokens, completion_tokens, cached_tokens, tokens_estimated, cost, streamed,
                    cancelled, finish_reason, status, latency_ms, uncollected, settlement, price_version, balance_after)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""", settled, settled.size(),
                (statement, each) -> {
                    UsageRecord usage = each.usage();
                    statement.setString(1, usage.requestId());
                    statement.setString(2, usage.accountId());
                    statement.setString(3, usage.keyId());
                    statement.setTimestamp(4, Timestamp.from(usage.createdAt()));
                    statement.setString(5, usage.requestedModel());
                    statement.setString(6, usage.backendId());
                    statement.setString(7, usage.provider());
                    statement.setString(8, usage.upstreamModel());
                    statement.setLong(9, usage.tokens().promptTokens());
                    statement.setLong(10, usage.tokens().completionTokens());
                    statement.setLong(11, usage.tokens().cachedTokens());
                    statement.setBoolean(12, usage.tokens().estimated());
                    statement.setBigDecimal(13, each.charged());
                    statement.setBoolean(14, usage.streamed());
                    statement.setBoolean(15, usage.cancelled());
                    statement.setString(16, usage.finishReason());
                    statement.setInt(17, usage.status());
                    statement.setLong(18, usage.latencyMillis());
                    statement.setBigDecimal(19, each.uncollected());
                    statement.setString(20, each.settlement());
                    statement.setString(21, usage.priceVersion());
                    statement.setBigDecimal(22, each.balanceAfter());
                });
    }

    private static Array varchars(PreparedStatement statement, Iterable<String> values) throws SQLException {
        List<String> list = new ArrayList<>();
        values.forEach(list::add);
        return statement.getConnection().createArrayOf("varchar", list.toArray());
    }

    /** An account row as locked, and what the batch does to it. */
    private static final class AccountState {
        BigDecimal balance;
        BigDecimal held;
        BigDecimal charged = BigDecimal.ZERO;
        BigDecimal released = BigDecimal.ZERO;

        AccountState(BigDecimal balance, BigDecimal held) {
            this.balance = balance;
            this.held = held;
        }

        void charge(BigDecimal charge, BigDecimal hold) {
            balance = balance.subtract(charge);
            held = held.subtract(hold);
            charged = charged.add(charge);
            released = released.add(hold);
        }
    }
}
