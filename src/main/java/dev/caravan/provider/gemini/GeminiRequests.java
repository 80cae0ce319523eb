package dev.caravan.provider.gemini;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caravan.api.GatewayException;
import dev.caravan.provider.ChatRequest;
import dev.caravan.provider.ChatRequest.AssistantTurn;
import dev.caravan.provider.ChatRequest.FunctionTool;
import dev.caravan.provider.ChatRequest.Image;
import dev.caravan.provider.ChatRequest.Part;
import dev.caravan.provider.ChatRequest.Text;
import dev.caravan.provider.ChatRequest.ToolCall;
import dev.caravan.provider.ChatRequest.ToolChoice;
import dev.caravan.provider.ChatRequest.ToolResult;
import dev.caravan.provider.ChatRequest.Turn;
import dev.caravan.provider.ChatRequest.UserTurn;
import dev.caravan.provider.ProviderJson;
import dev.caravan.provider.RoleTurns;

/**
 * OpenAI chat request to Gemini {@code generateContent} request: instructions to
 * {@code systemInstruction}; turns to {@code contents} (user / model, consecutive turns of one role
 * merged by {@link RoleTurns}) with text, {@code inlineData} and {@code fileData} parts, {@code functionCall} and
 * {@code functionResponse}; tools to {@code functionDeclarations}; the options to
 * {@code generationConfig}.
 */
final class GeminiRequests {

    /** Thinking budgets for reasoning_effort, within what Gemini 2.5 Flash and Pro accept. */
    private static final Map<String, Integer> EFFORT_BUDGET = Map.of("minimal", 0, "none", 0, "low", 1024,
            "medium", 8192, "high", 24576);

    private GeminiRequests() {
    }

    static ObjectNode toGeminiRequest(ChatRequest chat) {
        ObjectNode body = ProviderJson.object();
        body.set("contents", contents(chat.turns()));
        List<String> instructions = chat.instructions().stream().filter(text -> !text.isEmpty()).toList();
        if (!instructions.isEmpty()) {
            ArrayNode parts = body.putObject("systemInstruction").putArray("parts");
            instructions.forEach(text -> parts.addObject().put("text", text));
        }
        if (!chat.tools().isEmpty()) {
            ArrayNode declarations = body.putArray("tools").addObject().putArray("functionDeclarations");
            chat.tools().forEach(tool -> declarations.add(declaration(tool)));
            if (chat.toolChoice() != null) {
                body.putObject("toolConfig").set("functionCallingConfig", callingConfig(chat.toolChoice()));
            }
        }
        ObjectNode config = generationConfig(chat);
        if (!config.isEmpty()) {
            body.set("generationConfig", config);
        }
        return body;
    }

    private static ArrayNode contents(List<Turn> turns) {
        RoleTurns contents = new RoleTurns("parts");
        Map<String, String> functionOfCall = new HashMap<>();
        for (Turn turn : turns) {
            switch (turn) {
                case UserTurn user -> {
                    ArrayNode parts = contents.partsOf("user");
                    user.parts().forEach(part -> addPart(parts, part));
                }
                case AssistantTurn assistant -> {
                    ArrayNode parts = contents.partsOf("model");
                    if (!assistant.text().isEmpty()) {
                        parts.addObject().put("text", assistant.text());
                    }
                    for (ToolCall call : assistant.toolCalls()) {
                        functionOfCall.put(call.id(), call.name());
                        parts.addObject().putObject("functionCall").put("name", call.name()).set("args", call.arguments());
                    }
                }
                case ToolResult result -> contents.partsOf("user").add(functionResponse(result, functionOfCall));
            }
        }
        return contents.toArray();
    }

    private static void addPart(ArrayNode parts, Part part) {
        switch (part) {
            case Text text -> {
                if (!text.text().isEmpty()) {
                    parts.addObject().put("text", text.text());
                }
            }
            case Image image -> {
                if (image.inline()) {
                    parts.addObject().putObject("inlineData").put("mimeType", image.mediaType()).put("data", image.data());
                } else {
                    parts.addObject().putObject("fileData").put("mimeType", mimeTypeOf(image.url())).put("fileUri", image.url());
                }
            }
        }
    }

