package dev.caravan.payments;

import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Instant;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The ledger writes of payments, each inside the caller's transaction and each with its immutable
 * ledger entry, so that balance = credits - usage - refunds + restored stays true to the last decimal:
 * <ul>
 *   <li>a paid order is a top-up like the operator's: a {@code credit_purchases} row and a
 *       {@code credit} entry;</li>
 *   <li>a refund asked for takes its credit off the balance at once: a {@code refund} entry;</li>
 *   <li>a refund Razorpay failed gives it back: a {@code restore} entry.</li>
 * </ul>
 * At most one entry of a kind per purchase or refund (unique constraints), whoever calls twice.
 */
@Component
class PaymentLedger {

    private final JdbcTemplate jdbc;

    PaymentLedger(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * The top-up's row. Its idempotency key is unique per account: a second insert for the same order
     * waits for the first transaction and then fails (DuplicateKeyException), on every instance.
     */
    void insertPurchase(String accountId, String purchaseId, BigDecimal credit, String reference, String idempotencyKey,
                        Instant at) {
        jdbc.update("""
                INSERT INTO credit_purchases (id, account_id, amount, reference, idempotency_key, created_at)
                VALUES (?, ?, ?, ?, ?, ?)""", purchaseId, accountId, credit, reference, idempotencyKey, Timestamp.from(at));
    }

    /** The purchase's credit on the balance, with its ledger entry. */
    void credit(String accountId, String purchaseId, BigDecimal credit, Instant at) {
        Timestamp now = Timestamp.from(at);
        BigDecimal balance = lockedBalance(accountId).add(credit);
        jdbc.update("UPDATE accounts SET balance = ? WHERE id = ?", balance, accountId);
        jdbc.update("""
                INSERT INTO ledger_entries (account_id, kind, amount, balance_after, purchase_id, created_at)
                VALUES (?, 'credit', ?, ?, ?, ?)""", accountId, credit, balance, purchaseId, now);
    }

    /** The caller holds the account's row lock and has checked that the credit is available (not held). */
    void refund(String accountId, String refundId, BigDecimal credit, Instant at) {
        BigDecimal balance = lockedBalance(accountId).subtract(credit);
        jdbc.update("UPDATE accounts SET balance = ? WHERE id = ?", balance, accountId);
        entry(accountId, "refund", credit, balance, refundId, at);
    }

    void restore(String accountId, String refundId, BigDecimal credit, Instant at) {
        BigDecimal balance = lockedBalance(accountId).add(credit);
        jdbc.update("UPDATE accounts SET balance = ? WHERE id = ?", balance, accountId);
        entry(accountId, "restore", credit, balance, refundId, at);
    }

    /** Locks the account's row (lock order as everywhere: accounts before keys) and reads its balance. */
    BigDecimal lockedBalance(String accountId) {
        return jdbc.queryForObject("SELECT balance FROM accounts WHERE id = ? FOR UPDATE", BigDecimal.class, accountId);
    }

    private void entry(String accountId, String kind, BigDecimal amount, BigDecimal balanceAfter, String refundId, Instant at) {
        jdbc.update("""
                INSERT INTO ledger_entries (account_id, kind, amount, balance_after, refund_id, created_at)
                VALUES (?, ?, ?, ?, ?, ?)""", accountId, kind, amount, balanceAfter, refundId, Timestamp.from(at));
    }
}
