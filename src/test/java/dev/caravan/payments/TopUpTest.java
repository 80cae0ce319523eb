package dev.caravan.payments;

import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.fasterxml.jackson.databind.JsonNode;
import dev.caravan.support.FakeRazorpay;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Top-ups through Razorpay credit exactly once, with the order's amount, or not at all. */
class TopUpTest extends PaymentScenarios {

    @Test
    void anOrderIsPricedByTheGatewayAtTheConfiguredRate() throws Exception {
        Buyer buyer = new Buyer();
        JsonNode order = buyer.order("10");
        // caravan.payments.usd-rate 90 INR per USD, in paise
        assertThat(order.path("amount").asLong()).isEqualTo(90_000);
        assertThat(order.path("currency").asText()).isEqualTo("INR");
        assertThat(order.path("key_id").asText()).isEqualTo(FakeRazorpay.KEY_ID);
        assertThat(order.path("credit").decimalValue()).isEqualByComparingTo("10");
        assertThat(order.path("usd_rate").decimalValue()).isEqualByComparingTo("90");
        assertThat(RAZORPAY.order(order.path("order_id").asText()).path("amount").asLong()).isEqualTo(90_000);

        assertThat(buyer.client.post("/api/payments/orders", "{\"amount\":1}").statusCode()).isEqualTo(400);
        assertThat(buyer.client.post("/api/payments/orders", "{\"amount\":100000}").statusCode()).isEqualTo(400);
        assertThat(buyer.client.post("/api/payments/orders", "{\"amount\":5.001}").statusCode()).isEqualTo(400);
        assertThat(buyer.client.post("/api/payments/orders", "{}").statusCode()).isEqualTo(400);
    }

    @Test
    void theCallbackCreditsAndTheWebhookAfterItChangesNothing() throws Exception {
        Buyer buyer = new Buyer();
        String orderId = buyer.order("10").path("order_id").asText();
        String paymentId = RAZORPAY.pay(orderId);

        HttpResponse<String> verified = buyer.verify(orderId, paymentId, FakeRazorpay.checkoutSignature(orderId, paymentId));
        assertThat(verified.statusCode()).as(verified.body()).isEqualTo(200);
        assertThat(json(verified).path("credited").asBoolean()).isTrue();
        assertThat(json(verified).path("credited_now").asBoolean()).isTrue();
        assertThat(buyer.balance()).isEqualByComparingTo("10");

        HttpResponse<String> webhook = FakeRazorpay.sendWebhook(url(""),
                FakeRazorpay.orderPaidEvent(RAZORPAY.order(orderId), RAZORPAY.payment(paymentId)), null);
        assertThat(webhook.statusCode()).isEqualTo(200);
        assertThat(json(webhook).path("status").asText()).isEqualTo("already_credited");
        HttpResponse<String> again = buyer.verify(orderId, paymentId, FakeRazorpay.checkoutSignature(orderId, paymentId));
        assertThat(json(again).path("credited_now").asBoolean()).isFalse();

        assertThat(buyer.balance()).isEqualByComparingTo("10");
        assertThat(creditEntries(buyer.accountId)).isEqualTo(1);
        assertLedgerBalances(buyer.accountId);
        JsonNode receipt = buyer.client.json("/api/payments/" + orderId);
        assertThat(receipt.path("payment_id").asText()).isEqualTo(paymentId);
        assertThat(receipt.path("amount").asLong()).isEqualTo(90_000);
        assertThat(receipt.path("currency").asText()).isEqualTo("INR");
        assertThat(receipt.path("usd_rate").decimalValue()).isEqualByComparingTo("90");
        assertThat(receipt.path("credit").decimalValue()).isEqualByComparingTo("10");
        assertThat(receipt.path("status").asText()).isEqualTo("paid");
    }

