package dev.caravan.ingress.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * {@code fromChatCompletion}: the gateway's priced chat completion as a Responses API response. The
 * text becomes a message item, each tool call a function_call item; reasoning text is left out (a
 * Responses reasoning item carries OpenAI's encrypted state, which other backends do not have).
 */
final class ResponsesAnswers {

    private ResponsesAnswers() {
    }

    static ObjectNode fromChatCompletion(ObjectNode chat, ObjectNode request, String responseId) {
        ObjectNode response = ResponseObjects.response(request, responseId, chat.path("created").asLong(), "completed");
        JsonNode choice = chat.path("choices").path(0);
        JsonNode message = choice.path("message");
        ArrayNode output = (ArrayNode) response.get("output");
        String text = message.path("content").isTextual() ? message.path("content").asText() : "";
        if (!text.isEmpty()) {
            ObjectNode item = ResponseObjects.message(ResponseIds.message(responseId, output.size()), "completed");
            ((ArrayNode) item.get("content")).add(ResponseObjects.outputText(text));
            output.add(item);
        }
        if (message.path("refusal").isTextual()) {
            ObjectNode item = ResponseObjects.message(ResponseIds.message(responseId, output.size()), "completed");
            ((ArrayNode) item.get("content")).addObject().put("type", "refusal").put("refusal", message.path("refusal").asText());
            output.add(item);
        }
        int index = 0;
        for (JsonNode call : message.path("tool_calls")) {
            output.add(ResponseObjects.functionCall(ResponseIds.functionCall(responseId, index++), call.path("id").asText(),
                    call.path("function").path("name").asText(), call.path("function").path("arguments").asText(), "completed"));
        }
        ResponseObjects.finish(response, choice.path("finish_reason").asText(null));
        if (chat.path("usage").isObject()) {
            response.set("usage", ResponseObjects.usage(chat.get("usage")));
        }
        response.set("provider", chat.get("provider"));
        return response;
    }
}
