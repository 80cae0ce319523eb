package dev.caravan.payments;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import dev.caravan.api.GatewayException;
import dev.caravan.auth.ApiKeyFormat;
import dev.caravan.billing.Accounts;
import dev.caravan.billing.Money;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Refunds of unused purchased credit (docs/payments.md, "Refunds").
 *
 * <p>The rule: credit is consumed oldest first, whatever its source (a purchase, an operator's grant,
 * the demo credit), in the order it reached the ledger. So what is left unconsumed is always the
 * newest credit: walking the account's credits newest first, each keeps what is left of the available
 * balance (balance - held) up to its own amount less what was refunded of it. A purchase's refundable
 * credit is that, within {@code refund-window} of its payment; grants are never refundable. Credit
 * held by requests in flight counts as consumed (oldest first, like the usage it will become).
 *
 * <p>Asking for a refund takes the account's row lock, computes the above, records each refund as
 * pending and takes its credit off the balance in the same transaction; only then is Razorpay called.
 * A second request waits for the lock and finds nothing left: no credit is refunded twice.
 */
@Component
public class Refunds {

    public record Refund(String id, String accountId, String orderId, String paymentId, String razorpayRefundId,
                         long amountMinor, String currency, BigDecimal credit, String status, String reason,
                         Instant createdAt, Instant updatedAt) {
    }

    /** One credit of the account, newest first, as the rule sees it. orderId null: not a purchase. */
    public record CreditShare(String purchaseId, String orderId, BigDecimal credit, BigDecimal refunded, BigDecimal unused,
                              BigDecimal refundable, Instant refundableUntil) {
    }

    /** A credit_purchases row with its order, if it was one, and what was refunded of it. */
    private record CreditRow(String purchaseId, BigDecimal amount, String orderId, Timestamp paidAt, BigDecimal refunded) {
    }

    public static final String PENDING = "pending";
    public static final String PROCESSED = "processed";
    public static final String FAILED = "failed";

    private static final Logger log = LoggerFactory.getLogger(Refunds.class);

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final PaymentSettings settings;
    private final RazorpayApi razorpay;
    private final PaymentLedger ledger;
    private final Accounts accounts;
    private final Clock clock;

