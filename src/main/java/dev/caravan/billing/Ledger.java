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

import dev.caravan.events.UsageOutbox;
import dev.caravan.metering.UsageRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Settlement: in one transaction, debit the actual cost, release the hold, write the usage row, the
 * ledger entry and the usage event (outbox), for a batch of answered requests at once (the
 * {@code record-usage} route collects them). Keyed by request id: a second settlement of the same
 * request finds the hold gone and the usage row present, and changes nothing, so a batch may be
 * retried whole.
 */
@Component("ledger")
public class Ledger {

    /** A request's settlement: what was charged for it (its cost, unless the account ran short), and the balance after. */
    public record Settled(UsageRecord usage, BigDecimal charged, BigDecimal balanceAfter) {
    }

    private static final Logger log = LoggerFactory.getLogger(Ledger.class);

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final UsageOutbox outbox;

    public Ledger(JdbcTemplate jdbc, TransactionTemplate tx, UsageOutbox outbox) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.outbox = outbox;
    }

    /**
     * Settles the batch in one transaction. Should the database refuse it, each request is settled on
     * its own, so that one request it cannot take does not hold up the others; if any still fails the
     * failure is thrown for the route to retry the batch (those settled meanwhile are skipped then).
     *
     * @return the requests settled now: without those settled before
     */
    public List<Settled> settle(List<UsageRecord> batch) {
        List<Settled> settled;
        try {
            settled = tx.execute(status -> settleInTransaction(batch));
        } catch (RuntimeException e) {
            if (batch.size() == 1) {
                throw e;
            }
            log.warn("A settlement batch of {} failed ({}); settling its requests one by one", batch.size(),
                    e.getClass().getName());
            settled = new ArrayList<>();
            RuntimeException failure = null;
            for (UsageRecord usage : batch) {
                try {
                    settled.addAll(tx.execute(status -> settleInTransaction(List.of(usage))));
                } catch (RuntimeException each) {
                    failure = each;
                }
            }
            if (failure != null) {
                throw failure;
            }
        }
        for (Settled each : settled) {
            if (each.charged().compareTo(each.usage().cost()) < 0) {
                log.warn("Request {} cost {} but only {} was left to charge", each.usage().requestId(),
                        Money.plain(each.usage().cost()), Money.plain(each.charged()));
            }
        }
        return settled;
    }

    private List<Settled> settleInTransaction(List<UsageRecord> batch) {
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
            BigDecimal held = holds.getOrDefault(usage.requestId(), BigDecimal.ZERO);
            AccountState account = accounts.get(usage.accountId());
            // The hold covers the worst case as estimated before the call; should the upstream still
            // count more, the charge stops at what the account has: the balance never goes negative.
            BigDecimal free = account.balance.subtract(account.held).add(held);
            BigDecimal charge = Money.ledger(usage.cost().min(free.max(BigDecimal.ZERO)));
            account.charge(charge, held);
            BigDecimal[] key = keys.computeIfAbsent(usage.keyId(), id -> new BigDecimal[] {BigDecimal.ZERO, BigDecimal.ZERO});
            key[0] = key[0].add(charge);
            key[1] = key[1].add(held);
            settled.add(new Settled(usage, charge, account.balance));
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
        insertDebits(settled.stream().filter(each -> each.charged().signum() > 0).toList());
        outbox.append(settled);
        return settled;
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
                    cancelled, finish_reason, status, latency_ms)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""", settled, settled.size(),
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
                });
    }

    private void insertDebits(List<Settled> debits) {
        jdbc.batchUpdate("""
                INSERT INTO ledger_entries (account_id, kind, amount, balance_after, request_id, created_at)
                VALUES (?, 'debit', ?, ?, ?, ?)""", debits, debits.size(), (statement, each) -> {
                    statement.setString(1, each.usage().accountId());
                    statement.setBigDecimal(2, each.charged());
                    statement.setBigDecimal(3, each.balanceAfter());
                    statement.setString(4, each.usage().requestId());
                    statement.setTimestamp(5, Timestamp.from(each.usage().createdAt()));
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
