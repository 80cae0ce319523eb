package dev.caravan.catalog;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which failed attempts move a request on to the next candidate, and which are returned to the client
 * at once: {@code caravan.routing.failover} for every provider, {@code caravan.providers.<name>.failover}
 * for one. A setting left out (null) is taken from the level above; the built-in default is
 * {@link #DEFAULT} (docs/routing.md, "The failover policy").
 *
 * @param when         the outcomes that fail over, by name ({@link #OUTCOMES})
 * @param codes      upstream error codes that fail over whatever their outcome (an OpenAI
 *                   {@code insufficient_quota}, a Gemini {@code FAILED_PRECONDITION})
 * @param neverCodes upstream error codes that are returned to the client whatever their outcome
 */
public record FailoverSettings(List<String> when, List<String> codes, List<String> neverCodes) {

    /**
     * The outcomes {@code when} may name. An answer the upstream refused as the request's own mistake
     * ({@code client-error}) is not one of them: another backend would refuse it too, unless its code
     * says otherwise, and then {@code codes} names it.
     */
    public static final List<String> OUTCOMES = List.of("unreachable", "timeout", "rate-limited", "server-error",
            "refused", "invalid-answer");

    /** Today's behaviour, and what an unset policy means: every failure of the backend fails over. */
    public static final FailoverSettings DEFAULT = new FailoverSettings(OUTCOMES, List.of(), List.of());

    /** This level's settings, with what it leaves out taken from {@code parent}. */
    public FailoverSettings over(FailoverSettings parent) {
        return new FailoverSettings(when != null ? when : parent.when(), codes != null ? codes : parent.codes(),
                neverCodes != null ? neverCodes : parent.neverCodes());
    }

    /** Stops the start-up on a setting that cannot mean what its author wanted; {@code key} names where it is. */
    public void validate(String key) {
        if (when != null) {
            for (String outcome : when) {
                if ("client-error".equals(outcome)) {
                    throw new IllegalStateException(key + ".when: 'client-error' cannot fail over (another backend "
                            + "would refuse the request too); to fail over on one upstream error, list its code in "
                            + key + ".codes");
                }
                if (!OUTCOMES.contains(outcome)) {
                    throw new IllegalStateException(key + ".when: unknown outcome '" + outcome + "' (known: " + OUTCOMES + ")");
                }
            }
        }
        validateCodes(key + ".codes", codes);
        validateCodes(key + ".never-codes", neverCodes);
        if (codes != null && neverCodes != null) {
            Set<String> both = new HashSet<>(normalized(codes));
            both.retainAll(normalized(neverCodes));
            if (!both.isEmpty()) {
                throw new IllegalStateException(key + ": codes and never-codes both list " + both);
            }
        }
    }

    private static void validateCodes(String key, List<String> codes) {
        if (codes != null && codes.stream().anyMatch(code -> code == null || code.isBlank())) {
            throw new IllegalStateException(key + ": an upstream error code cannot be blank");
        }
    }

    /** Upstream codes are compared without case: providers write them in both ({@code RESOURCE_EXHAUSTED}). */
    public static Set<String> normalized(List<String> codes) {
        Set<String> set = new HashSet<>();
        codes.forEach(code -> set.add(code.toLowerCase(Locale.ROOT)));
        return Set.copyOf(set);
    }
}
