package dev.caravan.api;

/** What the client asked the gateway to do; selects the upstream operation of the adapter. */
public enum Operation {
    CHAT_COMPLETION,
    EMBEDDINGS
}
