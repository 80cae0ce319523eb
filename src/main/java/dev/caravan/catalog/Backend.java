package dev.caravan.catalog;

/**
 * One way to serve a model: a provider, the model name the provider knows, and its price.
 * {@code id} ({@code provider/model}) names it in headers, metrics and usage records.
 */
public record Backend(String id, String providerName, CatalogProperties.Provider provider, String upstreamModel,
                      Price price) {

    public static Backend of(String providerName, CatalogProperties.Provider provider, String upstreamModel,
                             Price price) {
        return new Backend(providerName + "/" + upstreamModel, providerName, provider, upstreamModel, price);
    }
}