    public Refunds(JdbcTemplate jdbc, TransactionTemplate tx, PaymentSettings settings, RazorpayApi razorpay,
                   PaymentLedger ledger, Accounts accounts, Clock clock) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.settings = settings;
        this.razorpay = razorpay;
        this.ledger = ledger;
        this.accounts = accounts;
        this.clock = clock;
    }

    /**
     * Refunds every purchase's refundable credit (account deletion uses this); an empty list when there
     * is none, payments on or off. With refundable credit and payments off (no keys): 503, for the
     * caller to retry once the operator has set the keys.
     */
    public List<Refund> refundAll(String accountId, String reason) {
        if (!settings.enabled() && shares(accountId).stream().noneMatch(share -> share.refundable().signum() > 0)) {
            return List.of();
        }
        return refund(accountId, null, reason);
    }

    /**
     * Refunds the refundable credit of one paid order ({@code orderId}) or of all ({@code null}).
     * Each refund's credit is off the balance when this returns; its status says what Razorpay did.
     */
    public List<Refund> refund(String accountId, String orderId, String reason) {
        Payments.requireEnabled(settings);
        accounts.get(accountId);
        List<Refund> asked = tx.execute(status -> recordRefunds(accountId, orderId, reason));
        List<Refund> done = new ArrayList<>(asked.size());
        for (Refund refund : asked) {
            done.add(send(refund));
        }
        return done;
    }

    private List<Refund> recordRefunds(String accountId, String orderId, String reason) {
        BigDecimal balance = ledger.lockedBalance(accountId);
        BigDecimal held = jdbc.queryForObject("SELECT held FROM accounts WHERE id = ?", BigDecimal.class, accountId);
        Instant now = clock.instant();
        List<Refund> refunds = new ArrayList<>();
        for (CreditShare share : shares(accountId, balance.subtract(held), now)) {
            if (share.refundable().signum() <= 0 || orderId != null && !orderId.equals(share.orderId())) {
                continue;
            }
            Purchases.Purchase order = jdbc.query("SELECT * FROM payment_orders WHERE id = ?", Purchases::map,
                    share.orderId()).get(0);
            // in proportion to what was paid for the credit, rounded down: never more than was paid
            long amountMinor = share.refundable().multiply(BigDecimal.valueOf(order.amountMinor()))
                    .divide(order.credit(), 0, RoundingMode.DOWN).longValueExact();
            if (amountMinor <= 0) {
                continue;
            }
            String id = ApiKeyFormat.newId("rfd");
            jdbc.update("""
                    INSERT INTO payment_refunds (id, account_id, order_id, payment_id, amount_minor, currency, credit, status,
                        reason, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?)""", id, accountId, order.orderId(), order.paymentId(),
                    amountMinor, order.currency(), share.refundable(), reason, Timestamp.from(now), Timestamp.from(now));
            ledger.refund(accountId, id, share.refundable(), now);
            refunds.add(get(id));
        }
        return refunds;
    }

    /** Asks Razorpay; a refusal fails the refund and restores its credit, no answer leaves it pending. */
    private Refund send(Refund refund) {
        try {
            RazorpayApi.Entity answer = razorpay.createRefund(refund.paymentId(), refund.amountMinor(), refund.id());
            if (Payments.isRazorpayId(answer.id())) {
                jdbc.update("UPDATE payment_refunds SET razorpay_refund_id = ? WHERE id = ? AND razorpay_refund_id IS NULL",
                        answer.id(), refund.id());
            }
            if (PROCESSED.equals(answer.status())) {
                processed(refund.id());
            } else if (FAILED.equals(answer.status())) {
                failed(refund.id());
            }
        } catch (RazorpayException e) {
            if (e.refused()) {
                log.warn("Razorpay refused refund {} of order {} ({}): its credit is restored", refund.id(), refund.orderId(),
                        e.code());
                failed(refund.id());
            } else {
                // it may have been made: the refund webhooks (which carry our id as receipt) settle it
                log.warn("Refund {} of order {} got no answer from Razorpay ({}): it stays pending until the refund "
                        + "webhook says what happened", refund.id(), refund.orderId(), e.code());
            }
        }
        return get(refund.id());
    }

    /** pending -> processed; anything else stays as it is. */
    public boolean processed(String refundId) {
        return jdbc.update("UPDATE payment_refunds SET status = 'processed', updated_at = ? WHERE id = ? AND status = 'pending'",
                Timestamp.from(clock.instant()), refundId) == 1;
    }

    /** pending -> failed, and its credit back on the balance: exactly once, whoever calls. */
    public boolean failed(String refundId) {
        Boolean restored = tx.execute(status -> {
            Instant now = clock.instant();
            if (jdbc.update("UPDATE payment_refunds SET status = 'failed', updated_at = ? WHERE id = ? AND status = 'pending'",
                    Timestamp.from(now), refundId) == 0) {
                return false;
            }
            Refund refund = get(refundId);
            ledger.restore(refund.accountId(), refundId, refund.credit(), now);
            return true;
        });
        return Boolean.TRUE.equals(restored);
    }

    /** Our refund for Razorpay's refund id or our own id (Razorpay's refunds carry it as receipt). */
    public Refund findForWebhook(String razorpayRefundId, String receipt) {
        List<Refund> found = jdbc.query("SELECT * FROM payment_refunds WHERE razorpay_refund_id = ? OR id = ?",
                Refunds::map, razorpayRefundId, receipt);
        if (found.isEmpty()) {
            return null;
        }
        Refund refund = found.get(0);
        if (refund.razorpayRefundId() == null && Payments.isRazorpayId(razorpayRefundId)) {
            jdbc.update("UPDATE payment_refunds SET razorpay_refund_id = ? WHERE id = ? AND razorpay_refund_id IS NULL",
                    razorpayRefundId, refund.id());
        }
        return refund;
    }

    /** The account's credits by the rule above, newest first, against its available balance now. */
    public List<CreditShare> shares(String accountId) {
        Accounts.Account account = accounts.get(accountId);
        return shares(accountId, account.available(), clock.instant());
    }

    private List<CreditShare> shares(String accountId, BigDecimal available, Instant now) {
        List<CreditShare> shares = new ArrayList<>();
        BigDecimal left = available.max(BigDecimal.ZERO);
        List<CreditRow> credits = jdbc.query("""
                SELECT p.id, p.amount, o.id AS order_id, o.paid_at,
                  (SELECT COALESCE(SUM(r.credit), 0) FROM payment_refunds r WHERE r.order_id = o.id AND r.status <> 'failed')
                    AS refunded
                FROM credit_purchases p
                JOIN ledger_entries l ON l.purchase_id = p.id
                LEFT JOIN payment_orders o ON o.purchase_id = p.id
                WHERE p.account_id = ?
                ORDER BY l.id DESC""", (rs, i) -> new CreditRow(rs.getString("id"), rs.getBigDecimal("amount"),
                rs.getString("order_id"), rs.getTimestamp("paid_at"), rs.getBigDecimal("refunded")), accountId);
        for (CreditRow credit : credits) {
            BigDecimal refunded = credit.refunded() == null ? BigDecimal.ZERO : credit.refunded();
            BigDecimal unused = credit.amount().subtract(refunded).min(left).max(BigDecimal.ZERO);
            left = left.subtract(unused);
            Instant until = credit.orderId() == null ? null : credit.paidAt().toInstant().plus(settings.refundWindow());
            BigDecimal refundable = until != null && now.isBefore(until) ? unused : BigDecimal.ZERO;
            shares.add(new CreditShare(credit.purchaseId(), credit.orderId(), credit.amount(), refunded, Money.ledger(unused),
                    Money.ledger(refundable), until));
        }
        return shares;
    }

    public Refund get(String refundId) {
        List<Refund> found = jdbc.query("SELECT * FROM payment_refunds WHERE id = ?", Refunds::map, refundId);
        if (found.isEmpty()) {
            throw Accounts.notFound("refund", refundId);
        }
        return found.get(0);
    }

    /** Newest first. */
    public List<Refund> list(String accountId) {
        return jdbc.query("SELECT * FROM payment_refunds WHERE account_id = ? ORDER BY created_at DESC, id",
                Refunds::map, accountId);
    }

    static GatewayException nothingRefundable() {
        return new GatewayException(409, "invalid_request_error", "nothing_refundable", null,
                "Nothing is refundable: only purchased credit not yet used, within " + "the refund window of its payment, "
                        + "is refunded (docs/payments.md).", null);
    }

    private static Refund map(ResultSet rs, int row) throws SQLException {
        return new Refund(rs.getString("id"), rs.getString("account_id"), rs.getString("order_id"),
                rs.getString("payment_id"), rs.getString("razorpay_refund_id"), rs.getLong("amount_minor"),
                rs.getString("currency"), rs.getBigDecimal("credit"), rs.getString("status"), rs.getString("reason"),
                rs.getTimestamp("created_at").toInstant(), rs.getTimestamp("updated_at").toInstant());
    }
}
