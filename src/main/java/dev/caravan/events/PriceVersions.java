package dev.caravan.events;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.caravan.billing.Money;
import dev.caravan.catalog.Backend;
import dev.caravan.catalog.Catalog;
import dev.caravan.catalog.Price;
import org.springframework.stereotype.Component;

/**
 * Names the prices a request was charged at: the first 12 hex digits of a SHA-256 over the serving
 * backend's id and its configured prices. The same on every instance running the same
 * config/models.yaml; it changes when that backend's prices change, and only then.
 */
@Component
public class PriceVersions {

    static final String UNKNOWN = "unknown";

    private final Catalog catalog;
    private final Map<String, String> versions = new ConcurrentHashMap<>();

    public PriceVersions(Catalog catalog) {
        this.catalog = catalog;
    }

    /** The price version of {@code backendId} as it serves {@code requestedModel}. */
    public String of(String requestedModel, String backendId) {
        return versions.computeIfAbsent(requestedModel + "\n" + backendId, key -> catalog.find(requestedModel)
                .flatMap(model -> model.backends().stream().filter(b -> b.id().equals(backendId)).findFirst())
                .map(PriceVersions::version)
                .orElse(UNKNOWN));
    }

    static String version(Backend backend) {
        Price price = backend.price();
        // plain amounts: 0.10 and 0.1 are the same price and must give the same version
        String canonical = backend.id() + "|input=" + Money.plain(price.input()) + "|output="
                + Money.plain(price.output()) + "|cached-input=" + Money.plain(price.cachedInput());
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
