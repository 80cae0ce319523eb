package dev.caravan.catalog;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * Names a backend's prices: the first 12 hex digits of a SHA-256 over the backend's id and its price.
 * The same on every instance with the same catalog; it changes when that backend's prices change,
 * and only then. Usage rows and usage events record it, and price announcements are remembered by it.
 */
public final class PriceVersion {

    private PriceVersion() {
    }

    public static String of(String backendId, Price price) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(canonical(backendId, price).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * input, output and cached-input always (the versions published before the other components
     * existed hashed only those, and a catalog that does not set the others keeps its versions); each
     * other component only where it differs from its default, so changing it changes the version.
     */
    static String canonical(String backendId, Price price) {
        StringBuilder text = new StringBuilder(backendId).append(components(price));
        new TreeMap<>(price.serviceTiers()).forEach((tier, tierPrice) ->
                text.append("|tier:").append(tier).append(components(tierPrice)));
        return text.toString();
    }

    private static String components(Price price) {
        // plain amounts: 0.10 and 0.1 are the same price and must give the same version
        StringBuilder text = new StringBuilder("|input=").append(plain(price.input()))
                .append("|output=").append(plain(price.output()))
                .append("|cached-input=").append(plain(price.cachedInput()));
        Map<String, BigDecimal> optional = new TreeMap<>();
        if (price.cacheWrite().compareTo(price.input()) != 0) {
            optional.put("cache-write", price.cacheWrite());
        }
        if (price.audioInput().compareTo(price.input()) != 0) {
            optional.put("audio-input", price.audioInput());
        }
        if (price.audioOutput() != null) {
            optional.put("audio-output", price.audioOutput());
        }
        optional.forEach((name, amount) -> text.append('|').append(name).append('=').append(plain(amount)));
        return text.toString();
    }

    private static String plain(BigDecimal amount) {
        BigDecimal stripped = amount.stripTrailingZeros();
        return (stripped.signum() == 0 ? BigDecimal.ZERO : stripped).toPlainString();
    }
}
