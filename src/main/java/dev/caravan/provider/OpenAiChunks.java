package dev.caravan.provider;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The OpenAI {@code chat.completion.chunk} texts of one streamed answer, all with the same id, model
 * and creation time. Stream translators emit these.
 */
public final class OpenAiChunks {

    private final String id;
    private final String model;
    private final long created;

    public OpenAiChunks(String id, String model, long created) {
        this.id = id;
        this.model = model;
        this.created = created;
    }

    /** The first chunk, as OpenAI sends it: the role and empty content. */
    public String role() {
        ObjectNode chunk = chunk(null);
        delta(chunk).put("role", "assistant").put("content", "");
        return ProviderJson.text(chunk);
    }

    public String text(String fragment) {
        ObjectNode chunk = chunk(null);
        delta(chunk).put("content", fragment);
        return ProviderJson.text(chunk);
    }

    public String reasoning(String fragment) {
        ObjectNode chunk = chunk(null);
        delta(chunk).put("reasoning_content", fragment);
        return ProviderJson.text(chunk);
    }

    /** The first fragment of tool call {@code index}: its id and name, and the arguments so far. */
    public String toolCall(int index, String callId, String name, String arguments) {
        ObjectNode chunk = chunk(null);
        ObjectNode call = delta(chunk).putArray("tool_calls").addObject();
        call.put("index", index).put("id", callId).put("type", "function");
        call.putObject("function").put("name", name).put("arguments", arguments);
        return ProviderJson.text(chunk);
    }

    /** A further fragment of the arguments of tool call {@code index}. */
    public String toolArguments(int index, String fragment) {
        ObjectNode chunk = chunk(null);
        ObjectNode call = delta(chunk).putArray("tool_calls").addObject();
        call.put("index", index);
        call.putObject("function").put("arguments", fragment);
        return ProviderJson.text(chunk);
    }

    public String finish(String finishReason) {
        ObjectNode chunk = chunk(finishReason);
        delta(chunk);
        return ProviderJson.text(chunk);
    }

    /** The usage chunk that ends a stream: no choices, the usage. */
    public String usage(ObjectNode usage) {
        ObjectNode chunk = skeleton();
        chunk.putArray("choices");
        chunk.set("usage", usage);
        return ProviderJson.text(chunk);
    }

    private ObjectNode chunk(String finishReason) {
        ObjectNode chunk = skeleton();
        ObjectNode choice = chunk.putArray("choices").addObject();
        choice.put("index", 0);
        choice.putObject("delta");
        choice.putNull("logprobs");
        choice.put("finish_reason", finishReason);
        return chunk;
    }

    private static ObjectNode delta(ObjectNode chunk) {
        return (ObjectNode) chunk.path("choices").get(0).get("delta");
    }

    private ObjectNode skeleton() {
        ObjectNode chunk = ProviderJson.object();
        chunk.put("id", id).put("object", "chat.completion.chunk").put("created", created).put("model", model);
        return chunk;
    }
}
