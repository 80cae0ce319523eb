package dev.caravan.payments;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Razorpay's signatures: HMAC-SHA256 as lower-case hex, of {@code order_id|payment_id} with the key
 * secret (the Checkout callback) and of the webhook's raw body with the webhook secret. Compared in
 * constant time, so a forger learns nothing from how long a refusal took.
 */
public final class RazorpaySignatures {

    private RazorpaySignatures() {
    }

    public static String hmacHex(String secret, byte[] message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(message));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    /** The Checkout callback's signature is right for this order and payment. */
    public static boolean checkoutSignatureMatches(String keySecret, String orderId, String paymentId, String signature) {
        return matches(hmacHex(keySecret, (orderId + "|" + paymentId).getBytes(StandardCharsets.UTF_8)), signature);
    }

    /** The webhook's X-Razorpay-Signature is right for these exact bytes. */
    public static boolean webhookSignatureMatches(String webhookSecret, byte[] body, String signature) {
        return matches(hmacHex(webhookSecret, body), signature);
    }

    private static boolean matches(String expected, String given) {
        if (given == null) {
            return false;
        }
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                given.trim().toLowerCase(java.util.Locale.ROOT).getBytes(StandardCharsets.US_ASCII));
    }
}
