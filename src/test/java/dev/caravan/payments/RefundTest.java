package dev.caravan.payments;

import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.fasterxml.jackson.databind.JsonNode;
import dev.caravan.support.FakeRazorpay;
import dev.caravan.support.TestClock;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The refund rule (docs/payments.md): a purchase's unused credit, within 30 days of its payment, with
 * credit consumed oldest first whatever its source; grants never refunded. The ledger adds up after each.
 */
class RefundTest extends PaymentScenarios {

    @Test
    void unusedCreditIsRefundedInFullAndTheWebhookMarksItProcessed() throws Exception {
        Buyer buyer = new Buyer();
        String orderId = buyer.buy("10");

        JsonNode refunds = refund(buyer, "{}");
        assertThat(refunds.path("data")).hasSize(1);
        JsonNode refund = refunds.path("data").get(0);
        assertThat(refund.path("order_id").asText()).isEqualTo(orderId);
        assertThat(refund.path("credit").decimalValue()).isEqualByComparingTo("10");
        assertThat(refund.path("amount").asLong()).isEqualTo(90_000);
        assertThat(refund.path("status").asText()).isEqualTo("pending");
        assertThat(buyer.balance()).isEqualByComparingTo("0");
        List<JsonNode> atRazorpay = RAZORPAY.refundsOf(buyer.paymentOf(orderId));
        assertThat(atRazorpay).hasSize(1);
        assertThat(atRazorpay.get(0).path("amount").asLong()).isEqualTo(90_000);
        assertThat(atRazorpay.get(0).path("receipt").asText()).isEqualTo(refund.path("id").asText());
        assertLedgerBalances(buyer.accountId);

        String event = FakeRazorpay.refundEvent("refund.processed",
                RAZORPAY.settleRefund(atRazorpay.get(0).path("id").asText(), "processed"));
        assertThat(json(FakeRazorpay.sendWebhook(url(""), event, null)).path("status").asText()).isEqualTo("refund_processed");
        assertThat(json(FakeRazorpay.sendWebhook(url(""), event, null)).path("status").asText()).isEqualTo("unchanged");
        JsonNode history = buyer.client.json("/api/payments");
        assertThat(history.path("refunds").get(0).path("status").asText()).isEqualTo("processed");
        assertThat(history.path("refundable").decimalValue()).isEqualByComparingTo("0");
        // nothing left to refund
        assertThat(buyer.refund("{}").statusCode()).isEqualTo(409);
        JsonNode account = buyer.client.json("/api/account");
        assertThat(account.path("total_refunds").decimalValue()).isEqualByComparingTo("10");
        assertThat(account.path("balance").decimalValue()).isEqualByComparingTo(account.path("total_credits").decimalValue()
                .subtract(account.path("total_usage").decimalValue()).subtract(account.path("total_refunds").decimalValue()));
        assertLedgerBalances(buyer.accountId);
    }

    @Test
    void aPartlyUsedPurchaseIsRefundedInPart() throws Exception {
        Buyer buyer = new Buyer();
        String orderId = buyer.buy("10");
        buyer.spend("4");

        JsonNode refund = refund(buyer, "{\"order_id\":\"" + orderId + "\"}").path("data").get(0);
        assertThat(refund.path("credit").decimalValue()).isEqualByComparingTo("6");
        assertThat(refund.path("amount").asLong()).isEqualTo(54_000);
        assertThat(buyer.balance()).isEqualByComparingTo("0");
        assertLedgerBalances(buyer.accountId);
    }

    @Test
    void aFullyUsedPurchaseIsNotRefunded() throws Exception {
        Buyer buyer = new Buyer();
        buyer.buy("5");
        buyer.spend("5");

        HttpResponse<String> refused = buyer.refund("{}");
        assertThat(refused.statusCode()).isEqualTo(409);
        assertThat(json(refused).path("error").path("code").asText()).isEqualTo("nothing_refundable");
        assertThat(buyer.balance()).isEqualByComparingTo("0");
        assertLedgerBalances(buyer.accountId);
    }

    @Test
    void aPurchaseOlderThan30DaysIsNotRefunded() throws Exception {
        Buyer buyer = new Buyer();
        String orderId = buyer.buy("10");
        TestClock.get().advance(Duration.ofDays(29));
        JsonNode receipt = buyer.client.json("/api/payments/" + orderId);
        assertThat(receipt.path("refundable").decimalValue()).isEqualByComparingTo("10");
        TestClock.get().advance(Duration.ofDays(1).plusSeconds(1));

        assertThat(buyer.client.json("/api/payments/" + orderId).path("refundable").decimalValue()).isEqualByComparingTo("0");
        assertThat(buyer.refund("{}").statusCode()).isEqualTo(409);
        // the credit stays: unused credit never expires, it is only no longer refundable
        assertThat(buyer.balance()).isEqualByComparingTo("10");
        assertLedgerBalances(buyer.accountId);
    }

