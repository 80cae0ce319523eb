package dev.caravan.payments;

import java.math.BigDecimal;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caravan.api.GatewayException;
import dev.caravan.dashboard.JsonBody;
import dev.caravan.dashboard.SessionUser;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The signed-in person's top-ups and refunds (docs/payments.md). The account is the session's, never
 * the request's; an order of another account is answered as an unknown one (404). The credit of a
 * paid order comes from the order the gateway created: the browser names the order, not the amount.
 */
@RestController
@RequestMapping(path = "/api", produces = "application/json")
public class PaymentsApiController {

    private final PaymentSettings settings;
    private final Purchases purchases;
    private final Refunds refunds;
    private final PaymentVerification verification;
    private final PaymentsJson views;
    private final JsonBody jsonBody;

    public PaymentsApiController(PaymentSettings settings, Purchases purchases, Refunds refunds,
                                 PaymentVerification verification, PaymentsJson views, JsonBody jsonBody) {
        this.settings = settings;
        this.purchases = purchases;
        this.refunds = refunds;
        this.verification = verification;
        this.views = views;
        this.jsonBody = jsonBody;
    }

    /** What the Credits page offers: on or off, currency, rate, packs, limits, and the Checkout's key and script. */
    @GetMapping("/payments/options")
    public ObjectNode options() {
        SessionUser.current();
        return views.options(settings);
    }

    /** {@code {"amount"}}: USD credit wanted -> {@code {order_id, amount, currency, key_id, credit, usd_rate}}. */
    @PostMapping("/payments/orders")
    public ObjectNode createOrder(HttpServletRequest request) {
        SessionUser me = SessionUser.current();
        Payments.requireEnabled(settings);
        JsonNode body = jsonBody.object(request);
        Purchases.Purchase order = purchases.createOrder(me.accountId(), credit(body.get("amount")));
        ObjectNode node = views.purchase(order, null);
        node.put("key_id", settings.razorpay().keyId());
        return node;
    }

    /** The Checkout callback's {@code {razorpay_order_id, razorpay_payment_id, razorpay_signature}}. */
    @PostMapping("/payments/verify")
    public ObjectNode verify(HttpServletRequest request) {
        SessionUser me = SessionUser.current();
        Payments.requireEnabled(settings);
        JsonNode body = jsonBody.object(request);
        PaymentVerification.Outcome outcome = verification.verifyCheckout(me.accountId(),
                JsonBody.text(body, "razorpay_order_id"), JsonBody.text(body, "razorpay_payment_id"),
                JsonBody.text(body, "razorpay_signature"));
        ObjectNode node = views.purchase(outcome.purchase(), null);
        node.put("credited", outcome.purchase().paid()).put("credited_now", outcome.creditedNow());
        return node;
    }

    @GetMapping("/payments")
    public ObjectNode history() {
        String accountId = SessionUser.current().accountId();
        return views.history(purchases.list(accountId), refunds.list(accountId), refunds.shares(accountId));
    }

    /** A receipt: amount, currency, rate, credit, payment id, and what of it is refundable. */
    @GetMapping("/payments/{id}")
    public ObjectNode receipt(@PathVariable("id") String orderId) {
        String accountId = SessionUser.current().accountId();
        Purchases.Purchase purchase = purchases.ofAccount(accountId, orderId);
        ObjectNode node = views.purchase(purchase, PaymentsJson.shareOf(purchase, refunds.shares(accountId)));
        node.set("refunds", views.refunds(refunds.list(accountId).stream()
                .filter(refund -> refund.orderId().equals(orderId)).toList()).get("data"));
        return node;
    }

    /** {@code {order_id?, reason?}}: refunds the unused credit of one purchase, or of every refundable one. */
    @PostMapping("/refunds")
    public ObjectNode refund(HttpServletRequest request) {
        SessionUser me = SessionUser.current();
        Payments.requireEnabled(settings);
        JsonNode body = jsonBody.object(request);
        return views.refunds(refund(refunds, purchases, me.accountId(), body));
    }

    /** Shared with the admin API: checks the body, refunds, 409 when nothing was refundable. */
    static List<Refunds.Refund> refund(Refunds refunds, Purchases purchases, String accountId, JsonNode body) {
        String orderId = JsonBody.text(body, "order_id");
        if (orderId != null) {
            purchases.ofAccount(accountId, orderId);
        }
        String reason = JsonBody.text(body, "reason");
        if (reason != null && (reason.length() > 200 || reason.chars().anyMatch(Character::isISOControl))) {
            throw GatewayException.invalidRequest("reason", "'reason' is at most 200 characters, without control characters.");
        }
        List<Refunds.Refund> done = refunds.refund(accountId, orderId, reason == null ? "requested" : reason);
        if (done.isEmpty()) {
            throw Refunds.nothingRefundable();
        }
        return done;
    }

    private static BigDecimal credit(JsonNode amount) {
        if (amount == null || amount.isNull()) {
            return null;
        }
        try {
            if (amount.isNumber()) {
                return amount.decimalValue();
            }
            if (amount.isTextual()) {
                return new BigDecimal(amount.asText().trim());
            }
        } catch (NumberFormatException e) {
            // the message below
        }
        throw GatewayException.invalidRequest("amount", "'amount' must be a number of USD.");
    }
}
