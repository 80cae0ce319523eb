package dev.caravan.provider;

/**
 * What a wire protocol can carry of a request beyond one plain answer. The planner leaves out the
 * backends whose protocol cannot honour what a request asks, before any money is held.
 *
 * @param maxChoices the most answers ({@code n}) one call can ask for
 */
public record ProtocolFeatures(int maxChoices) {

    /** One answer per call: the native protocols translated by Caravan. */
    public static final ProtocolFeatures ONE_ANSWER = new ProtocolFeatures(1);
}
