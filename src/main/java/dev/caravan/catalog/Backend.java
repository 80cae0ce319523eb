package dev.caravan.catalog;

import java.util.Set;

/**
 * One way to serve a model: a provider, the model name the provider knows, its price and what it
 * supports. {@code id} ({@code provider/model}) names it in headers, metrics and usage records.
 */
public record Backend(String id, String providerName, CatalogProperties.Provider provider, String upstreamModel,
                      Price price, Set<String> capabilities) {

    public static Backend of(String providerName, CatalogProperties.Provider provider, String upstreamModel,
                             Price price, Set<String> capabilities) {
        return new Backend(providerName + "/" + upstreamModel, providerName, provider, upstreamModel, price,
                Set.copyOf(capabilities));
    }

    public boolean isFreeTier() {
        return provider.freeTier() != null;
    }
}