    @Test
    void theWebhookCreditsAndTheCallbackAfterItChangesNothing() throws Exception {
        Buyer buyer = new Buyer();
        String orderId = buyer.order("5").path("order_id").asText();
        String paymentId = RAZORPAY.pay(orderId);

        HttpResponse<String> webhook = FakeRazorpay.sendWebhook(url(""),
                FakeRazorpay.paymentCapturedEvent(RAZORPAY.payment(paymentId)), null);
        assertThat(webhook.statusCode()).as(webhook.body()).isEqualTo(200);
        assertThat(json(webhook).path("status").asText()).isEqualTo("credited");
        assertThat(buyer.balance()).isEqualByComparingTo("5");

        HttpResponse<String> verified = buyer.verify(orderId, paymentId, FakeRazorpay.checkoutSignature(orderId, paymentId));
        assertThat(verified.statusCode()).isEqualTo(200);
        assertThat(json(verified).path("credited").asBoolean()).isTrue();
        assertThat(json(verified).path("credited_now").asBoolean()).isFalse();
        assertThat(buyer.balance()).isEqualByComparingTo("5");
        assertThat(creditEntries(buyer.accountId)).isEqualTo(1);
        assertLedgerBalances(buyer.accountId);
    }

    @Test
    void aWebhookReplayedTenTimesAtOnceCreditsOnce() throws Exception {
        Buyer buyer = new Buyer();
        String orderId = buyer.order("25").path("order_id").asText();
        String paymentId = RAZORPAY.pay(orderId);
        String event = FakeRazorpay.paymentCapturedEvent(RAZORPAY.payment(paymentId));

        List<String> outcomes = replayConcurrently(event, 10);

        assertThat(outcomes).containsOnlyOnce("credited").hasSize(10);
        assertThat(outcomes.stream().filter(o -> !o.equals("credited"))).containsOnly("already_credited");
        assertThat(buyer.balance()).isEqualByComparingTo("25");
        assertThat(creditEntries(buyer.accountId)).isEqualTo(1);
        assertLedgerBalances(buyer.accountId);
    }