    /**
     * Gemini names the function a result answers, not the call: the name comes from the assistant
     * message that made the call. The result is an object: a JSON object as it is, anything else as
     * {@code {"content": ...}}.
     */
    private static ObjectNode functionResponse(ToolResult result, Map<String, String> functionOfCall) {
        String name = functionOfCall.get(result.toolCallId());
        if (name == null) {
            throw GatewayException.invalidRequest("messages", "The tool message for tool_call_id '" + result.toolCallId()
                    + "' does not answer a tool call of an earlier assistant message.");
        }
        JsonNode parsed = ProviderJson.parseOrNull(result.content());
        ObjectNode response = parsed instanceof ObjectNode object ? object : ProviderJson.object().put("content", result.content());
        ObjectNode part = ProviderJson.object();
        part.putObject("functionResponse").put("name", name).set("response", response);
        return part;
    }

    private static ObjectNode declaration(FunctionTool tool) {
        ObjectNode declaration = ProviderJson.object().put("name", tool.name());
        if (tool.description() != null) {
            declaration.put("description", tool.description());
        }
        // Gemini refuses an OBJECT without properties: a function without parameters has none
        if (tool.parameters() != null && !tool.parameters().path("properties").isEmpty()) {
            declaration.set("parameters", GeminiSchemas.toGeminiSchema(tool.parameters()));
        }
        return declaration;
    }

    private static ObjectNode callingConfig(ToolChoice choice) {
        ObjectNode config = ProviderJson.object();
        switch (choice.mode()) {
            case ToolChoice.NONE -> config.put("mode", "NONE");
            case ToolChoice.REQUIRED -> config.put("mode", "ANY");
            case ToolChoice.FUNCTION -> config.put("mode", "ANY").putArray("allowedFunctionNames").add(choice.name());
            default -> config.put("mode", "AUTO");
        }
        return config;
    }

    private static ObjectNode generationConfig(ChatRequest chat) {
        ObjectNode config = ProviderJson.object();
        // the output limit the hold covers, always set on the gateway's path; Gemini counts the model's
        // thoughts against it (observed: thinking alone can end an answer with MAX_TOKENS)
        if (chat.maxTokens() != null) {
            config.put("maxOutputTokens", chat.maxTokens());
        }
        if (chat.temperature() != null) {
            config.set("temperature", chat.temperature());
        }
        if (chat.topP() != null) {
            config.set("topP", chat.topP());
        }
        if (!chat.stop().isEmpty()) {
            ArrayNode stop = config.putArray("stopSequences");
            chat.stop().forEach(stop::add);
        }
        if (chat.format().json()) {
            config.put("responseMimeType", "application/json");
            if (chat.format().schema() != null) {
                config.set("responseSchema", GeminiSchemas.toGeminiSchema(chat.format().schema()));
            }
        }
        ChatRequest.Reasoning reasoning = chat.reasoning();
        if (reasoning != null) {
            Integer budget = reasoning.budgetTokens() != null ? reasoning.budgetTokens()
                    : EFFORT_BUDGET.get(reasoning.effort().toLowerCase(Locale.ROOT));
            if (budget != null) {
                ObjectNode thinking = config.putObject("thinkingConfig").put("thinkingBudget", budget);
                if (budget > 0) {
                    thinking.put("includeThoughts", true); // thought summaries, returned as reasoning_content
                }
            }
        }
        return config;
    }

    /** Gemini needs a file's MIME type; for a URL it is guessed from the extension (JPEG by default). */
    static String mimeTypeOf(String url) {
        String path = url.toLowerCase(Locale.ROOT).replaceAll("[?#].*$", "");
        if (path.endsWith(".png")) {
            return "image/png";
        }
        if (path.endsWith(".webp")) {
            return "image/webp";
        }
        if (path.endsWith(".gif")) {
            return "image/gif";
        }
        if (path.endsWith(".heic")) {
            return "image/heic";
        }
        if (path.endsWith(".pdf")) {
            return "application/pdf";
        }
        return "image/jpeg";
    }
}
