package dev.caravan.payments;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import dev.caravan.api.ClientInput;
import dev.caravan.api.GatewayException;
import dev.caravan.auth.ApiKeyFormat;
import dev.caravan.billing.Accounts;
import dev.caravan.billing.Money;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Top-ups through Razorpay: the order the gateway creates (its price fixed here, from the credit asked
 * and the configured rate), and the credit once it is paid. Whichever of the Checkout callback and the
 * webhook comes first credits; the others find the order paid and change nothing. That is decided by
 * the database (a conditional update from 'created' to 'paid', unique payment and purchase ids), so
 * it holds across instances and concurrent deliveries.
 */
@Component
public class Purchases {

    public record Purchase(String orderId, String accountId, long amountMinor, String currency, BigDecimal usdRate,
                           BigDecimal credit, String status, String paymentId, String purchaseId, Instant createdAt,
                           Instant paidAt) {
        public boolean paid() {
            return "paid".equals(status);
        }
    }

    private static final Logger log = LoggerFactory.getLogger(Purchases.class);

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final PaymentSettings settings;
    private final RazorpayApi razorpay;
    private final PaymentLedger ledger;
    private final Accounts accounts;
    private final Clock clock;

    public Purchases(JdbcTemplate jdbc, TransactionTemplate tx, PaymentSettings settings, RazorpayApi razorpay,
                     PaymentLedger ledger, Accounts accounts, Clock clock) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.settings = settings;
        this.razorpay = razorpay;
        this.ledger = ledger;
        this.accounts = accounts;
        this.clock = clock;
    }

    /** Creates the Razorpay order for {@code credit} USD at the configured rate, and records it. */
    public Purchase createOrder(String accountId, BigDecimal credit) {
        Payments.requireEnabled(settings);
        BigDecimal usd = checkedCredit(credit);
        accounts.get(accountId);
        BigDecimal rate = settings.usdRate();
        long amountMinor = amountMinor(usd, rate, settings.currency());
        RazorpayApi.Entity order = razorpay.createOrder(amountMinor, settings.currency(), ApiKeyFormat.newId("rcpt"), accountId);
        if (order.id() == null || !ClientInput.isId(order.id()) || order.amount() != amountMinor) {
            throw GatewayException.badUpstream("Razorpay answered the order with an unexpected id or amount.");
        }
        Instant now = clock.instant();
        jdbc.update("""
                INSERT INTO payment_orders (id, account_id, amount_minor, currency, usd_rate, credit, status, created_at)
                VALUES (?, ?, ?, ?, ?, ?, 'created', ?)""", order.id(), accountId, amountMinor, settings.currency(),
                Money.ledger(rate), Money.ledger(usd), Timestamp.from(now));
        return find(order.id()).orElseThrow();
    }

    /** What {@code credit} USD costs in the currency's smallest unit, rounded to the nearest unit. */
    static long amountMinor(BigDecimal credit, BigDecimal rate, String currency) {
        return credit.multiply(rate).movePointRight(Payments.minorDigits(currency)).setScale(0, RoundingMode.HALF_UP)
                .longValueExact();
    }

    private BigDecimal checkedCredit(BigDecimal credit) {
        if (credit == null) {
            throw GatewayException.invalidRequest("amount", "'amount' is required: the USD credit to buy.");
        }
        if (credit.stripTrailingZeros().scale() > 2) {
            throw GatewayException.invalidRequest("amount", "'amount' is USD with at most 2 decimals.");
        }
        if (credit.compareTo(settings.minCredit()) < 0 || credit.compareTo(settings.maxCredit()) > 0) {
            throw GatewayException.invalidRequest("amount", "'amount' must be from " + Money.plain(settings.minCredit())
                    + " to " + Money.plain(settings.maxCredit()) + " USD.");
        }
        return credit;
    }

    public Optional<Purchase> find(String orderId) {
        if (!ClientInput.isId(orderId)) {
            return Optional.empty();
        }
        return jdbc.query("SELECT * FROM payment_orders WHERE id = ?", Purchases::map, orderId).stream().findFirst();
    }

    /** The account's order; another account's, or none, is the same 404. */
    public Purchase ofAccount(String accountId, String orderId) {
        return find(orderId).filter(purchase -> purchase.accountId().equals(accountId))
                .orElseThrow(() -> Accounts.notFound("order", orderId));
    }

    /** Newest first. */
    public List<Purchase> list(String accountId) {
        return jdbc.query("SELECT * FROM payment_orders WHERE account_id = ? ORDER BY created_at DESC, id",
                Purchases::map, accountId);
    }

    /**
     * Credits the order's credit for {@code paymentId}, once.
     *
     * @return true when this call credited; false when the order was already paid (a replay, or the
     *         other of callback and webhook)
     */
    public boolean credit(Purchase order, String paymentId) {
        String purchaseId = ApiKeyFormat.newId("pur");
        Instant now = clock.instant();
        try {
            Boolean credited = tx.execute(status -> {
                ledger.insertPurchase(order.accountId(), purchaseId, order.credit(), "Razorpay payment " + paymentId,
                        "razorpay:" + order.orderId(), now);
                int won = jdbc.update("""
                        UPDATE payment_orders SET status = 'paid', payment_id = ?, purchase_id = ?, paid_at = ?
                        WHERE id = ? AND status = 'created'""", paymentId, purchaseId, Timestamp.from(now), order.orderId());
                if (won == 0) {
                    status.setRollbackOnly();
                    return false;
                }
                ledger.credit(order.accountId(), purchaseId, order.credit(), now);
                return true;
            });
            if (Boolean.TRUE.equals(credited)) {
                log.info("Order {} paid ({}): {} USD credited to {}", order.orderId(), paymentId,
                        Money.plain(order.credit()), order.accountId());
            }
            return Boolean.TRUE.equals(credited);
        } catch (DuplicateKeyException concurrent) {
            // another instance credited this order (or this payment) at the same moment
            return false;
        }
    }

    static Purchase map(ResultSet rs, int row) throws SQLException {
        Timestamp paid = rs.getTimestamp("paid_at");
        return new Purchase(rs.getString("id"), rs.getString("account_id"), rs.getLong("amount_minor"),
                rs.getString("currency"), rs.getBigDecimal("usd_rate"), rs.getBigDecimal("credit"), rs.getString("status"),
                rs.getString("payment_id"), rs.getString("purchase_id"), rs.getTimestamp("created_at").toInstant(),
                paid == null ? null : paid.toInstant());
    }
}
