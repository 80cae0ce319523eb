package dev.caravan.payments;

import java.util.Currency;
import java.util.regex.Pattern;

import dev.caravan.api.GatewayException;

/** What the payment classes share: the "not configured" answer, currency units, Razorpay's ids. */
final class Payments {

    /** Razorpay's ids: a prefix, an underscore, letters and digits (order_..., pay_..., rfnd_...). */
    private static final Pattern RAZORPAY_ID = Pattern.compile("[a-z]{2,10}_[A-Za-z0-9]{1,30}");

    private Payments() {
    }

    /** 503 while Razorpay's keys are not set: the embedded default has none. */
    static void requireEnabled(PaymentSettings settings) {
        if (!settings.enabled()) {
            throw notConfigured();
        }
    }

    static GatewayException notConfigured() {
        return new GatewayException(503, "api_error", "payments_not_configured", null,
                "Payments are not configured on this gateway: the operator sets RAZORPAY_KEY_ID and RAZORPAY_KEY_SECRET "
                        + "(docs/payments.md).", null);
    }

    /** Digits of the currency's smallest unit: 2 for INR (paise), 0 for JPY. */
    static int minorDigits(String currency) {
        return Math.max(0, Currency.getInstance(currency).getDefaultFractionDigits());
    }

    static boolean isRazorpayId(String id) {
        return id != null && RAZORPAY_ID.matcher(id).matches();
    }
}
