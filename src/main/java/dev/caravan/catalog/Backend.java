package dev.caravan.catalog;

import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * One way to serve a model: a provider, the model name the provider knows, its price and what it
 * supports. {@code id} ({@code provider/model}) names it in headers, metrics and usage records.
 * {@code maxOutputTokens} is the {@code max-output-tokens} of the catalog model it serves (or null):
 * the ceiling the credit hold assumes for a request without max_tokens, and so the max_tokens a
 * protocol that requires one is sent.
 *
 * <p>{@code price} is the price in effect and {@code priceVersion} its name; {@code priceChanges}
 * the announced ones after it, in date order. The catalog's backends carry the configured
 * {@code price} and every change; {@link #pricedAt} gives the backend as a request at that moment
 * sees it, which is what plans, holds and charges use, so a request is held and charged at one price.
 */
public record Backend(String id, String providerName, CatalogProperties.Provider provider, String upstreamModel,
                      Price price, Set<String> capabilities, Integer maxOutputTokens, String priceVersion,
                      List<ScheduledPrice> priceChanges) {

    public static Backend of(String providerName, CatalogProperties.Provider provider, String upstreamModel,
                             Price price, Set<String> capabilities, Integer maxOutputTokens) {
        return of(providerName, provider, upstreamModel, price, List.of(), capabilities, maxOutputTokens);
    }

    public static Backend of(String providerName, CatalogProperties.Provider provider, String upstreamModel,
                             Price price, List<ScheduledPrice> priceChanges, Set<String> capabilities,
                             Integer maxOutputTokens) {
        String id = providerName + "/" + upstreamModel;
        return new Backend(id, providerName, provider, upstreamModel, price, Set.copyOf(capabilities), maxOutputTokens,
                PriceVersion.of(id, price), List.copyOf(priceChanges));
    }

    /** This backend with the price in effect at {@code moment}, and only the changes still to come. */
    public Backend pricedAt(Instant moment) {
        if (priceChanges.isEmpty() || priceChanges.get(0).effective().isAfter(moment)) {
            return this;
        }
        int next = 0;
        while (next < priceChanges.size() && !priceChanges.get(next).effective().isAfter(moment)) {
            next++;
        }
        ScheduledPrice current = priceChanges.get(next - 1);
        return new Backend(id, providerName, provider, upstreamModel, current.price(), capabilities, maxOutputTokens,
                current.version(), priceChanges.subList(next, priceChanges.size()));
    }

    public boolean isFreeTier() {
        return provider.freeTier() != null;
    }
}
