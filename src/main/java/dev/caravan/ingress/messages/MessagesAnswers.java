package dev.caravan.ingress.messages;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * {@code fromChatCompletion}: the gateway's priced chat completion as an Anthropic {@code message}:
 * a text block, then a {@code tool_use} block per tool call. Reasoning text is not returned: a
 * thinking block needs Anthropic's signature, which a translated answer does not have.
 */
final class MessagesAnswers {

    private MessagesAnswers() {
    }

    static ObjectNode fromChatCompletion(ObjectNode chat, ObjectNode request, String messageId) {
        ObjectNode message = MessageObjects.message(messageId, request.get("model"));
        ArrayNode content = (ArrayNode) message.get("content");
        JsonNode choice = chat.path("choices").path(0);
        JsonNode answer = choice.path("message");
        String text = answer.path("content").isTextual() ? answer.path("content").asText()
                : answer.path("refusal").asText("");
        if (!text.isEmpty()) {
            content.addObject().put("type", "text").put("text", text);
        }
        for (JsonNode call : answer.path("tool_calls")) {
            ObjectNode block = content.addObject().put("type", "tool_use").put("id", call.path("id").asText())
                    .put("name", call.path("function").path("name").asText());
            block.set("input", MessageObjects.input(call.path("function").path("arguments").asText("")));
        }
        message.put("stop_reason", MessageObjects.stopReason(choice.path("finish_reason").asText(null)));
        message.set("usage", chat.path("usage").isObject() ? MessageObjects.usage(chat.get("usage")) : MessageObjects.emptyUsage());
        message.set("provider", chat.get("provider"));
        return message;
    }
}
