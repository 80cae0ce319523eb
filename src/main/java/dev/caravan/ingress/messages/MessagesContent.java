package dev.caravan.ingress.messages;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caravan.api.GatewayException;

/**
 * Anthropic's {@code messages} as chat messages. A user turn's {@code tool_result} blocks become
 * {@code tool} messages (first, as chat wants them right after the assistant's calls), its text and
 * image blocks a user message; an assistant turn's text becomes its content and its {@code tool_use}
 * blocks its {@code tool_calls}. Thinking blocks are left out: their signatures mean something to
 * Anthropic only (an Anthropic backend gets the client's own body, blocks and all).
 */
final class MessagesContent {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private MessagesContent() {
    }

    static void toMessages(JsonNode messages, ArrayNode chat) {
        if (messages == null || !messages.isArray() || messages.isEmpty()) {
            throw GatewayException.invalidRequest("messages", "'messages' is required: a non-empty array.");
        }
        for (int i = 0; i < messages.size(); i++) {
            JsonNode message = messages.get(i);
            String param = "messages[" + i + "]";
            String role = message.path("role").asText();
            if (!role.equals("user") && !role.equals("assistant")) {
                throw GatewayException.invalidRequest(param + ".role", "'" + param + ".role' must be \"user\" or \"assistant\".");
            }
            JsonNode content = message.get("content");
            if (content != null && content.isTextual()) {
                chat.addObject().put("role", role).put("content", content.asText());
            } else if (content != null && content.isArray()) {
                if (role.equals("user")) {
                    user(content, param, chat);
                } else {
                    chat.add(assistant(content, param));
                }
            } else {
                throw GatewayException.invalidRequest(param + ".content",
                        "'" + param + ".content' must be a string or an array of content blocks.");
            }
        }
    }

    private static void user(JsonNode blocks, String param, ArrayNode chat) {
        ArrayNode parts = JSON.arrayNode();
        for (int i = 0; i < blocks.size(); i++) {
            JsonNode block = blocks.get(i);
            String blockParam = param + ".content[" + i + "]";
            switch (block.path("type").asText()) {
                case "text" -> parts.addObject().put("type", "text").put("text", block.path("text").asText());
                case "image" -> parts.add(image(block, blockParam));
                case "tool_result" -> toolResult(block, blockParam, chat, parts);
                default -> throw unsupported(block, blockParam);
            }
        }
        if (!parts.isEmpty()) {
            chat.addObject().put("role", "user").set("content", parts);
        }
    }

    /**
     * A tool message with the result's text. Chat's tool messages take no images: those go to the user
     * message that follows, so the model still sees them.
     */
    private static void toolResult(JsonNode block, String param, ArrayNode chat, ArrayNode userParts) {
        if (!block.path("tool_use_id").isTextual()) {
            throw GatewayException.invalidRequest(param + ".tool_use_id", "A tool_result needs a 'tool_use_id'.");
        }
        JsonNode content = block.get("content");
        StringBuilder text = new StringBuilder();
        if (content != null && content.isTextual()) {
            text.append(content.asText());
        } else if (content != null && content.isArray()) {
            for (int i = 0; i < content.size(); i++) {
                JsonNode part = content.get(i);
                switch (part.path("type").asText()) {
                    case "text" -> text.append(part.path("text").asText());
                    case "image" -> userParts.add(image(part, param + ".content[" + i + "]"));
                    default -> throw unsupported(part, param + ".content[" + i + "]");
                }
            }
        }
        chat.addObject().put("role", "tool").put("tool_call_id", block.path("tool_use_id").asText())
                .put("content", text.toString());
    }

    private static ObjectNode assistant(JsonNode blocks, String param) {
        ObjectNode message = JSON.objectNode().put("role", "assistant");
        StringBuilder text = new StringBuilder();
        ArrayNode calls = JSON.arrayNode();
        for (int i = 0; i < blocks.size(); i++) {
            JsonNode block = blocks.get(i);
            switch (block.path("type").asText()) {
                case "text" -> text.append(block.path("text").asText());
                case "tool_use" -> {
                    if (!block.path("id").isTextual() || !block.path("name").isTextual()) {
                        throw GatewayException.invalidRequest(param + ".content[" + i + "]", "A tool_use needs an 'id' and a 'name'.");
                    }
                    ObjectNode call = calls.addObject().put("id", block.path("id").asText()).put("type", "function");
                    call.putObject("function").put("name", block.path("name").asText())
                            .put("arguments", block.path("input").isObject() ? block.get("input").toString() : "{}");
                }
                case "thinking", "redacted_thinking" -> {
                }
                default -> throw unsupported(block, param + ".content[" + i + "]");
            }
        }
        if (text.isEmpty()) {
            message.putNull("content");
        } else {
            message.put("content", text.toString());
        }
        if (!calls.isEmpty()) {
            message.set("tool_calls", calls);
        }
        return message;
    }

    /** An image block as a chat image part: base64 as a data URL, a URL as it is. */
    private static ObjectNode image(JsonNode block, String param) {
        JsonNode source = block.path("source");
        String url = switch (source.path("type").asText()) {
            case "base64" -> {
                if (!source.path("media_type").isTextual() || !source.path("data").isTextual()) {
                    throw GatewayException.invalidRequest(param + ".source", "A base64 image needs 'media_type' and 'data'.");
                }
                yield "data:" + source.path("media_type").asText() + ";base64," + source.path("data").asText();
            }
            case "url" -> {
                if (!source.path("url").isTextual()) {
                    throw GatewayException.invalidRequest(param + ".source.url", "A url image needs a 'url'.");
                }
                yield source.path("url").asText();
            }
            default -> throw GatewayException.invalidRequest(param + ".source.type",
                    "An image's 'source.type' must be \"base64\" or \"url\" (Caravan keeps no files).");
        };
        ObjectNode part = JSON.objectNode().put("type", "image_url");
        part.putObject("image_url").put("url", url);
        return part;
    }

    private static GatewayException unsupported(JsonNode block, String param) {
        return GatewayException.invalidRequest(param + ".type", "Content blocks of type \"" + block.path("type").asText()
                + "\" are not supported here: text, image, tool_use, tool_result and thinking are.");
    }
}
