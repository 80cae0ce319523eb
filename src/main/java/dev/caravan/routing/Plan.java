package dev.caravan.routing;

import java.util.List;

import dev.caravan.catalog.Backend;
import dev.caravan.catalog.CatalogModel;

/** The model a request resolved to and the backends to try, best first. */
public record Plan(CatalogModel model, List<Backend> candidates) {
}
