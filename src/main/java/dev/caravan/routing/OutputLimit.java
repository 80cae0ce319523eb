package dev.caravan.routing;

import dev.caravan.catalog.Backend;

/**
 * The output the credit hold covers, per answer ({@code n} answers are held), and what each backend
 * is sent of it: always a limit, in the provider's own field, so that no backend can generate more
 * than was held. Set by {@code credits.reserve}, read by {@code upstreamCalls.prepare}.
 *
 * @param perChoice what the hold covers per answer: the client's max_tokens (or what the credit could
 *                  cover of it), else the largest max-output-tokens of the plan's models
 * @param requested whether the client set a limit
 * @param defaultMax caravan.billing.default-max-output-tokens: what was held for a model that sets none
 */
public record OutputLimit(long perChoice, boolean requested, long defaultMax) {

    /**
     * At most the backend's model's max-output-tokens; for a model without one, the client's limit
     * when it set one, else what the hold assumed for such a model.
     */
    public int forBackend(Backend backend) {
        long limit = perChoice;
        if (backend.maxOutputTokens() != null) {
            limit = Math.min(limit, backend.maxOutputTokens());
        } else if (!requested) {
            limit = Math.min(limit, defaultMax);
        }
        return (int) limit;
    }
}
