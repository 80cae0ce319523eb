package dev.caravan.api;

/**
 * What in a request, besides its tokens, changes what its answer costs: read and checked once by
 * {@link PricedFields}, then planned for (backends that cannot honour or price it are left out), held
 * for and priced.
 *
 * @param choices     the answers asked for ({@code n}): the output is held this many times
 * @param serviceTier the processing tier asked for ({@code service_tier}); null for the provider's
 *                    default ({@code "auto"} or none)
 * @param audioInput  the prompt has {@code input_audio} parts, which a backend may price apart
 * @param audioOutput the answer is asked for as audio ({@code modalities} with {@code "audio"}, or {@code audio})
 */
public record PricedOptions(int choices, String serviceTier, boolean audioInput, boolean audioOutput) {

    /** OpenAI's own bound on {@code n}. */
    public static final int MAX_CHOICES = 128;

    /** A request for one plain answer. */
    public static final PricedOptions PLAIN = new PricedOptions(1, null, false, false);
}
