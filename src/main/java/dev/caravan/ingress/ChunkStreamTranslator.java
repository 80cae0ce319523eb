package dev.caravan.ingress;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Turns the gateway's OpenAI chunk stream (what the metering tap hands on: chunks with
 * {@code provider}, the usage chunk with {@code cost}, or the error chunk with {@code error} and
 * {@code finish_reason: "error"}) into another protocol's events. Stateful: one instance per stream.
 */
public interface ChunkStreamTranslator {

    /** Receives the translated events: an SSE {@code event:} name and its JSON data. */
    interface Events {
        void emit(String event, ObjectNode data);
    }

    /** Called once before the first chunk: the protocol's opening events. */
    void onStart(Events out);

    void onChunk(ObjectNode chunk, Events out);

    /** The OpenAI stream ended ({@code [DONE]}, or its end without one): the protocol's closing events. */
    void onEnd(Events out);
}
