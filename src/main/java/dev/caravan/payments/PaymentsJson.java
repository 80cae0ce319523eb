package dev.caravan.payments;

import java.math.BigDecimal;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caravan.billing.BillingJson;
import dev.caravan.billing.Money;
import org.springframework.stereotype.Component;

/** JSON views of purchases (receipts) and refunds. Paid amounts are integers in the smallest unit; credit is USD. */
@Component
public class PaymentsJson {

    private final ObjectMapper json;

    public PaymentsJson(ObjectMapper json) {
        this.json = json;
    }

    public ObjectNode purchase(Purchases.Purchase purchase, Refunds.CreditShare share) {
        ObjectNode node = json.createObjectNode();
        node.put("id", purchase.orderId()).put("object", "purchase").put("order_id", purchase.orderId())
                .put("payment_id", purchase.paymentId()).put("status", purchase.status())
                .put("amount", purchase.amountMinor()).put("currency", purchase.currency());
        BillingJson.money(node, "usd_rate", purchase.usdRate());
        BillingJson.money(node, "credit", purchase.credit());
        node.put("created_at", purchase.createdAt().toString())
                .put("paid_at", purchase.paidAt() == null ? null : purchase.paidAt().toString());
        if (share != null) {
            BillingJson.money(node, "refunded", share.refunded());
            BillingJson.money(node, "unused", share.unused());
            BillingJson.money(node, "refundable", share.refundable());
            node.put("refundable_until", share.refundableUntil() == null ? null : share.refundableUntil().toString());
        }
        return node;
    }

    public ObjectNode refund(Refunds.Refund refund) {
        ObjectNode node = json.createObjectNode();
        node.put("id", refund.id()).put("object", "refund").put("order_id", refund.orderId())
                .put("payment_id", refund.paymentId()).put("razorpay_refund_id", refund.razorpayRefundId())
                .put("status", refund.status()).put("amount", refund.amountMinor()).put("currency", refund.currency());
        BillingJson.money(node, "credit", refund.credit());
        node.put("reason", refund.reason()).put("created_at", refund.createdAt().toString())
                .put("updated_at", refund.updatedAt().toString());
        return node;
    }

    public ObjectNode refunds(List<Refunds.Refund> refunds) {
        ObjectNode node = json.createObjectNode().put("object", "list");
        ArrayNode data = node.putArray("data");
        refunds.forEach(refund -> data.add(refund(refund)));
        return node;
    }

    /** Purchases (with what is refundable of each), refunds, and the total refundable now. */
    public ObjectNode history(List<Purchases.Purchase> purchases, List<Refunds.Refund> refunds, List<Refunds.CreditShare> shares) {
        ObjectNode node = json.createObjectNode().put("object", "payments");
        ArrayNode list = node.putArray("purchases");
        BigDecimal refundable = BigDecimal.ZERO;
        for (Refunds.CreditShare share : shares) {
            refundable = refundable.add(share.refundable());
        }
        for (Purchases.Purchase purchase : purchases) {
            list.add(purchase(purchase, shareOf(purchase, shares)));
        }
        ArrayNode refundList = node.putArray("refunds");
        refunds.forEach(refund -> refundList.add(refund(refund)));
        BillingJson.money(node, "refundable", refundable);
        return node;
    }

    static Refunds.CreditShare shareOf(Purchases.Purchase purchase, List<Refunds.CreditShare> shares) {
        return shares.stream().filter(share -> purchase.orderId().equals(share.orderId())).findFirst().orElse(null);
    }

    ObjectNode emptyObject() {
        return json.createObjectNode();
    }

    public ObjectNode options(PaymentSettings settings) {
        ObjectNode node = json.createObjectNode().put("object", "payment_options").put("enabled", settings.enabled())
                .put("currency", settings.currency());
        BillingJson.money(node, "usd_rate", settings.usdRate());
        BillingJson.money(node, "min_credit", settings.minCredit());
        BillingJson.money(node, "max_credit", settings.maxCredit());
        ArrayNode packs = node.putArray("packs");
        settings.packs().forEach(pack -> packs.add(new DecimalNode(Money.json(pack))));
        node.put("refund_window_days", settings.refundWindow().toDays());
        if (settings.enabled()) {
            node.put("key_id", settings.razorpay().keyId()).put("checkout_url", settings.razorpay().checkoutUrl());
        }
        return node;
    }
}
