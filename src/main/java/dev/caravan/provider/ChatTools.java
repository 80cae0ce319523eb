package dev.caravan.provider;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import dev.caravan.api.GatewayException;
import dev.caravan.provider.ChatRequest.FunctionTool;
import dev.caravan.provider.ChatRequest.ToolChoice;

/** The {@code tools} and {@code tool_choice} of an OpenAI chat request. */
final class ChatTools {

    private ChatTools() {
    }

    static List<FunctionTool> functions(JsonNode tools) {
        List<FunctionTool> functions = new ArrayList<>();
        for (int i = 0; i < tools.size(); i++) {
            JsonNode tool = tools.get(i);
            String param = "tools[" + i + "]";
            if (!tool.path("type").asText("function").equals("function")) {
                throw GatewayException.invalidRequest(param + ".type",
                        "Only tools of type 'function' are supported by this model's provider.");
            }
            JsonNode function = tool.path("function");
            String name = function.path("name").asText("");
            if (name.isEmpty()) {
                throw GatewayException.invalidRequest(param + ".function.name", "'" + param + ".function.name' is required.");
            }
            JsonNode parameters = function.get("parameters");
            functions.add(new FunctionTool(name, function.path("description").asText(null),
                    parameters != null && parameters.isObject() ? parameters : null));
        }
        return List.copyOf(functions);
    }

    static ToolChoice choice(JsonNode choice) {
        if (choice == null || choice.isNull()) {
            return null;
        }
        if (choice.isTextual()) {
            String mode = choice.asText();
            if (mode.equals(ToolChoice.NONE) || mode.equals(ToolChoice.AUTO) || mode.equals(ToolChoice.REQUIRED)) {
                return new ToolChoice(mode, null);
            }
        } else if (choice.path("function").path("name").isTextual()) {
            return new ToolChoice(ToolChoice.FUNCTION, choice.path("function").path("name").asText());
        }
        throw GatewayException.invalidRequest("tool_choice",
                "'tool_choice' must be none, auto, required or {\"type\":\"function\",\"function\":{\"name\":...}}.");
    }
}
