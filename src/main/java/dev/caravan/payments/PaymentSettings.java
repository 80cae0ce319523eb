package dev.caravan.payments;

import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.util.Currency;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Top-ups and refunds through Razorpay ({@code caravan.payments}, docs/payments.md). Payments are on
 * when the key id and key secret are set (env {@code RAZORPAY_KEY_ID}, {@code RAZORPAY_KEY_SECRET});
 * the webhook needs {@code RAZORPAY_WEBHOOK_SECRET} as well.
 *
 * @param currency     what people pay in (ISO 4217); amounts go to Razorpay in its smallest unit
 * @param usdRate      units of {@code currency} per USD of credit, recorded with every order
 * @param packs        USD credit amounts offered as buttons
 * @param minCredit    the smallest USD credit one may buy
 * @param maxCredit    the largest USD credit one order may buy
 * @param refundWindow how long after its payment a purchase's unused credit is refundable
 * @param razorpay     Razorpay's API, keys and Checkout script
 */
@ConfigurationProperties("caravan.payments")
public record PaymentSettings(
        @DefaultValue("INR") String currency,
        @DefaultValue("90") BigDecimal usdRate,
        @DefaultValue({"5", "10", "25", "50"}) List<BigDecimal> packs,
        @DefaultValue("5") BigDecimal minCredit,
        @DefaultValue("500") BigDecimal maxCredit,
        @DefaultValue("30d") Duration refundWindow,
        @DefaultValue Razorpay razorpay) {

    /**
     * @param baseUrl       the API root; tests point it at a fake
     * @param keyId         the key id (rzp_live_... or rzp_test_...), public: the Checkout gets it
     * @param keySecret     the key secret: Basic auth of API calls, and the Checkout callback's signature
     * @param webhookSecret the secret set on the webhook in Razorpay's dashboard
     * @param checkoutUrl   the Checkout script; the Credits page's Content-Security-Policy allows its origin
     * @param webhookMaxBytes the largest webhook body read; Razorpay's are a few kilobytes
     */
    public record Razorpay(
            @DefaultValue("https://api.razorpay.com/v1") String baseUrl,
            @DefaultValue("") String keyId,
            @DefaultValue("") String keySecret,
            @DefaultValue("") String webhookSecret,
            @DefaultValue("https://checkout.razorpay.com/v1/checkout.js") String checkoutUrl,
            @DefaultValue("65536") int webhookMaxBytes) {

        public Razorpay {
            keyId = keyId == null ? "" : keyId.trim();
            keySecret = keySecret == null ? "" : keySecret.trim();
            webhookSecret = webhookSecret == null ? "" : webhookSecret.trim();
            if (!baseUrl.matches("https?://[^\\s?#]+")) {
                throw new IllegalArgumentException("caravan.payments.razorpay.base-url: an http(s) address, got '" + baseUrl + "'");
            }
            baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
            if (!checkoutUrl.matches("https?://[^\\s/?#]+/[^\\s?#]*")) {
                throw new IllegalArgumentException("caravan.payments.razorpay.checkout-url: an http(s) address of a script, got '"
                        + checkoutUrl + "'");
            }
            if (keyId.isEmpty() != keySecret.isEmpty()) {
                throw new IllegalArgumentException("caravan.payments.razorpay: set both RAZORPAY_KEY_ID and RAZORPAY_KEY_SECRET, "
                        + "or neither (payments off)");
            }
            if (webhookMaxBytes < 1024) {
                throw new IllegalArgumentException("caravan.payments.razorpay.webhook-max-bytes: at least 1024");
            }
        }

        @Override
        public String toString() {
            // never the secrets, should the settings ever be printed
            return "Razorpay[baseUrl=" + baseUrl + ", keyId=" + keyId + ", checkoutUrl=" + checkoutUrl + "]";
        }
    }

    public PaymentSettings {
        try {
            Currency.getInstance(currency);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("caravan.payments.currency: an ISO 4217 code such as INR, got '" + currency + "'");
        }
        if (usdRate.signum() <= 0) {
            throw new IllegalArgumentException("caravan.payments.usd-rate: above 0, got " + usdRate);
        }
        if (minCredit.signum() <= 0 || maxCredit.compareTo(minCredit) < 0) {
            throw new IllegalArgumentException("caravan.payments: min-credit above 0 and max-credit at least min-credit");
        }
        for (BigDecimal pack : packs) {
            if (pack.compareTo(minCredit) < 0 || pack.compareTo(maxCredit) > 0 || pack.scale() > 2) {
                throw new IllegalArgumentException("caravan.payments.packs: " + pack.toPlainString()
                        + " is outside min-credit..max-credit or has more than 2 decimals");
            }
        }
        if (refundWindow.isNegative()) {
            throw new IllegalArgumentException("caravan.payments.refund-window: not negative");
        }
        packs = List.copyOf(packs);
    }

    /** Top-ups and refunds work: Razorpay's keys are set. */
    public boolean enabled() {
        return !razorpay.keyId().isEmpty();
    }

    /** The webhook is accepted: its secret is set too. */
    public boolean webhookEnabled() {
        return enabled() && !razorpay.webhookSecret().isEmpty();
    }

    /** Digits of the currency's smallest unit (2 for INR: paise). */
    public int minorDigits() {
        return Math.max(0, Currency.getInstance(currency).getDefaultFractionDigits());
    }

    /** scheme://host[:port] of the Checkout script: what the Credits page's policy allows. */
    public String checkoutOrigin() {
        URI uri = URI.create(razorpay.checkoutUrl());
        return uri.getScheme() + "://" + uri.getRawAuthority();
    }

    /** scheme://host[:port] of the API: Checkout's frames come from there. */
    public String apiOrigin() {
        URI uri = URI.create(razorpay.baseUrl());
        return uri.getScheme() + "://" + uri.getRawAuthority();
    }
}