    @Test
    void consumptionDrawsOnTheOldestCreditFirstAcrossPurchasesAndGrants() throws Exception {
        Buyer buyer = new Buyer();
        addCredits(buyer.accountId, "2", "grant-" + UUID.randomUUID()); // oldest: an operator's grant
        String first = buyer.buy("5");
        String second = buyer.buy("10");
        buyer.spend("9"); // the grant's 2, the first purchase's 5, 2 of the second

        JsonNode history = buyer.client.json("/api/payments");
        assertThat(purchase(history, first).path("refundable").decimalValue()).isEqualByComparingTo("0");
        assertThat(purchase(history, second).path("refundable").decimalValue()).isEqualByComparingTo("8");
        JsonNode refunds = refund(buyer, "{}").path("data");
        assertThat(refunds).hasSize(1);
        assertThat(refunds.get(0).path("order_id").asText()).isEqualTo(second);
        assertThat(refunds.get(0).path("amount").asLong()).isEqualTo(72_000);
        assertThat(buyer.balance()).isEqualByComparingTo("0");
        assertLedgerBalances(buyer.accountId);

        // a grant after a purchase is newer: it is consumed last, and is never refunded
        Buyer other = new Buyer();
        String purchase = other.buy("5");
        addCredits(other.accountId, "3", "grant-" + UUID.randomUUID());
        other.spend("4"); // 4 of the purchase; the grant's 3 and 1 of the purchase left
        JsonNode refund = refund(other, "{}").path("data").get(0);
        assertThat(refund.path("order_id").asText()).isEqualTo(purchase);
        assertThat(refund.path("credit").decimalValue()).isEqualByComparingTo("1");
        assertThat(refund.path("amount").asLong()).isEqualTo(9_000);
        assertThat(other.balance()).isEqualByComparingTo("3");
        assertLedgerBalances(other.accountId);
    }

    @Test
    void creditHeldByARequestInFlightIsNotRefunded() throws Exception {
        Buyer buyer = new Buyer();
        buyer.buy("10");
        jdbc.update("UPDATE accounts SET held = held + 3 WHERE id = ?", buyer.accountId);
        try {
            JsonNode refund = refund(buyer, "{}").path("data").get(0);
            assertThat(refund.path("credit").decimalValue()).isEqualByComparingTo("7");
            assertThat(buyer.balance()).isEqualByComparingTo("3");
        } finally {
            jdbc.update("UPDATE accounts SET held = held - 3 WHERE id = ?", buyer.accountId);
        }
        assertLedgerBalances(buyer.accountId);
    }

    @Test
    void aRefundRazorpayRefusesRestoresTheCreditOnce() throws Exception {
        Buyer buyer = new Buyer();
        String orderId = buyer.buy("10");
        RAZORPAY.refuseRefundsOf(buyer.paymentOf(orderId));

        JsonNode refund = refund(buyer, "{}").path("data").get(0);
        assertThat(refund.path("status").asText()).isEqualTo("failed");
        assertThat(buyer.balance()).isEqualByComparingTo("10");
        // a refund.failed webhook for it afterwards changes nothing
        JsonNode entity = JSON.createObjectNode().put("id", "rfnd_Unknown0000001").put("entity", "refund")
                .put("receipt", refund.path("id").asText()).put("status", "failed").put("amount", 90_000);
        assertThat(json(FakeRazorpay.sendWebhook(url(""), FakeRazorpay.refundEvent("refund.failed", entity), null))
                .path("status").asText()).isEqualTo("unchanged");
        assertThat(buyer.balance()).isEqualByComparingTo("10");
        assertLedgerBalances(buyer.accountId);
    }

    @Test
    void aRefundThatFailsLaterRestoresTheCreditOnceThroughItsWebhook() throws Exception {
        Buyer buyer = new Buyer();
        String orderId = buyer.buy("10");
        buyer.spend("1");
        refund(buyer, "{}");
        assertThat(buyer.balance()).isEqualByComparingTo("0");

        JsonNode atRazorpay = RAZORPAY.refundsOf(buyer.paymentOf(orderId)).get(0);
        String event = FakeRazorpay.refundEvent("refund.failed", RAZORPAY.settleRefund(atRazorpay.path("id").asText(), "failed"));
        assertThat(json(FakeRazorpay.sendWebhook(url(""), event, null)).path("status").asText()).isEqualTo("refund_failed");
        for (int i = 0; i < 3; i++) {
            assertThat(json(FakeRazorpay.sendWebhook(url(""), event, null)).path("status").asText()).isEqualTo("unchanged");
        }
        assertThat(buyer.balance()).isEqualByComparingTo("9");
        assertThat(buyer.client.json("/api/payments").path("refunds").get(0).path("status").asText()).isEqualTo("failed");
        // restored credit is refundable again
        assertThat(buyer.client.json("/api/payments").path("refundable").decimalValue()).isEqualByComparingTo("9");
        assertLedgerBalances(buyer.accountId);
    }

