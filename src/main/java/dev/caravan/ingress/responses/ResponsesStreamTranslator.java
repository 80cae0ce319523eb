package dev.caravan.ingress.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caravan.ingress.ChunkStreamTranslator;

/**
 * {@code fromChatCompletionChunk}: the gateway's OpenAI chunk stream as the Responses API's events.
 * {@code response.created} and {@code response.in_progress} open it; text becomes a message item
 * ({@code output_item.added}, {@code content_part.added}, {@code output_text.delta}...), each tool
 * call a function_call item ({@code function_call_arguments.delta}...); the end is
 * {@code response.completed} (or {@code response.incomplete} at the output limit) with the priced
 * usage. A stream the gateway ended with an error chunk ends with {@code response.failed}, which
 * carries the error and the usage of what was delivered (and billed).
 */
final class ResponsesStreamTranslator extends ChunkStreamTranslator {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final ObjectNode request;
    private final String responseId;
    private final long createdAt;
    private final ArrayNode output = JSON.arrayNode();
    private int sequence;
    private ObjectNode openItem;
    private StringBuilder openText;
    private int openToolIndex = -1;
    private int toolCalls;
    private JsonNode provider;

    ResponsesStreamTranslator(ObjectNode request, String responseId, long createdAt) {
        this.request = request;
        this.responseId = responseId;
        this.createdAt = createdAt;
    }

    @Override
    public void onStart(Events out) {
        ObjectNode response = ResponseObjects.response(request, responseId, createdAt, "in_progress");
        emit(out, "response.created", JSON.objectNode().set("response", response));
        emit(out, "response.in_progress", JSON.objectNode().set("response", response));
    }

    @Override
    protected void onProvider(JsonNode provider) {
        if (provider != null) {
            this.provider = provider;
        }
    }

    @Override
    protected void onText(String text, Events out) {
        if (openText == null) {
            closeItem(out);
            openItem = ResponseObjects.message(ResponseIds.message(responseId, output.size()), "in_progress");
            openText = new StringBuilder();
            emitItem(out, "response.output_item.added", openItem);
            emit(out, "response.content_part.added", partEvent().set("part", ResponseObjects.outputText("")));
        }
        openText.append(text);
        emit(out, "response.output_text.delta", partEvent().put("delta", text).set("logprobs", JSON.arrayNode()));
    }

    @Override
    protected void onToolCallFragment(int index, String id, String name, String arguments, Events out) {
        if (index != openToolIndex) {
            closeItem(out);
            openToolIndex = index;
            String callId = id != null ? id : ResponseIds.functionCall(responseId, toolCalls);
            openItem = ResponseObjects.functionCall(ResponseIds.functionCall(responseId, toolCalls++), callId,
                    name, "", "in_progress");
            emitItem(out, "response.output_item.added", openItem);
        }
        if (!arguments.isEmpty()) {
            openItem.put("arguments", openItem.path("arguments").asText() + arguments);
            emit(out, "response.function_call_arguments.delta", itemEvent().put("delta", arguments));
        }
    }

    private void closeItem(Events out) {
        if (openItem == null) {
            return;
        }
        if (openText != null) {
            String text = openText.toString();
            emit(out, "response.output_text.done", partEvent().put("text", text).set("logprobs", JSON.arrayNode()));
            emit(out, "response.content_part.done", partEvent().set("part", ResponseObjects.outputText(text)));
            ((ArrayNode) openItem.get("content")).add(ResponseObjects.outputText(text));
        } else {
            emit(out, "response.function_call_arguments.done", itemEvent()
                    .put("name", openItem.path("name").asText()).put("arguments", openItem.path("arguments").asText()));
        }
        openItem.put("status", "completed");
        emitItem(out, "response.output_item.done", openItem);
        output.add(openItem);
        openItem = null;
        openText = null;
        openToolIndex = -1;
    }

    @Override
    public void onEnd(Events out) {
        closeItem(out);
        ObjectNode response = ResponseObjects.response(request, responseId, createdAt, "completed");
        response.set("output", output);
        if (usage() != null) {
            response.set("usage", ResponseObjects.usage(usage()));
        }
        if (provider != null) {
            response.set("provider", provider);
        }
        String event;
        if (error() != null) {
            ResponseObjects.fail(response, error());
            event = "response.failed";
        } else {
            ResponseObjects.finish(response, finishReason());
            event = response.path("status").asText().equals("incomplete") ? "response.incomplete" : "response.completed";
        }
        emit(out, event, JSON.objectNode().set("response", response));
    }

    private ObjectNode itemEvent() {
        return JSON.objectNode().put("item_id", openItem.path("id").asText()).put("output_index", output.size());
    }

    private ObjectNode partEvent() {
        return itemEvent().put("content_index", 0);
    }

    private void emitItem(Events out, String type, ObjectNode item) {
        ObjectNode event = JSON.objectNode().put("output_index", output.size());
        event.set("item", item.deepCopy());
        emit(out, type, event);
    }

    private void emit(Events out, String type, ObjectNode event) {
        ObjectNode data = JSON.objectNode().put("type", type).put("sequence_number", sequence++);
        data.setAll(event);
        out.emit(type, data);
    }
}
