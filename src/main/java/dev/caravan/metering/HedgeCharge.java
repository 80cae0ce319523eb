package dev.caravan.metering;

import dev.caravan.catalog.Backend;

/**
 * The prompt of a hedged attempt the client asked for and the gateway abandoned for another: its
 * provider had the prompt, and bills it. Charged to the request at that backend's input price.
 *
 * @param promptTokens the gateway's count of the prompt (the tokenizer's, as for estimated usage)
 */
public record HedgeCharge(Backend backend, long promptTokens) {
}
