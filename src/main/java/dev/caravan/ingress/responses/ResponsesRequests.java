package dev.caravan.ingress.responses;

import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caravan.api.GatewayException;
import dev.caravan.ingress.ChatRequests;

/**
 * {@code toChatCompletionRequest}: a Responses API request as the chat completion request every
 * backend protocol already takes, so that it goes through the same planner, holds, failover and
 * metering as chat. Pure: JSON in, JSON out; a field the gateway cannot honour is a 400 naming it.
 * Only the fields mapped here reach the upstream: Responses-only fields mean nothing to a chat API.
 */
final class ResponsesRequests {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    /** Stored state the gateway does not keep (nothing of a conversation is stored): refused, never ignored. */
    private static final Set<String> STATEFUL_FIELDS = Set.of("conversation", "prompt");

    private ResponsesRequests() {
    }

    static ObjectNode toChatCompletionRequest(ObjectNode request) {
        refuseState(request);
        ObjectNode chat = JSON.objectNode();
        chat.set("model", request.get("model"));
        ArrayNode messages = chat.putArray("messages");
        JsonNode instructions = request.get("instructions");
        if (ChatRequests.present(instructions)) {
            if (!instructions.isTextual()) {
                throw GatewayException.invalidRequest("instructions", "'instructions' must be a string.");
            }
            messages.addObject().put("role", "system").put("content", instructions.asText());
        }
        ResponsesInput.toMessages(request.get("input"), messages);
        copyTools(request, chat);
        copyTextFormat(request.get("text"), chat);
        ChatRequests.copyIfPresent(request, "max_output_tokens", chat, "max_completion_tokens");
        ChatRequests.copyIfPresent(request, "temperature", chat, "temperature");
        ChatRequests.copyIfPresent(request, "top_p", chat, "top_p");
        ChatRequests.copyIfPresent(request, "parallel_tool_calls", chat, "parallel_tool_calls");
        ChatRequests.copyIfPresent(request, "service_tier", chat, "service_tier");
        ChatRequests.copyIfPresent(request, "user", chat, "user");
        JsonNode reasoning = request.get("reasoning");
        if (ChatRequests.present(reasoning)) {
            if (!reasoning.isObject()) {
                throw GatewayException.invalidRequest("reasoning", "'reasoning' must be an object.");
            }
            ChatRequests.copyIfPresent((ObjectNode) reasoning, "effort", chat, "reasoning_effort");
        }
        return chat;
    }

    private static void refuseState(ObjectNode request) {
        if (ChatRequests.present(request.get("previous_response_id"))) {
            throw GatewayException.invalidRequest("previous_response_id", "Caravan does not store responses, so "
                    + "'previous_response_id' cannot be used: send the full conversation in 'input' instead.");
        }
        for (String field : STATEFUL_FIELDS) {
            if (ChatRequests.present(request.get(field))) {
                throw GatewayException.invalidRequest(field, "Caravan does not store conversations or prompts, so '"
                        + field + "' cannot be used: send the full input and instructions instead.");
            }
        }
        JsonNode background = request.get("background");
        if (background != null && background.asBoolean(false)) {
            throw GatewayException.invalidRequest("background", "Background responses need stored responses, "
                    + "which Caravan does not keep: leave 'background' off.");
        }
    }

    private static void copyTools(ObjectNode request, ObjectNode chat) {
        ChatRequests.copyTools(request.get("tools"), chat, ResponsesRequests::functionTool);
        JsonNode choice = request.get("tool_choice");
        if (ChatRequests.present(choice)) {
            chat.set("tool_choice", toolChoice(choice));
        }
    }

    private static ObjectNode functionTool(JsonNode tool, String param) {
        if (!tool.isObject() || !"function".equals(tool.path("type").asText())) {
            throw GatewayException.invalidRequest(param + ".type", "Only function tools are supported ('" + param
                    + ".type' must be \"function\"): built-in tools run at OpenAI, not at every provider.");
        }
        return ChatRequests.functionTool(tool, param, "parameters");
    }

    private static JsonNode toolChoice(JsonNode choice) {
        if (choice.isTextual() && Set.of("auto", "none", "required").contains(choice.asText())) {
            return choice;
        }
        if (choice.isObject() && "function".equals(choice.path("type").asText()) && choice.path("name").isTextual()) {
            ObjectNode named = JSON.objectNode().put("type", "function");
            named.putObject("function").set("name", choice.get("name"));
            return named;
        }
        throw GatewayException.invalidRequest("tool_choice",
                "'tool_choice' must be \"auto\", \"none\", \"required\" or {\"type\":\"function\",\"name\":...}.");
    }

    /** {@code text.format}: the answer's shape, as chat's {@code response_format}. */
    private static void copyTextFormat(JsonNode text, ObjectNode chat) {
        if (!ChatRequests.present(text)) {
            return;
        }
        JsonNode format = text.get("format");
        if (!text.isObject() || !ChatRequests.present(format)) {
            return;
        }
        String type = format.path("type").asText();
        switch (type) {
            case "text" -> {
            }
            case "json_object" -> chat.putObject("response_format").put("type", "json_object");
            case "json_schema" -> {
                if (!format.path("name").isTextual() || !format.path("schema").isObject()) {
                    throw GatewayException.invalidRequest("text.format", "A json_schema 'text.format' needs a 'name' "
                            + "and a 'schema' object.");
                }
                ObjectNode schema = JSON.objectNode();
                for (String field : new String[] {"name", "schema", "strict", "description"}) {
                    if (ChatRequests.present(format.get(field))) {
                        schema.set(field, format.get(field));
                    }
                }
                ObjectNode responseFormat = chat.putObject("response_format").put("type", "json_schema");
                responseFormat.set("json_schema", schema);
            }
            default -> throw GatewayException.invalidRequest("text.format.type",
                    "'text.format.type' must be \"text\", \"json_object\" or \"json_schema\".");
        }
    }

}
