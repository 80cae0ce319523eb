package dev.caravan.catalog;

import java.util.List;
import java.util.Set;

/** A model as clients name it, with the backends that can serve it, resolved and validated. */
public record CatalogModel(String id, Integer contextLength, Integer maxOutputTokens, Set<String> capabilities,
                           List<Backend> backends) {
}
