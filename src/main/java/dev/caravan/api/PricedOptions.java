package dev.caravan.api;

/**
 * What in a request, besides its tokens, changes what its answer costs: read and checked once by
 * {@link PricedFields}, then planned for (backends that cannot honour it are left out) and held for.
 *
 * @param choices the answers asked for ({@code n}): the output is held this many times
 */
public record PricedOptions(int choices) {

    /** OpenAI's own bound on {@code n}. */
    public static final int MAX_CHOICES = 128;

    /** A request for one plain answer. */
    public static final PricedOptions PLAIN = new PricedOptions(1);
}
