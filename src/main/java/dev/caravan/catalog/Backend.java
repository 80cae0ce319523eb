package dev.caravan.catalog;

/**
 * One way to serve a model: a provider, the model name the provider knows, and its price.
 * {@code id} ({@code provider/model}) names it in headers, metrics and usage records.
 * {@code maxOutputTokens} is the {@code max-output-tokens} of the catalog model it serves (or null):
 * the ceiling the credit hold assumes for a request without max_tokens, and so the max_tokens a
 * protocol that requires one is sent.
 */
public record Backend(String id, String providerName, CatalogProperties.Provider provider, String upstreamModel,
                      Price price, Integer maxOutputTokens) {

    public static Backend of(String providerName, CatalogProperties.Provider provider, String upstreamModel,
                             Price price) {
        return of(providerName, provider, upstreamModel, price, null);
    }

    public static Backend of(String providerName, CatalogProperties.Provider provider, String upstreamModel,
                             Price price, Integer maxOutputTokens) {
        return new Backend(providerName + "/" + upstreamModel, providerName, provider, upstreamModel, price,
                maxOutputTokens);
    }
}
