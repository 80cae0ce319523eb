package dev.caravan.routing;

import java.time.Duration;
import java.util.List;

import dev.caravan.catalog.Backend;
import dev.caravan.catalog.CatalogModel;
import dev.caravan.metering.PromptTokens;

/**
 * The backends a request may be sent to, best first, and what the dispatcher needs to know to try them.
 *
 * @param model        the model the client asked for (the first of a {@code models} fallback list)
 * @param candidates   backends to try in order, across all the models that can serve the request
 * @param models       the models the candidates belong to
 * @param prompt       the prompt's size in tokens (no margin): a bound at once, the estimate when asked
 * @param hedgeAfter   race the next candidate when the current one has not answered after this long; null: no hedging
 * @param hedgeCharged the client asked for the hedging: the prompt of an attempt abandoned for another is
 *                     charged to the request (and held for); the model's own hedging is the operator's cost
 */
public record Plan(CatalogModel model, List<Backend> candidates, List<CatalogModel> models, PromptTokens prompt,
                   Duration hedgeAfter, boolean hedgeCharged) {

    public boolean hedging() {
        return hedgeAfter != null;
    }

    /** How many prompts the request may be charged for: its own, and an abandoned hedge's. */
    public int promptsCharged() {
        return hedgeCharged ? 2 : 1;
    }
}
