package dev.caravan.ingress.responses;

import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.caravan.api.GatewayException;

/**
 * The Responses API's {@code input} as chat messages: a string is one user message; items are
 * messages (text and image parts), function calls (joined into the assistant message before them, as
 * chat wants the calls of one turn together) and their outputs (tool messages). Reasoning items are
 * left out: their content is encrypted for OpenAI alone and no other backend could read it.
 */
final class ResponsesInput {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final Set<String> MESSAGE_ROLES = Set.of("user", "assistant", "system", "developer");

    private ResponsesInput() {
    }

    static void toMessages(JsonNode input, ArrayNode messages) {
        if (input == null || input.isNull()) {
            throw GatewayException.invalidRequest("input", "'input' is required: a string or an array of items.");
        }
        if (input.isTextual()) {
            messages.addObject().put("role", "user").put("content", input.asText());
            return;
        }
        if (!input.isArray() || input.isEmpty()) {
            throw GatewayException.invalidRequest("input", "'input' must be a string or a non-empty array of items.");
        }
        for (int i = 0; i < input.size(); i++) {
            addItem(input.get(i), "input[" + i + "]", messages);
        }
    }

    private static void addItem(JsonNode item, String param, ArrayNode messages) {
        if (!item.isObject()) {
            throw GatewayException.invalidRequest(param, "'" + param + "' must be an object.");
        }
        String type = item.path("type").asText(item.has("role") ? "message" : "");
        switch (type) {
            case "message" -> messages.add(message(item, param));
            case "function_call" -> functionCall(item, param, messages);
            case "function_call_output" -> functionOutput(item, param, messages);
            case "reasoning" -> {
            }
            case "item_reference" -> throw GatewayException.invalidRequest(param, "Caravan does not store items, so '"
                    + param + "' cannot refer to one: send the item itself.");
            default -> throw GatewayException.invalidRequest(param + ".type", "'" + param + ".type' \"" + type
                    + "\" is not supported: use message, function_call or function_call_output items.");
        }
    }

    private static ObjectNode message(JsonNode item, String param) {
        String role = item.path("role").asText();
        if (!MESSAGE_ROLES.contains(role)) {
            throw GatewayException.invalidRequest(param + ".role",
                    "'" + param + ".role' must be one of user, assistant, system, developer.");
        }
        ObjectNode message = JSON.objectNode().put("role", role);
        JsonNode content = item.get("content");
        if (content != null && content.isTextual()) {
            message.set("content", content);
        } else if (content != null && content.isArray()) {
            message.set("content", role.equals("assistant") ? assistantText(content, param) : parts(content, param));
        } else {
            throw GatewayException.invalidRequest(param + ".content",
                    "'" + param + ".content' must be a string or an array of content parts.");
        }
        return message;
    }

    /** An earlier answer's parts: chat takes the assistant's content as text. */
    private static JsonNode assistantText(JsonNode content, String param) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < content.size(); i++) {
            JsonNode part = content.get(i);
            String type = part.path("type").asText();
            if (type.equals("output_text") || type.equals("input_text")) {
                text.append(part.path("text").asText());
            } else if (type.equals("refusal")) {
                text.append(part.path("refusal").asText());
            } else {
                throw GatewayException.invalidRequest(param + ".content[" + i + "].type",
                        "An assistant message takes output_text and refusal parts.");
            }
        }
        return TextNode.valueOf(text.toString());
    }

    private static ArrayNode parts(JsonNode content, String param) {
        ArrayNode parts = JSON.arrayNode();
        for (int i = 0; i < content.size(); i++) {
            JsonNode part = content.get(i);
            String partParam = param + ".content[" + i + "]";
            switch (part.path("type").asText()) {
                case "input_text", "output_text" -> parts.addObject().put("type", "text").put("text", part.path("text").asText());
                case "input_image" -> {
                    if (!part.path("image_url").isTextual()) {
                        throw GatewayException.invalidRequest(partParam + ".image_url", "An input_image needs an 'image_url' "
                                + "(a URL or a base64 data URL): Caravan keeps no uploaded files, so 'file_id' cannot be used.");
                    }
                    ObjectNode image = parts.addObject().put("type", "image_url").putObject("image_url")
                            .put("url", part.path("image_url").asText());
                    if (part.path("detail").isTextual()) {
                        image.put("detail", part.path("detail").asText());
                    }
                }
                default -> throw GatewayException.invalidRequest(partParam + ".type", "'" + partParam
                        + ".type' must be input_text or input_image (files are not supported).");
            }
        }
        return parts;
    }

    private static void functionCall(JsonNode item, String param, ArrayNode messages) {
        if (!item.path("call_id").isTextual() || !item.path("name").isTextual() || !item.path("arguments").isTextual()) {
            throw GatewayException.invalidRequest(param, "A function_call item needs 'call_id', 'name' and 'arguments' strings.");
        }
        ObjectNode assistant = lastAssistantTurn(messages);
        ArrayNode calls = assistant.has("tool_calls") ? (ArrayNode) assistant.get("tool_calls") : assistant.putArray("tool_calls");
        ObjectNode call = calls.addObject().put("id", item.path("call_id").asText()).put("type", "function");
        call.putObject("function").put("name", item.path("name").asText()).put("arguments", item.path("arguments").asText());
    }

    /** The assistant message this call belongs to: the last message when it is the assistant's, else a new one. */
    private static ObjectNode lastAssistantTurn(ArrayNode messages) {
        JsonNode last = messages.isEmpty() ? null : messages.get(messages.size() - 1);
        if (last != null && last.path("role").asText().equals("assistant")) {
            return (ObjectNode) last;
        }
        ObjectNode assistant = messages.addObject().put("role", "assistant");
        assistant.putNull("content");
        return assistant;
    }

    private static void functionOutput(JsonNode item, String param, ArrayNode messages) {
        if (!item.path("call_id").isTextual()) {
            throw GatewayException.invalidRequest(param + ".call_id", "A function_call_output item needs a 'call_id' string.");
        }
        JsonNode output = item.get("output");
        String text;
        if (output != null && output.isTextual()) {
            text = output.asText();
        } else if (output != null && output.isArray()) {
            StringBuilder joined = new StringBuilder();
            output.forEach(part -> joined.append(part.path("text").asText()));
            text = joined.toString();
        } else {
            throw GatewayException.invalidRequest(param + ".output", "'" + param + ".output' must be a string.");
        }
        messages.addObject().put("role", "tool").put("tool_call_id", item.path("call_id").asText()).put("content", text);
    }
}
