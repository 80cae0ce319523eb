package dev.caravan.payments;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;

import dev.caravan.api.GatewayException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Payments are off without Razorpay's keys, and a bad setting stops the start naming itself. */
class PaymentSettingsTest {

    static PaymentSettings settings(String keyId, String keySecret, String webhookSecret) {
        return new PaymentSettings("INR", new BigDecimal("90"), List.of(new BigDecimal("5")), new BigDecimal("5"),
                new BigDecimal("500"), Duration.ofDays(30), new PaymentSettings.Razorpay("https://api.razorpay.com/v1",
                keyId, keySecret, webhookSecret, "https://checkout.razorpay.com/v1/checkout.js", 65536));
    }

    @Test
    void withoutKeysPaymentsAreOffWithAClear503() {
        PaymentSettings off = settings("", "", "");
        assertThat(off.enabled()).isFalse();
        assertThat(off.webhookEnabled()).isFalse();
        assertThatThrownBy(() -> Payments.requireEnabled(off)).isInstanceOfSatisfying(GatewayException.class, e -> {
            assertThat(e.status()).isEqualTo(503);
            assertThat(e.code()).isEqualTo("payments_not_configured");
        });
        assertThat(settings("rzp_test_x", "secret", "").webhookEnabled()).isFalse();
        assertThat(settings("rzp_test_x", "secret", "hook").webhookEnabled()).isTrue();
    }

    @Test
    void halfAKeyOrABadValueIsRefusedAtStart() {
        assertThatThrownBy(() -> settings("rzp_test_x", "", "")).hasMessageContaining("RAZORPAY_KEY_SECRET");
        assertThatThrownBy(() -> new PaymentSettings("RUPEES", BigDecimal.ONE, List.of(), BigDecimal.ONE, BigDecimal.TEN,
                Duration.ofDays(30), settings("", "", "").razorpay())).hasMessageContaining("caravan.payments.currency");
        assertThatThrownBy(() -> new PaymentSettings("INR", BigDecimal.ZERO, List.of(), BigDecimal.ONE, BigDecimal.TEN,
                Duration.ofDays(30), settings("", "", "").razorpay())).hasMessageContaining("usd-rate");
    }

    @Test
    void theSecretsNeverShowInTheSettingsText() {
        assertThat(settings("rzp_test_x", "the-key-secret", "the-hook-secret").toString())
                .doesNotContain("the-key-secret").doesNotContain("the-hook-secret");
    }

    @Test
    void amountsAreInTheCurrencysSmallestUnit() {
        assertThat(Purchases.amountMinor(new BigDecimal("10"), new BigDecimal("90"), "INR")).isEqualTo(90_000);
        assertThat(Purchases.amountMinor(new BigDecimal("5.55"), new BigDecimal("83.3333"), "INR")).isEqualTo(46_250);
        assertThat(Purchases.amountMinor(new BigDecimal("10"), new BigDecimal("150"), "JPY")).isEqualTo(1_500);
    }

    @Test
    void signaturesAreRazorpaysHmacHex() {
        // HMAC-SHA256("secret", "order_1|pay_1") computed independently (openssl dgst -sha256 -hmac secret)
        String expected = "52115a0d3400de9e86aade1f1b6eba9e8974604f4e267a9e9a16633a4c8dd2cb";
        assertThat(RazorpaySignatures.hmacHex("secret", "order_1|pay_1".getBytes())).isEqualTo(expected);
        assertThat(RazorpaySignatures.checkoutSignatureMatches("secret", "order_1", "pay_1", expected)).isTrue();
        assertThat(RazorpaySignatures.checkoutSignatureMatches("secret", "order_1", "pay_2", expected)).isFalse();
        assertThat(RazorpaySignatures.checkoutSignatureMatches("secret", "order_1", "pay_1", null)).isFalse();
    }
}
