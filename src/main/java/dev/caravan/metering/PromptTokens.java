package dev.caravan.metering;

import java.util.function.LongSupplier;

/**
 * A request's prompt size in tokens, counted only when the count itself is needed. Counting runs the
 * tokenizer over the whole prompt on the response path, about 3 ms for a 100 KB prompt here; most
 * requests need no more than {@link #atMost()}, a bound from the prompt's UTF-8 length (a token is at
 * least one byte), which costs a pass over the characters.
 */
public final class PromptTokens {

    private final long atMost;
    private final LongSupplier counter;
    private long estimate = -1; // guarded by this: a hedged request may ask from two threads

    PromptTokens(long atMost, LongSupplier counter) {
        this.atMost = atMost;
        this.counter = counter;
    }

    /** A size already known: the bound and the estimate are the same. */
    public static PromptTokens known(long tokens) {
        return new PromptTokens(tokens, () -> tokens);
    }

    /** Never below {@link #estimate()}; free. */
    public long atMost() {
        return atMost;
    }

    /** Whether the tokenizer has run: what a request needed decides it. */
    public synchronized boolean counted() {
        return estimate >= 0;
    }

    /** The tokenizer's count, as the planner and metering estimate prompts; counted once, on first use. */
    public synchronized long estimate() {
        if (estimate < 0) {
            estimate = counter.getAsLong();
        }
        return estimate;
    }
}
