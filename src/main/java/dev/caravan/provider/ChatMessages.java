package dev.caravan.provider;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caravan.api.GatewayException;
import dev.caravan.provider.ChatRequest.AssistantTurn;
import dev.caravan.provider.ChatRequest.Image;
import dev.caravan.provider.ChatRequest.Part;
import dev.caravan.provider.ChatRequest.Text;
import dev.caravan.provider.ChatRequest.ToolCall;
import dev.caravan.provider.ChatRequest.ToolResult;
import dev.caravan.provider.ChatRequest.Turn;
import dev.caravan.provider.ChatRequest.UserTurn;

/** The {@code messages} of an OpenAI chat request, read into {@link ChatRequest} turns. */
final class ChatMessages {

    private static final String DATA_URL = "data:";
    private static final String BASE64 = ";base64,";

    private ChatMessages() {
    }

    /** The conversation's turns; system and developer messages go to {@code instructions}. */
    static List<Turn> read(JsonNode messages, List<String> instructions) {
        List<Turn> turns = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            JsonNode message = messages.get(i);
            String param = "messages[" + i + "]";
            switch (message.path("role").asText()) {
                case "system", "developer" -> instructions.add(text(message.get("content"), param + ".content"));
                case "user" -> turns.add(new UserTurn(parts(message.get("content"), param + ".content")));
                case "assistant" -> turns.add(new AssistantTurn(text(message.get("content"), param + ".content"),
                        toolCalls(message.path("tool_calls"), param + ".tool_calls")));
                case "tool" -> turns.add(new ToolResult(required(message, "tool_call_id", param),
                        text(message.get("content"), param + ".content")));
                default -> throw GatewayException.invalidRequest(param + ".role", "The role '"
                        + message.path("role").asText() + "' is not supported by this model's provider; use 'tool' messages.");
            }
        }
        return List.copyOf(turns);
    }

    /** Text content: a string, or an array of text (and refusal) parts joined; "" for null. */
    static String text(JsonNode content, String param) {
        if (content == null || content.isNull()) {
            return "";
        }
        if (content.isTextual()) {
            return content.asText();
        }
        StringBuilder text = new StringBuilder();
        for (JsonNode part : content) {
            String type = part.path("type").asText();
            if (!type.equals("text") && !type.equals("refusal")) {
                throw unsupportedPart(param, type);
            }
            text.append(part.path(type).asText(""));
        }
        return text.toString();
    }

    private static List<Part> parts(JsonNode content, String param) {
        if (content == null || content.isNull() || content.isTextual()) {
            return List.of(new Text(text(content, param)));
        }
        List<Part> parts = new ArrayList<>();
        for (int i = 0; i < content.size(); i++) {
            JsonNode part = content.get(i);
            String type = part.path("type").asText();
            switch (type) {
                case "text" -> parts.add(new Text(part.path("text").asText("")));
                case "image_url" -> parts.add(image(part.get("image_url"), param + "[" + i + "].image_url"));
                default -> throw unsupportedPart(param + "[" + i + "]", type);
            }
        }
        return List.copyOf(parts);
    }

    /** {@code {"url": ...}} (or the older plain string): a data URL becomes inline data, anything else a URL. */
    private static Image image(JsonNode imageUrl, String param) {
        String url = imageUrl == null ? "" : imageUrl.isTextual() ? imageUrl.asText() : imageUrl.path("url").asText("");
        if (!url.startsWith(DATA_URL)) {
            if (url.isBlank()) {
                throw GatewayException.invalidRequest(param + ".url", "'" + param + ".url' is required.");
            }
            return new Image(null, null, url);
        }
        int base64 = url.indexOf(BASE64);
        if (base64 < 0) {
            throw GatewayException.invalidRequest(param + ".url",
                    "'" + param + ".url' must be an http(s) URL or a base64 data URL (data:image/png;base64,...).");
        }
        return new Image(url.substring(DATA_URL.length(), base64), url.substring(base64 + BASE64.length()), null);
    }

    private static List<ToolCall> toolCalls(JsonNode calls, String param) {
        List<ToolCall> result = new ArrayList<>();
        for (int i = 0; i < calls.size(); i++) {
            JsonNode call = calls.get(i);
            String at = param + "[" + i + "]";
            JsonNode function = call.path("function");
            result.add(new ToolCall(required(call, "id", at), required(function, "name", at + ".function"),
                    arguments(function.path("arguments").asText(""), at + ".function.arguments")));
        }
        return List.copyOf(result);
    }

    private static ObjectNode arguments(String text, String param) {
        if (text.isBlank()) {
            return ProviderJson.object();
        }
        JsonNode parsed = ProviderJson.parseOrNull(text);
        if (parsed instanceof ObjectNode object) {
            return object;
        }
        throw GatewayException.invalidRequest(param, "'" + param + "' must be a JSON object in a string.");
    }

    private static String required(JsonNode node, String field, String param) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual() || value.asText().isEmpty()) {
            throw GatewayException.invalidRequest(param + "." + field, "'" + param + "." + field + "' is required.");
        }
        return value.asText();
    }

    private static GatewayException unsupportedPart(String param, String type) {
        return GatewayException.invalidRequest(param, "Content parts of type '" + type
                + "' are not supported by this model's provider (text and image_url are).");
    }
}
