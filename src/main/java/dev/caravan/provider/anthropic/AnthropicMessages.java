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
import dev.caravan.provider.RoleTurns;

/**
 * The conversation as Anthropic messages: instructions to {@code system}; user text and images,
 * assistant text and {@code tool_use}, tool results as {@code tool_result} blocks of a user turn.
 * Consecutive turns of one role are merged into one message ({@link RoleTurns}), so the roles
 * alternate as Anthropic requires, with tool results first in their user message.
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
        RoleTurns messages = new RoleTurns("content");
        for (Turn turn : turns) {
            switch (turn) {
                case UserTurn user -> {
                    ArrayNode blocks = messages.partsOf("user");
                    user.parts().forEach(part -> addPart(blocks, part));
                }
                case AssistantTurn assistant -> {
                    ArrayNode blocks = messages.partsOf("assistant");
                    addText(blocks, assistant.text());
                    assistant.toolCalls().forEach(call -> blocks.add(toolUse(call)));
                }
                case ToolResult result -> {
                    ArrayNode blocks = messages.partsOf("user");
                    blocks.insert(leadingToolResults(blocks), toolResult(result));
                }
            }
        }
        return messages.toArray();
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
