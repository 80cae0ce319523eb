package dev.caravan.provider;

/**
 * What a wire protocol can carry of a request beyond one plain answer. The planner leaves out the
 * backends whose protocol cannot honour what a request asks, before any money is held.
 *
 * @param maxChoices   the most answers ({@code n}) one call can ask for
 * @param pricedFields whether {@code service_tier} and audio answers ({@code modalities}, {@code audio})
 *                     reach the provider as the client sent them, so that a backend may price them
 */
public record ProtocolFeatures(int maxChoices, boolean pricedFields) {

    /** One text answer per call at the default tier: the native protocols translated by Caravan. */
    public static final ProtocolFeatures ONE_ANSWER = new ProtocolFeatures(1, false);
}