    List<String> replayConcurrently(String event, int times) throws Exception {
        List<Callable<HttpResponse<String>>> sends = new ArrayList<>();
        for (int i = 0; i < times; i++) {
            sends.add(() -> FakeRazorpay.sendWebhook(url(""), event, null));
        }
        List<String> outcomes = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(times)) {
            for (Future<HttpResponse<String>> sent : pool.invokeAll(sends)) {
                HttpResponse<String> response = sent.get();
                assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
                outcomes.add(json(response).path("status").asText());
            }
        }
        return outcomes;
    }

    @Test
    void aForgedSignatureCreditsNothing() throws Exception {
        Buyer buyer = new Buyer();
        String orderId = buyer.order("10").path("order_id").asText();
        String paymentId = RAZORPAY.pay(orderId);

        HttpResponse<String> forged = buyer.verify(orderId, paymentId,
                FakeRazorpay.checkoutSignature(orderId, paymentId).replace('a', 'b').replace('1', '2'));
        assertThat(forged.statusCode()).isEqualTo(400);
        assertThat(json(forged).path("error").path("code").asText()).isEqualTo("invalid_signature");
        String event = FakeRazorpay.paymentCapturedEvent(RAZORPAY.payment(paymentId));
        HttpResponse<String> forgedWebhook = FakeRazorpay.sendWebhook(url(""), event,
                RazorpaySignatures.hmacHex("not-the-webhook-secret", event.getBytes()));
        assertThat(forgedWebhook.statusCode()).isEqualTo(400);
        HttpResponse<String> unsigned = FakeRazorpay.sendWebhook(url(""), event, "");
        assertThat(unsigned.statusCode()).isEqualTo(400);
        // the webhook's body changed after signing: its signature no longer matches
        String signedBody = FakeRazorpay.paymentCapturedEvent(RAZORPAY.payment(paymentId));
        String signature = RazorpaySignatures.hmacHex(FakeRazorpay.WEBHOOK_SECRET, signedBody.getBytes());
        assertThat(FakeRazorpay.sendWebhook(url(""), signedBody.replace("\"amount\":", "\"amount\":1"), signature)
                .statusCode()).isEqualTo(400);

        assertThat(buyer.balance()).isEqualByComparingTo("0");
        assertThat(creditEntries(buyer.accountId)).isZero();
        assertLedgerBalances(buyer.accountId);
    }

    @Test
    void anAmountTamperedInTheBrowserIsNeverCredited() throws Exception {
        Buyer buyer = new Buyer();
        String orderId = buyer.order("5").path("order_id").asText();
        // the browser's own amount is not read: the order's credit is what is credited
        String paymentId = RAZORPAY.pay(orderId);
        HttpResponse<String> verified = buyer.client.post("/api/payments/verify", JSON.createObjectNode()
                .put("razorpay_order_id", orderId).put("razorpay_payment_id", paymentId)
                .put("razorpay_signature", FakeRazorpay.checkoutSignature(orderId, paymentId))
                .put("amount", 500).put("credit", 500).toString());
        assertThat(verified.statusCode()).isEqualTo(200);
        assertThat(buyer.balance()).isEqualByComparingTo("5");

        // a payment of less than the order (changed in the browser's Checkout): nothing, by callback or webhook
        String cheapOrder = buyer.order("50").path("order_id").asText();
        String cheapPayment = RAZORPAY.pay(cheapOrder, 100);
        HttpResponse<String> mismatch = buyer.verify(cheapOrder, cheapPayment, FakeRazorpay.checkoutSignature(cheapOrder, cheapPayment));
        assertThat(mismatch.statusCode()).isEqualTo(400);
        assertThat(json(mismatch).path("error").path("code").asText()).isEqualTo("payment_mismatch");
        HttpResponse<String> webhook = FakeRazorpay.sendWebhook(url(""),
                FakeRazorpay.paymentCapturedEvent(RAZORPAY.payment(cheapPayment)), null);
        assertThat(json(webhook).path("status").asText()).isEqualTo("mismatch");
        // another order's payment, signed for it, does not pay this one
        String paidElsewhere = RAZORPAY.pay(buyer.order("5").path("order_id").asText());
        assertThat(buyer.verify(cheapOrder, paidElsewhere, FakeRazorpay.checkoutSignature(cheapOrder, paidElsewhere))
                .statusCode()).isEqualTo(400);

        assertThat(buyer.balance()).isEqualByComparingTo("5");
        assertThat(creditEntries(buyer.accountId)).isEqualTo(1);
        assertLedgerBalances(buyer.accountId);
    }

    @Test
    void anotherAccountsOrderIsNotFound() throws Exception {
        Buyer owner = new Buyer();
        Buyer other = new Buyer();
        String orderId = owner.order("5").path("order_id").asText();
        String paymentId = RAZORPAY.pay(orderId);

        HttpResponse<String> verified = other.verify(orderId, paymentId, FakeRazorpay.checkoutSignature(orderId, paymentId));
        assertThat(verified.statusCode()).isEqualTo(404);
        assertThat(other.client.get("/api/payments/" + orderId).statusCode()).isEqualTo(404);
        assertThat(other.balance()).isEqualByComparingTo("0");
        assertThat(owner.balance()).isEqualByComparingTo("0");
        assertThat(other.client.json("/api/payments").path("purchases")).isEmpty();
    }

    @Test
    void paymentsNeedASessionAndTheWebhookNeedsNoCsrfToken() throws Exception {
        assertThat(get("/api/payments").statusCode()).isEqualTo(401);
        // server to server: no cookie, no CSRF header, only the signature
        HttpResponse<String> ignored = FakeRazorpay.sendWebhook(url(""), "{\"event\":\"payment.failed\",\"payload\":{}}", null);
        assertThat(ignored.statusCode()).isEqualTo(200);
        assertThat(json(ignored).path("status").asText()).isEqualTo("ignored");
        String large = "{\"event\":\"x\",\"pad\":\"" + "x".repeat(70_000) + "\"}";
        assertThat(FakeRazorpay.sendWebhook(url(""), large, null).statusCode()).isEqualTo(413);
    }

    @Test
    void theHistoryListsPurchasesWithWhatIsRefundable() throws Exception {
        Buyer buyer = new Buyer();
        String orderId = buyer.buy("10");
        buyer.order("5"); // created, never paid
        JsonNode history = buyer.client.json("/api/payments");
        assertThat(history.path("purchases")).hasSize(2);
        JsonNode paid = history.path("purchases").findParents("order_id").stream()
                .filter(p -> p.path("order_id").asText().equals(orderId)).findFirst().orElseThrow();
        assertThat(paid.path("refundable").decimalValue()).isEqualByComparingTo("10");
        assertThat(history.path("refundable").decimalValue()).isEqualByComparingTo(new BigDecimal("10"));
        JsonNode options = buyer.client.json("/api/payments/options");
        assertThat(options.path("enabled").asBoolean()).isTrue();
        assertThat(options.path("checkout_url").asText()).isEqualTo(RAZORPAY.checkoutUrl());
    }
}
