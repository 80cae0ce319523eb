package dev.caravan.catalog;

import java.util.Set;

/**
 * One way to serve a model: a provider, the model name the provider knows, its price and what it
 * supports. {@code id} ({@code provider/model}) names it in headers, metrics and usage records.
 * {@code maxOutputTokens} is the {@code max-output-tokens} of the catalog model it serves (or null):
 * the ceiling the credit hold assumes for a request without max_tokens, and so the max_tokens a
 * protocol that requires one is sent.
 */
public record Backend(String id, String providerName, CatalogProperties.Provider provider, String upstreamModel,
                      Price price, Set<String> capabilities, Integer maxOutputTokens) {

    public static Backend of(String providerName, CatalogProperties.Provider provider, String upstreamModel,
                             Price price, Set<String> capabilities, Integer maxOutputTokens) {
        return new Backend(providerName + "/" + upstreamModel, providerName, provider, upstreamModel, price,
                Set.copyOf(capabilities), maxOutputTokens);
    }

    public boolean isFreeTier() {
        return provider.freeTier() != null;
    }
}
