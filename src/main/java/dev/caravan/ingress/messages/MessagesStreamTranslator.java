package dev.caravan.ingress.messages;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caravan.ingress.ChunkStreamTranslator;

/**
 * {@code fromChatCompletionChunk}: the gateway's OpenAI chunk stream as Anthropic's Messages events:
 * {@code message_start}; per text or tool call a {@code content_block_start}, its
 * {@code content_block_delta}s ({@code text_delta}, {@code input_json_delta}) and
 * {@code content_block_stop}; {@code message_delta} with the stop reason and the priced usage; then
 * {@code message_stop}. The usage is known only at the end (OpenAI-style streams report it last), so
 * {@code message_start} carries zeros and {@code message_delta} the whole usage. A stream the gateway
 * had to end early gets {@code message_delta} with the usage of what was delivered (what is billed)
 * and then Anthropic's {@code error} event instead of {@code message_stop}.
 */
final class MessagesStreamTranslator extends ChunkStreamTranslator {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final ObjectNode request;
    private final String messageId;
    private int blocks;
    private boolean blockOpen;
    private boolean textOpen;
    private int openToolIndex = -1;

    MessagesStreamTranslator(ObjectNode request, String messageId) {
        this.request = request;
        this.messageId = messageId;
    }

    @Override
    public void onStart(Events out) {
        ObjectNode message = MessageObjects.message(messageId, request.get("model"));
        message.set("usage", MessageObjects.emptyUsage());
        out.emit("message_start", event("message_start").set("message", message));
    }

    @Override
    protected void onText(String text, Events out) {
        if (!textOpen) {
            closeBlock(out);
            startBlock(out, JSON.objectNode().put("type", "text").put("text", ""));
            textOpen = true;
        }
        ObjectNode delta = JSON.objectNode().put("type", "text_delta").put("text", text);
        out.emit("content_block_delta", blockEvent("content_block_delta").set("delta", delta));
    }

    @Override
    protected void onToolCallFragment(int index, String id, String name, String arguments, Events out) {
        if (index != openToolIndex) {
            closeBlock(out);
            ObjectNode block = JSON.objectNode().put("type", "tool_use")
                    .put("id", id != null ? id : messageId + "_tool_" + index).put("name", name);
            block.putObject("input");
            startBlock(out, block);
            openToolIndex = index;
        }
        if (!arguments.isEmpty()) {
            ObjectNode delta = JSON.objectNode().put("type", "input_json_delta").put("partial_json", arguments);
            out.emit("content_block_delta", blockEvent("content_block_delta").set("delta", delta));
        }
    }

    private void startBlock(Events out, ObjectNode block) {
        blockOpen = true;
        out.emit("content_block_start", blockEvent("content_block_start").set("content_block", block));
    }

    private void closeBlock(Events out) {
        if (!blockOpen) {
            return;
        }
        out.emit("content_block_stop", blockEvent("content_block_stop"));
        blocks++;
        blockOpen = false;
        textOpen = false;
        openToolIndex = -1;
    }

    @Override
    public void onEnd(Events out) {
        closeBlock(out);
        ObjectNode delta = JSON.objectNode();
        JsonNode error = error();
        if (error == null) {
            delta.put("stop_reason", MessageObjects.stopReason(finishReason()));
        } else {
            delta.putNull("stop_reason");
        }
        delta.putNull("stop_sequence");
        ObjectNode messageDelta = event("message_delta");
        messageDelta.set("delta", delta);
        messageDelta.set("usage", usage() != null ? MessageObjects.usage(usage()) : MessageObjects.emptyUsage());
        out.emit("message_delta", messageDelta);
        if (error != null) {
            String type = "rate_limit_exceeded".equals(error.path("code").asText()) ? "rate_limit_error"
                    : "upstream_overloaded".equals(error.path("code").asText()) ? "overloaded_error" : "api_error";
            out.emit("error", MessagesErrors.error(type, error.path("message").asText()));
        } else {
            out.emit("message_stop", event("message_stop"));
        }
    }

    private ObjectNode blockEvent(String type) {
        return event(type).put("index", blocks);
    }

    private static ObjectNode event(String type) {
        return JSON.objectNode().put("type", type);
    }
}