    @Test
    void aRefundWithoutAnAnswerStaysPendingUntilItsWebhookFindsItByReceipt() throws Exception {
        Buyer buyer = new Buyer();
        String orderId = buyer.buy("5");
        RAZORPAY.answerRefundsOfWithServerError(buyer.paymentOf(orderId));

        JsonNode refund = refund(buyer, "{}").path("data").get(0);
        assertThat(refund.path("status").asText()).isEqualTo("pending");
        assertThat(refund.path("razorpay_refund_id").isNull()).isTrue();
        assertThat(buyer.balance()).isEqualByComparingTo("0");

        JsonNode atRazorpay = RAZORPAY.refundsOf(buyer.paymentOf(orderId)).get(0);
        String event = FakeRazorpay.refundEvent("refund.processed", RAZORPAY.settleRefund(atRazorpay.path("id").asText(), "processed"));
        assertThat(json(FakeRazorpay.sendWebhook(url(""), event, null)).path("status").asText()).isEqualTo("refund_processed");
        JsonNode listed = buyer.client.json("/api/payments").path("refunds").get(0);
        assertThat(listed.path("status").asText()).isEqualTo("processed");
        assertThat(listed.path("razorpay_refund_id").asText()).isEqualTo(atRazorpay.path("id").asText());
        assertThat(buyer.balance()).isEqualByComparingTo("0");
        assertLedgerBalances(buyer.accountId);
    }

    @Test
    void twoRefundRequestsAtOnceRefundOnce() throws Exception {
        Buyer buyer = new Buyer();
        buyer.buy("10");
        List<Callable<HttpResponse<String>>> requests = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            requests.add(() -> buyer.refund("{}"));
        }
        List<Integer> statuses = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
            for (Future<HttpResponse<String>> answer : pool.invokeAll(requests)) {
                statuses.add(answer.get().statusCode());
            }
        }
        assertThat(statuses).containsOnlyOnce(200);
        assertThat(statuses.stream().filter(s -> s != 200)).containsOnly(409);
        assertThat(jdbc.queryForObject("SELECT SUM(credit) FROM payment_refunds WHERE account_id = ?", BigDecimal.class,
                buyer.accountId)).isEqualByComparingTo("10");
        assertThat(buyer.balance()).isEqualByComparingTo("0");
        assertLedgerBalances(buyer.accountId);
    }

    @Test
    void theOperatorRefundsThroughTheAdminApi() throws Exception {
        Buyer buyer = new Buyer();
        buyer.buy("5");
        HttpResponse<String> refunded = admin("POST", "/admin/accounts/" + buyer.accountId + "/refunds",
                "{\"reason\":\"customer asked by mail\"}");
        assertThat(refunded.statusCode()).as(refunded.body()).isEqualTo(200);
        assertThat(json(refunded).path("data").get(0).path("reason").asText()).isEqualTo("customer asked by mail");
        assertThat(json(admin("GET", "/admin/accounts/" + buyer.accountId + "/payments", null)).path("refunds")).hasSize(1);
        assertThat(admin("POST", "/admin/accounts/" + buyer.accountId + "/refunds", null).statusCode()).isEqualTo(409);
        assertLedgerBalances(buyer.accountId);
    }

    @Autowired
    Refunds refunds;

    @Test
    void refundAllForAccountDeletionRefundsWhatIsRefundableOnceAndThenNothing() throws Exception {
        Buyer buyer = new Buyer();
        buyer.buy("10");
        buyer.spend("2.5");

        List<Refunds.Refund> done = refunds.refundAll(buyer.accountId, "account deletion");
        assertThat(done).singleElement().satisfies(refund -> {
            assertThat(refund.credit()).isEqualByComparingTo("7.5");
            assertThat(refund.amountMinor()).isEqualTo(67_500);
            assertThat(refund.reason()).isEqualTo("account deletion");
        });
        assertThat(refunds.refundAll(buyer.accountId, "account deletion")).isEmpty();
        assertThat(refunds.refundAll(new Buyer().accountId, "account deletion")).isEmpty();
        assertLedgerBalances(buyer.accountId);
    }

    private static JsonNode refund(Buyer buyer, String body) throws Exception {
        HttpResponse<String> refunded = buyer.refund(body);
        assertThat(refunded.statusCode()).as(refunded.body()).isEqualTo(200);
        return json(refunded);
    }

    private static JsonNode purchase(JsonNode history, String orderId) {
        for (JsonNode purchase : history.path("purchases")) {
            if (purchase.path("order_id").asText().equals(orderId)) {
                return purchase;
            }
        }
        throw new AssertionError("no purchase " + orderId);
    }
}
