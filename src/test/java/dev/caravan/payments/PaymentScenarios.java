package dev.caravan.payments;

import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import dev.caravan.billing.Ledger;
import dev.caravan.metering.TokenUsage;
import dev.caravan.metering.UsageRecord;
import dev.caravan.support.DashboardClient;
import dev.caravan.support.FakeRazorpay;
import dev.caravan.support.GatewayTest;
import org.springframework.beans.factory.annotation.Autowired;
import dev.caravan.billing.LedgerAssertions;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/** A signed-in person buying credit through the fake Razorpay, and the ledger checked in the database. */
abstract class PaymentScenarios extends GatewayTest {

    static final FakeRazorpay RAZORPAY = FakeRazorpay.get();

    @Autowired
    JdbcTemplate jdbc;
    @Autowired
    Ledger ledger;

    /** A new dashboard user, signed in; {@link #accountId} and {@link #keyId} name its account and a key. */
    final class Buyer {
        final DashboardClient client = new DashboardClient(port);
        final String accountId;
        final String keyId;

        Buyer() throws Exception {
            client.signUp("pay-" + UUID.randomUUID() + "@example.test", "correct horse battery");
            accountId = client.json("/api/account").path("id").asText();
            keyId = JSON.readTree(client.post("/api/keys", "{\"name\":\"spend\"}").body()).path("id").asText();
        }

        JsonNode order(String amount) throws Exception {
            HttpResponse<String> created = client.post("/api/payments/orders", "{\"amount\":" + amount + "}");
            assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
            return JSON.readTree(created.body());
        }

        HttpResponse<String> verify(String orderId, String paymentId, String signature) throws Exception {
            return client.post("/api/payments/verify", JSON.createObjectNode().put("razorpay_order_id", orderId)
                    .put("razorpay_payment_id", paymentId).put("razorpay_signature", signature).toString());
        }

        /** Orders {@code amount} USD, pays it at the fake and verifies the callback: the order id. */
        String buy(String amount) throws Exception {
            String orderId = order(amount).path("order_id").asText();
            String paymentId = RAZORPAY.pay(orderId);
            HttpResponse<String> verified = verify(orderId, paymentId, FakeRazorpay.checkoutSignature(orderId, paymentId));
            assertThat(verified.statusCode()).as(verified.body()).isEqualTo(200);
            return orderId;
        }

        /** Spends {@code cost} USD through the real settlement (a usage record without a hold). */
        void spend(String cost) {
            ledger.settle(List.of(new UsageRecord("req_" + UUID.randomUUID().toString().replace("-", "").substring(0, 20),
                    accountId, keyId, Instant.now(), "chat", "fake/ok", "fake", "ok", new TokenUsage(11, 7, 0, false),
                    new BigDecimal(cost), false, false, "stop", 200, 5, List.of())));
        }

        HttpResponse<String> refund(String body) throws Exception {
            return client.post("/api/refunds", body);
        }

        BigDecimal balance() {
            return jdbc.queryForObject("SELECT balance FROM accounts WHERE id = ?", BigDecimal.class, accountId);
        }

        String paymentOf(String orderId) {
            return jdbc.queryForObject("SELECT payment_id FROM payment_orders WHERE id = ?", String.class, orderId);
        }
    }

    /**
     * The invariant with refunds: balance = credits - usage - refunds not failed; the ledger's entries
     * add up to the balance; one credit entry per paid order, one refund entry per refund, one restore
     * per failed refund; never below zero.
     */
    void assertLedgerBalances(String accountId) {
        BigDecimal balance = jdbc.queryForObject("SELECT balance FROM accounts WHERE id = ?", BigDecimal.class, accountId);
        BigDecimal credits = sum("SELECT COALESCE(SUM(amount), 0) FROM credit_purchases WHERE account_id = ?", accountId);
        BigDecimal usage = sum("SELECT COALESCE(SUM(cost), 0) FROM usage_records WHERE account_id = ?", accountId);
        BigDecimal refunded = sum("SELECT COALESCE(SUM(credit), 0) FROM payment_refunds WHERE account_id = ? AND status <> 'failed'",
                accountId);
        assertThat(balance).isEqualByComparingTo(credits.subtract(usage).subtract(refunded));
        assertThat(balance.signum()).isNotNegative();
        // the account's statement: its ledger entries and its usage rows (each request's debit)
        BigDecimal entries = sum("""
                SELECT COALESCE(SUM(CASE WHEN kind IN ('credit', 'restore') THEN amount ELSE -amount END), 0)
                FROM ledger_entries WHERE account_id = ?""", accountId);
        assertThat(entries.subtract(usage)).isEqualByComparingTo(balance);
        assertThat(count("SELECT COUNT(*) FROM ledger_entries WHERE account_id = ? AND kind = 'debit'", accountId)).isZero();
        assertThat(count("""
                SELECT COUNT(*) FROM payment_orders o WHERE o.account_id = ? AND o.status = 'paid' AND 1 <>
                  (SELECT COUNT(*) FROM ledger_entries l WHERE l.purchase_id = o.purchase_id AND l.kind = 'credit')""", accountId))
                .isZero();
        assertThat(count("""
                SELECT COUNT(*) FROM payment_refunds r WHERE r.account_id = ? AND 1 <>
                  (SELECT COUNT(*) FROM ledger_entries l WHERE l.refund_id = r.id AND l.kind = 'refund')""", accountId)).isZero();
        assertThat(count("""
                SELECT COUNT(*) FROM payment_refunds r WHERE r.account_id = ? AND (CASE WHEN r.status = 'failed' THEN 1 ELSE 0 END) <>
                  (SELECT COUNT(*) FROM ledger_entries l WHERE l.refund_id = r.id AND l.kind = 'restore')""", accountId)).isZero();
        LedgerAssertions.assertBalanceIsTheLastBalanceAfter(jdbc, accountId, balance);
    }

    int creditEntries(String accountId) {
        return count("SELECT COUNT(*) FROM ledger_entries WHERE account_id = ? AND kind = 'credit'", accountId);
    }

    private BigDecimal sum(String sql, String accountId) {
        return jdbc.queryForObject(sql, BigDecimal.class, accountId);
    }

    private int count(String sql, String accountId) {
        return jdbc.queryForObject(sql, Integer.class, accountId);
    }
}
