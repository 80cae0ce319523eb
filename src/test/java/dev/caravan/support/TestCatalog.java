package dev.caravan.support;

import java.time.Duration;
import java.util.Map;
import java.util.Set;

import dev.caravan.catalog.Backend;
import dev.caravan.catalog.CatalogProperties;
import dev.caravan.catalog.Price;

/** Catalog records for unit tests, with the defaults config/models.yaml would give. */
public final class TestCatalog {

    public static final CatalogProperties.Breaker DEFAULT_BREAKER =
            new CatalogProperties.Breaker(50, 20, 5, Duration.ofSeconds(30), 1);

    private TestCatalog() {
    }

    public static CatalogProperties.Provider provider(String protocol, String baseUrl, String apiKey,
                                                      Map<String, String> headers, CatalogProperties.FreeTier freeTier) {
        return new CatalogProperties.Provider(protocol, baseUrl, apiKey, false, Duration.ofSeconds(60),
                Duration.ofSeconds(5), null, headers, freeTier, DEFAULT_BREAKER, "max_tokens");
    }

    public static CatalogProperties.Provider provider(String protocol, String baseUrl, String apiKey) {
        return provider(protocol, baseUrl, apiKey, Map.of(), null);
    }

    public static Backend backend(String providerName, CatalogProperties.Provider provider, String model, Price price) {
        return Backend.of(providerName, provider, model, price, Set.of(), null);
    }
}
