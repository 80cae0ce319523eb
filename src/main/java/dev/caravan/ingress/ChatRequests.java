package dev.caravan.ingress;

import java.util.function.BiFunction;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caravan.api.ClientRequest;
import dev.caravan.api.GatewayException;
import dev.caravan.api.Operation;
import dev.caravan.api.PricedFields;

/** Building the chat completion request an ingress protocol's request is read into: the parts all of them share. */
public final class ChatRequests {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private ChatRequests() {
    }

    /**
     * The request the shared chat flow plans, holds for and sends. A stream always asks for usage, so
     * that its end carries the cost the ingress protocol reports.
     */
    public static ClientRequest clientRequest(ObjectNode chat, String model, boolean stream, Integer maxTokens,
                                              ClientRequest.NativeBody nativeBody) {
        if (stream) {
            chat.put("stream", true);
            chat.putObject("stream_options").put("include_usage", true);
        }
        return new ClientRequest(Operation.CHAT_COMPLETION, chat, model, stream, stream, maxTokens,
                PricedFields.read(chat), nativeBody);
    }

    /** {@code tools}, each made a chat function tool by {@code toFunction} (which refuses what it cannot take). */
    public static void copyTools(JsonNode tools, ObjectNode chat, BiFunction<JsonNode, String, ObjectNode> toFunction) {
        if (!present(tools)) {
            return;
        }
        if (!tools.isArray()) {
            throw GatewayException.invalidRequest("tools", "'tools' must be an array.");
        }
        ArrayNode chatTools = chat.putArray("tools");
        for (int i = 0; i < tools.size(); i++) {
            chatTools.add(toFunction.apply(tools.get(i), "tools[" + i + "]"));
        }
    }

    /** A chat function tool; {@code name} is checked, the other parts are left out when absent. */
    public static ObjectNode functionTool(JsonNode tool, String param, String parametersField) {
        if (!tool.path("name").isTextual() || tool.path("name").asText().isBlank()) {
            throw GatewayException.invalidRequest(param + ".name", "'" + param + ".name' must be a non-empty string.");
        }
        ObjectNode function = JSON.objectNode();
        function.set("name", tool.get("name"));
        copyIfPresent((ObjectNode) tool, "description", function, "description");
        copyIfPresent((ObjectNode) tool, parametersField, function, "parameters");
        copyIfPresent((ObjectNode) tool, "strict", function, "strict");
        ObjectNode chatTool = JSON.objectNode().put("type", "function");
        chatTool.set("function", function);
        return chatTool;
    }

    public static void copyIfPresent(ObjectNode from, String field, ObjectNode to, String as) {
        if (present(from.get(field))) {
            to.set(as, from.get(field));
        }
    }

    public static boolean present(JsonNode node) {
        return node != null && !node.isNull() && !node.isMissingNode();
    }
}
