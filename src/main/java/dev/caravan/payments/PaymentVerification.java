package dev.caravan.payments;

import java.io.IOException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caravan.api.GatewayException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Turns Razorpay's word that an order was paid into credit: the Checkout callback (signed with the key
 * secret, then the payment fetched from Razorpay and checked against the order) and the webhook
 * (signed with the webhook secret over its raw body, checked before the body is parsed). Both end in
 * {@link Purchases#credit}, which credits once. Signatures and payment details are never logged.
 */
@Component
public class PaymentVerification {

    public record Outcome(Purchases.Purchase purchase, boolean creditedNow) {
    }

    private static final Logger log = LoggerFactory.getLogger(PaymentVerification.class);

    private final PaymentSettings settings;
    private final Purchases purchases;
    private final Refunds refunds;
    private final RazorpayApi razorpay;
    private final ObjectMapper json;

    public PaymentVerification(PaymentSettings settings, Purchases purchases, Refunds refunds, RazorpayApi razorpay,
                               ObjectMapper json) {
        this.settings = settings;
        this.purchases = purchases;
        this.refunds = refunds;
        this.razorpay = razorpay;
        this.json = json;
    }

    public Outcome verifyCheckout(String accountId, String orderId, String paymentId, String signature) {
        if (orderId == null || paymentId == null || signature == null) {
            throw GatewayException.invalidRequest(orderId == null ? "razorpay_order_id"
                    : paymentId == null ? "razorpay_payment_id" : "razorpay_signature",
                    "razorpay_order_id, razorpay_payment_id and razorpay_signature are required.");
        }
        Purchases.Purchase order = purchases.ofAccount(accountId, orderId);
        if (!Payments.isRazorpayId(paymentId)
                || !RazorpaySignatures.checkoutSignatureMatches(settings.razorpay().keySecret(), orderId, paymentId, signature)) {
            throw invalidSignature("razorpay_signature");
        }
        if (order.paid()) {
            return new Outcome(order, false);
        }
        RazorpayApi.Entity payment;
        try {
            payment = razorpay.fetchPayment(paymentId);
        } catch (RazorpayException e) {
            throw new GatewayException(502, "api_error", "razorpay_unavailable", null,
                    "Razorpay could not confirm the payment now; the credit follows when Razorpay's webhook arrives.", null);
        }
        if (!orderId.equals(payment.orderId()) || payment.amount() != order.amountMinor()
                || !order.currency().equals(payment.currency())) {
            log.warn("Payment for order {} does not match the order (order, amount or currency): nothing credited", orderId);
            throw new GatewayException(400, "invalid_request_error", "payment_mismatch", "razorpay_payment_id",
                    "The payment does not match the order: nothing was credited.", null);
        }
        if (!"captured".equals(payment.status())) {
            // authorized but not captured yet: the payment.captured webhook credits it
            return new Outcome(order, false);
        }
        boolean credited = purchases.credit(order, paymentId);
        return new Outcome(purchases.find(orderId).orElseThrow(), credited);
    }

    /**
     * A webhook delivery: the signature over the exact bytes first, then the event. Unknown orders and
     * events are acknowledged and ignored, so Razorpay does not retry them for a day.
     */
    public String handleWebhook(byte[] body, String signature) {
        if (!settings.webhookEnabled()) {
            throw Payments.notConfigured();
        }
        if (!RazorpaySignatures.webhookSignatureMatches(settings.razorpay().webhookSecret(), body, signature)) {
            throw invalidSignature(null);
        }
        JsonNode event;
        try {
            event = json.readTree(body);
        } catch (IOException e) {
            throw GatewayException.invalidRequest(null, "The webhook body is not JSON.");
        }
        String type = event.path("event").asText("");
        JsonNode payload = event.path("payload");
        return switch (type) {
            case "payment.captured", "order.paid" -> paid(payload.path("payment").path("entity"),
                    payload.path("order").path("entity"));
            case "refund.processed" -> refundOutcome(payload.path("refund").path("entity"), true);
            case "refund.failed" -> refundOutcome(payload.path("refund").path("entity"), false);
            default -> "ignored";
        };
    }

    private String paid(JsonNode paymentNode, JsonNode orderNode) {
        RazorpayApi.Entity payment = RazorpayApi.Entity.of(paymentNode);
        String orderId = payment.orderId() != null ? payment.orderId() : orderNode.path("id").asText(null);
        Purchases.Purchase order = orderId == null ? null : purchases.find(orderId).orElse(null);
        if (order == null) {
            return "ignored";
        }
        if (!Payments.isRazorpayId(payment.id()) || payment.amount() != order.amountMinor()
                || !order.currency().equals(payment.currency())) {
            log.warn("Webhook payment for order {} does not match the order (amount or currency): nothing credited", orderId);
            return "mismatch";
        }
        return purchases.credit(order, payment.id()) ? "credited" : "already_credited";
    }

    private String refundOutcome(JsonNode refundNode, boolean processed) {
        Refunds.Refund refund = refunds.findForWebhook(refundNode.path("id").asText(""), refundNode.path("receipt").asText(""));
        if (refund == null) {
            return "ignored";
        }
        boolean changed = processed ? refunds.processed(refund.id()) : refunds.failed(refund.id());
        return changed ? (processed ? "refund_processed" : "refund_failed") : "unchanged";
    }

    private static GatewayException invalidSignature(String param) {
        return new GatewayException(400, "invalid_request_error", "invalid_signature", param,
                "The Razorpay signature does not match: nothing was credited.", null);
    }
}
