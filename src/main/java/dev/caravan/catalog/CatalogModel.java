package dev.caravan.catalog;

import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * A model as clients name it, with the backends that can serve it, resolved and validated.
 * {@code hedgeAfter} is null when the model does not hedge.
 */
public record CatalogModel(String id, Integer contextLength, Integer maxOutputTokens, Set<String> capabilities,
                           Duration hedgeAfter, List<Backend> backends) {
}
