package dev.caravan.catalog;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A model as clients name it, with the backends that can serve it, resolved and validated.
 * {@code hedgeAfter} is null when the model does not hedge.
 */
public record CatalogModel(String id, Integer contextLength, Integer maxOutputTokens, Set<String> capabilities,
                           Duration hedgeAfter, List<Backend> backends) {

    /** This model as a request at {@code moment} sees it: each backend at the price then in effect. */
    public CatalogModel pricedAt(Instant moment) {
        return new CatalogModel(id, contextLength, maxOutputTokens, capabilities, hedgeAfter,
                backends.stream().map(backend -> backend.pricedAt(moment)).toList());
    }

    /** The backends that can be called: their provider has a key configured, or needs none. */
    public List<Backend> callableBackends() {
        return backends.stream().filter(b -> b.provider().hasCredentials()).toList();
    }

    /** The lowest list price (input + output per 1M tokens) among these backends, if any. */
    public static Optional<Price> cheapest(List<Backend> backends) {
        return backends.stream().map(Backend::price).min(Comparator.comparing(p -> p.input().add(p.output())));
    }
}
