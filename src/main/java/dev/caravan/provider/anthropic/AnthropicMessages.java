package dev.caravan.provider.anthropic;

import java.util.List;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caravan.provider.ChatRequest.AssistantTurn;
import dev.caravan.provider.ChatRequest.Image;
import dev.caravan.provider.ChatRequest.Part;
import dev.caravan.provider.ChatRequest.Text;
import dev.caravan.provider.ChatRequest.ToolCall;
import dev.caravan.provider.ChatRequest.ToolResult;
import dev.caravan.provider.ChatRequest.Turn;
import dev.caravan.provider.ChatRequest.UserTurn;
import dev.caravan.provider.ProviderJson;

/**
 * The conversation as Anthropic messages: instructions to {@code system}; user text and images,
 * assistant text and {@code tool_use}, tool results as {@code tool_result} blocks of a user turn.
 * Consecutive turns of one role are merged into one message, so the roles alternate as Anthropic
 * requires, with tool results first in their user message.
 */
final class AnthropicMessages {

    private AnthropicMessages() {
    }

    static ArrayNode system(List<String> instructions) {
        ArrayNode system = ProviderJson.object().arrayNode();
        instructions.stream().filter(text -> !text.isEmpty())
                .forEach(text -> system.addObject().put("type", "text").put("text", text));
        return system;
    }

    static ArrayNode messages(List<Turn> turns) {
        ArrayNode messages = ProviderJson.object().arrayNode();
        for (Turn turn : turns) {
            switch (turn) {
                case UserTurn user -> {
                    ArrayNode blocks = message(messages, "user");
                    user.parts().forEach(part -> addPart(blocks, part));
                }
                case AssistantTurn assistant -> {
                    ArrayNode blocks = message(messages, "assistant");
                    addText(blocks, assistant.text());
                    assistant.toolCalls().forEach(call -> blocks.add(toolUse(call)));
                }
                case ToolResult result -> {
                    ArrayNode blocks = message(messages, "user");
                    blocks.insert(leadingToolResults(blocks), toolResult(result));
                }
            }
        }
        // a turn with nothing to say (an empty user text) would be refused: leave it out
        for (int i = messages.size() - 1; i >= 0; i--) {
            if (messages.get(i).path("content").isEmpty()) {
                messages.remove(i);
            }
        }
        return messages;
    }

    /** The content blocks of the last message if it has this role, else of a new message. */
    private static ArrayNode message(ArrayNode messages, String role) {
        if (!messages.isEmpty() && messages.get(messages.size() - 1).path("role").asText().equals(role)) {
            return (ArrayNode) messages.get(messages.size() - 1).get("content");
        }
        ObjectNode message = messages.addObject().put("role", role);
        return message.putArray("content");
    }

    private static void addPart(ArrayNode blocks, Part part) {
        switch (part) {
            case Text text -> addText(blocks, text.text());
            case Image image -> blocks.add(image(image));
        }
    }

    private static void addText(ArrayNode blocks, String text) {
        if (!text.isEmpty()) {
            blocks.addObject().put("type", "text").put("text", text);
        }
    }

    private static ObjectNode image(Image image) {
        ObjectNode block = ProviderJson.object().put("type", "image");
        ObjectNode source = block.putObject("source");
        if (image.inline()) {
            source.put("type", "base64").put("media_type", image.mediaType()).put("data", image.data());
        } else {
            source.put("type", "url").put("url", image.url());
        }
        return block;
    }

    private static ObjectNode toolUse(ToolCall call) {
        ObjectNode block = ProviderJson.object().put("type", "tool_use").put("id", call.id()).put("name", call.name());
        block.set("input", call.arguments());
        return block;
    }

    private static ObjectNode toolResult(ToolResult result) {
        return ProviderJson.object().put("type", "tool_result").put("tool_use_id", result.toolCallId())
                .put("content", result.content());
    }

    private static int leadingToolResults(ArrayNode blocks) {
        int count = 0;
        while (count < blocks.size() && blocks.get(count).path("type").asText().equals("tool_result")) {
            count++;
        }
        return count;
    }
}
