package dev.caravan.ingress;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Turns the gateway's OpenAI chunk stream (what the metering tap hands on: chunks with
 * {@code provider}, the usage chunk with {@code cost}, or the error chunk with {@code error} and
 * {@code finish_reason: "error"}) into another protocol's events. The chunks are read here once for
 * every protocol: a protocol says what text and tool call fragments become, and how the stream opens
 * and ends. Stateful: one instance per stream.
 */
public abstract class ChunkStreamTranslator {

    /** Receives the translated events: an SSE {@code event:} name and its JSON data. */
    public interface Events {
        void emit(String event, ObjectNode data);
    }

    private JsonNode usage;
    private JsonNode error;
    private String finishReason;

    /** Called once before the first chunk: the protocol's opening events. */
    public abstract void onStart(Events out);

    public final void onChunk(ObjectNode chunk, Events out) {
        if (chunk.path("usage").isObject()) {
            usage = chunk.get("usage");
        }
        if (chunk.path("error").isObject()) {
            error = chunk.get("error");
            return;
        }
        onProvider(chunk.get("provider"));
        JsonNode choice = chunk.path("choices").path(0);
        JsonNode delta = choice.path("delta");
        for (JsonNode text : new JsonNode[] {delta.path("content"), delta.path("refusal")}) {
            if (text.isTextual() && !text.asText().isEmpty()) {
                onText(text.asText(), out);
            }
        }
        for (JsonNode call : delta.path("tool_calls")) {
            onToolCallFragment(call.path("index").asInt(0), call.path("id").asText(null),
                    call.path("function").path("name").asText(""), call.path("function").path("arguments").asText(""), out);
        }
        if (choice.path("finish_reason").isTextual()) {
            finishReason = choice.path("finish_reason").asText();
        }
    }

    /** A fragment of the answer's text (refusals included). */
    protected abstract void onText(String text, Events out);

    /** A fragment of tool call {@code index}: its first carries the id and name. */
    protected abstract void onToolCallFragment(int index, String id, String name, String arguments, Events out);

    /** The provider that answers (the gateway's name for it), on every chunk that names it. */
    protected void onProvider(JsonNode provider) {
    }

    /** The OpenAI stream ended ({@code [DONE]}, or its end without one): the protocol's closing events. */
    public abstract void onEnd(Events out);

    /** The priced usage chunk's {@code usage}, or null when none came. */
    protected JsonNode usage() {
        return usage;
    }

    /** The error chunk's {@code error} when the gateway ended the stream early, else null. */
    protected JsonNode error() {
        return error;
    }

    protected String finishReason() {
        return finishReason;
    }
}
