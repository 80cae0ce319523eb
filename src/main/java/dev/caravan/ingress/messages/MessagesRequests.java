package dev.caravan.ingress.messages;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caravan.api.GatewayException;
import dev.caravan.ingress.ChatRequests;

/**
 * {@code toChatCompletionRequest}: an Anthropic Messages API request as the chat completion request
 * every backend protocol takes, so that it goes through the same planner, holds, failover and
 * metering as chat. Pure: JSON in, JSON out; what cannot be honoured is a 400 naming the field. Only
 * the fields mapped here are sent on (an Anthropic backend gets the client's own body instead:
 * {@link MessagesApi}).
 */
final class MessagesRequests {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    /**
     * What an Anthropic backend is sent of the client's own body (cache_control and signed thinking
     * blocks inside them included): the fields the translation above checked or priced. Anything
     * else (MCP servers, containers, service tiers) could be billed outside tokens, and is not sent.
     */
    private static final List<String> NATIVE_FIELDS = List.of("model", "max_tokens", "system", "messages", "tools",
            "tool_choice", "stop_sequences", "temperature", "top_p", "top_k", "thinking", "metadata", "stream");

    private MessagesRequests() {
    }

    static ObjectNode toChatCompletionRequest(ObjectNode request) {
        ObjectNode chat = JSON.objectNode();
        chat.set("model", request.get("model"));
        ArrayNode messages = chat.putArray("messages");
        system(request.get("system"), messages);
        MessagesContent.toMessages(request.get("messages"), messages);
        if (ChatRequests.present(request.get("max_tokens"))) {
            chat.set("max_completion_tokens", request.get("max_tokens"));
        }
        copyTools(request, chat);
        ChatRequests.copyIfPresent(request, "stop_sequences", chat, "stop");
        ChatRequests.copyIfPresent(request, "temperature", chat, "temperature");
        ChatRequests.copyIfPresent(request, "top_p", chat, "top_p");
        JsonNode thinking = request.get("thinking");
        if (ChatRequests.present(thinking) && "enabled".equals(thinking.path("type").asText())) {
            // the OpenRouter-style budget the native adapters read (anthropic: budget_tokens)
            chat.putObject("reasoning").set("max_tokens", thinking.get("budget_tokens"));
        }
        JsonNode user = request.path("metadata").path("user_id");
        if (user.isTextual()) {
            chat.put("user", user.asText());
        }
        return chat;
    }

    /** The client's request as an Anthropic backend gets it: the checked fields only ({@link #NATIVE_FIELDS}). */
    static ObjectNode nativeRequest(ObjectNode request) {
        ObjectNode body = JSON.objectNode();
        for (String field : NATIVE_FIELDS) {
            if (ChatRequests.present(request.get(field))) {
                body.set(field, request.get(field));
            }
        }
        return body;
    }

    /** {@code system}: a string or text blocks, one system message. */
    private static void system(JsonNode system, ArrayNode messages) {
        if (!ChatRequests.present(system)) {
            return;
        }
        if (system.isTextual()) {
            messages.addObject().put("role", "system").put("content", system.asText());
            return;
        }
        if (!system.isArray()) {
            throw GatewayException.invalidRequest("system", "'system' must be a string or an array of text blocks.");
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < system.size(); i++) {
            JsonNode block = system.get(i);
            if (!"text".equals(block.path("type").asText()) || !block.path("text").isTextual()) {
                throw GatewayException.invalidRequest("system[" + i + "]", "'system[" + i + "]' must be a text block.");
            }
            text.append(text.isEmpty() ? "" : "\n\n").append(block.path("text").asText());
        }
        messages.addObject().put("role", "system").put("content", text.toString());
    }

    private static void copyTools(ObjectNode request, ObjectNode chat) {
        ChatRequests.copyTools(request.get("tools"), chat, MessagesRequests::functionTool);
        JsonNode choice = request.get("tool_choice");
        if (ChatRequests.present(choice)) {
            toolChoice(choice, chat);
        }
    }

    private static ObjectNode functionTool(JsonNode tool, String param) {
        String type = tool.path("type").asText("custom");
        if (!tool.isObject() || !type.equals("custom")) {
            throw GatewayException.invalidRequest(param + ".type", "Only client tools (with 'input_schema') are "
                    + "supported, not Anthropic's server tools such as \"" + type + "\".");
        }
        if (!tool.path("input_schema").isObject()) {
            throw GatewayException.invalidRequest(param + ".input_schema", "'" + param + ".input_schema' must be an object.");
        }
        return ChatRequests.functionTool(tool, param, "input_schema");
    }

    private static void toolChoice(JsonNode choice, ObjectNode chat) {
        switch (choice.path("type").asText()) {
            case "auto" -> chat.put("tool_choice", "auto");
            case "any" -> chat.put("tool_choice", "required");
            case "none" -> chat.put("tool_choice", "none");
            case "tool" -> {
                if (!choice.path("name").isTextual()) {
                    throw GatewayException.invalidRequest("tool_choice.name", "A tool_choice of type \"tool\" needs a 'name'.");
                }
                ObjectNode named = chat.putObject("tool_choice").put("type", "function");
                named.putObject("function").put("name", choice.path("name").asText());
            }
            default -> throw GatewayException.invalidRequest("tool_choice.type",
                    "'tool_choice.type' must be \"auto\", \"any\", \"tool\" or \"none\".");
        }
        if (choice.path("disable_parallel_tool_use").asBoolean(false)) {
            chat.put("parallel_tool_calls", false);
        }
    }

}
