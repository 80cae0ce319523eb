package dev.caravan.billing;

import java.math.BigDecimal;
import java.sql.Timestamp;
import java.util.List;
import java.util.Map;

import dev.caravan.events.UsageOutbox;
import dev.caravan.metering.UsageRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Settlement: in one transaction, debit the actual cost, release the hold, write the usage row, the
 * ledger entry and the usage event (outbox). Keyed by request id: a second settlement of the same
 * request finds the hold gone and the usage row present, and changes nothing.
 */
@Component("ledger")
public class Ledger {

    private static final Logger log = LoggerFactory.getLogger(Ledger.class);

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final UsageOutbox outbox;

    public Ledger(JdbcTemplate jdbc, TransactionTemplate tx, UsageOutbox outbox) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.outbox = outbox;
    }

    /** @return the amount charged, or null when this request was already settled */
    public BigDecimal settle(UsageRecord usage) {
        BigDecimal charged = tx.execute(status -> settleInTransaction(usage));
        if (charged != null && charged.compareTo(usage.cost()) < 0) {
            log.warn("Request {} cost {} but only {} was left to charge", usage.requestId(),
                    Money.plain(usage.cost()), Money.plain(charged));
        }
        return charged;
    }

    private BigDecimal settleInTransaction(UsageRecord usage) {
        List<Map<String, Object>> holds = jdbc.queryForList(
                "SELECT amount FROM holds WHERE request_id = ? FOR UPDATE", usage.requestId());
        BigDecimal held = holds.isEmpty() ? BigDecimal.ZERO : (BigDecimal) holds.get(0).get("amount");
        if (holds.isEmpty() && alreadySettled(usage.requestId())) {
            return null;
        }
        Map<String, Object> account = jdbc.queryForMap(
                "SELECT balance, held FROM accounts WHERE id = ? FOR UPDATE", usage.accountId());
        BigDecimal balance = (BigDecimal) account.get("balance");
        BigDecimal free = balance.subtract((BigDecimal) account.get("held")).add(held);
        // The hold covers the worst case as estimated before the call; should the upstream still
        // count more, the charge stops at what the account has: the balance never goes negative.
        BigDecimal charge = Money.ledger(usage.cost().min(free.max(BigDecimal.ZERO)));
        BigDecimal balanceAfter = balance.subtract(charge);
        Timestamp now = Timestamp.from(usage.createdAt());

        jdbc.update("UPDATE accounts SET balance = balance - ?, held = held - ? WHERE id = ?",
                charge, held, usage.accountId());
        jdbc.update("UPDATE api_keys SET spent = spent + ?, held = held - ? WHERE id = ?", charge, held, usage.keyId());
        jdbc.update("DELETE FROM holds WHERE request_id = ?", usage.requestId());
        insertUsage(usage, charge, now);
        if (charge.signum() > 0) {
            jdbc.update("""
                    INSERT INTO ledger_entries (account_id, kind, amount, balance_after, request_id, created_at)
                    VALUES (?, 'debit', ?, ?, ?, ?)""", usage.accountId(), charge, balanceAfter, usage.requestId(), now);
        }
        outbox.append(usage, charge);
        return charge;
    }

    private boolean alreadySettled(String requestId) {
        Integer rows = jdbc.queryForObject("SELECT COUNT(*) FROM usage_records WHERE request_id = ?", Integer.class,
                requestId);
        return rows != null && rows > 0;
    }

    private void insertUsage(UsageRecord usage, BigDecimal charge, Timestamp now) {
        jdbc.update("""
                INSERT INTO usage_records (request_id, account_id, key_id, created_at, model, backend, provider,
                    upstream_model, prompt_tokens, completion_tokens, cached_tokens, tokens_estimated, cost, streamed,
                    cancelled, finish_reason, status, latency_ms)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                usage.requestId(), usage.accountId(), usage.keyId(), now, usage.requestedModel(), usage.backendId(),
                usage.provider(), usage.upstreamModel(), usage.tokens().promptTokens(), usage.tokens().completionTokens(),
                usage.tokens().cachedTokens(), usage.tokens().estimated(), charge, usage.streamed(), usage.cancelled(),
                usage.finishReason(), usage.status(), usage.latencyMillis());
    }
}
