package dev.caravan.ingress.messages;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caravan.api.JsonFactories;

/** The pieces of an Anthropic {@code message} shared by the complete answer and the stream. */
final class MessageObjects {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final ObjectMapper READER = new ObjectMapper(JsonFactories.create());

    private MessageObjects() {
    }

    /** {@code msg_X} for request {@code req_X} ({@code GET /v1/generation?id=req_X}): nothing else is stored. */
    static String id(String requestId) {
        return "msg_" + requestId.substring(requestId.indexOf('_') + 1);
    }

    static ObjectNode message(String id, JsonNode model) {
        ObjectNode message = JSON.objectNode().put("id", id).put("type", "message").put("role", "assistant");
        message.set("model", model);
        message.putArray("content");
        message.putNull("stop_reason");
        message.putNull("stop_sequence");
        return message;
    }

    /** Anthropic's stop reason for a chat finish reason. */
    static String stopReason(String finishReason) {
        return switch (finishReason == null ? "stop" : finishReason) {
            case "length" -> "max_tokens";
            case "tool_calls" -> "tool_use";
            case "content_filter" -> "refusal";
            default -> "end_turn";
        };
    }

    /**
     * Chat usage (with the gateway's cost) as Anthropic's: its {@code input_tokens} leave out the
     * cache reads and writes, which the chat usage counts in {@code prompt_tokens}.
     */
    static ObjectNode usage(JsonNode chat) {
        long prompt = chat.path("prompt_tokens").asLong();
        long cacheRead = chat.path("prompt_tokens_details").path("cached_tokens").asLong();
        long cacheWrite = chat.path("prompt_tokens_details").path("cache_write_tokens").asLong();
        ObjectNode usage = JSON.objectNode();
        usage.put("input_tokens", prompt - cacheRead - cacheWrite);
        usage.put("output_tokens", chat.path("completion_tokens").asLong());
        usage.put("cache_creation_input_tokens", cacheWrite);
        usage.put("cache_read_input_tokens", cacheRead);
        usage.putNull("server_tool_use");
        for (String extra : new String[] {"cost", "cost_details", "estimated"}) {
            if (chat.has(extra)) {
                usage.set(extra, chat.get(extra));
            }
        }
        return usage;
    }

    static ObjectNode emptyUsage() {
        return JSON.objectNode().put("input_tokens", 0).put("output_tokens", 0)
                .put("cache_creation_input_tokens", 0).put("cache_read_input_tokens", 0);
    }

    /**
     * A tool call's arguments as the {@code input} object Anthropic's clients expect. Arguments that
     * are not a JSON object (a model's slip) are kept as text under {@code _arguments}: the answer was
     * delivered and billed, so it is passed on rather than failed.
     */
    static JsonNode input(String arguments) {
        try {
            JsonNode input = READER.readTree(arguments.isBlank() ? "{}" : arguments);
            if (input.isObject()) {
                return input;
            }
        } catch (Exception notJson) {
            // kept as text below
        }
        return JSON.objectNode().put("_arguments", arguments);
    }
}
