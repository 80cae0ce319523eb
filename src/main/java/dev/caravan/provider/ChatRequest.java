package dev.caravan.provider;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caravan.api.ClientRequest;
import dev.caravan.api.GatewayException;
import dev.caravan.api.Operation;

/**
 * The client's OpenAI chat request, read once into what a native protocol translates from: the
 * instructions, the conversation, the tools and the generation options. What a native protocol
 * cannot express is refused here with a 400 naming the field, never dropped silently; options it
 * has no equivalent for and that do not change the answer's shape (penalties, seed, logprobs) are
 * not read at all.
 *
 * @param instructions system and developer messages, in order
 * @param turns        the other messages, in order
 * @param toolChoice   null when the client set none
 * @param maxTokens    the output limit the credit hold covers, as this backend is sent it (always set on the
 *                     gateway's own path, by {@code upstreamCalls.prepare}); null only outside it
 */
public record ChatRequest(List<String> instructions, List<Turn> turns, List<FunctionTool> tools, ToolChoice toolChoice,
                          boolean parallelToolCalls, OutputFormat format, JsonNode temperature, JsonNode topP,
                          List<String> stop, Integer maxTokens, Reasoning reasoning) {

    /** A message of the conversation other than instructions. */
    public sealed interface Turn permits UserTurn, AssistantTurn, ToolResult {
    }

    public record UserTurn(List<Part> parts) implements Turn {
    }

    /** {@code text} may be empty when the assistant only called tools. */
    public record AssistantTurn(String text, List<ToolCall> toolCalls) implements Turn {
    }

    /** The result of a tool call, answered with the call's id. */
    public record ToolResult(String toolCallId, String content) implements Turn {
    }

    public sealed interface Part permits Text, Image {
    }

    public record Text(String text) implements Part {
    }

    /** An image: inline ({@code mediaType} and base64 {@code data}, from a data URL) or at a {@code url}. */
    public record Image(String mediaType, String data, String url) implements Part {

        public boolean inline() {
            return data != null;
        }
    }

    /** A call the assistant made; {@code arguments} is the parsed JSON object. */
    public record ToolCall(String id, String name, ObjectNode arguments) {
    }

    /** A function the model may call; {@code parameters} is its JSON Schema, or null. */
    public record FunctionTool(String name, String description, JsonNode parameters) {
    }

    /** {@code none}, {@code auto}, {@code required}, or one function by {@code name}. */
    public record ToolChoice(String mode, String name) {

        public static final String NONE = "none";
        public static final String AUTO = "auto";
        public static final String REQUIRED = "required";
        public static final String FUNCTION = "function";
    }

    /** The answer's form: free text, any JSON object, or JSON matching {@code schema}. */
    public record OutputFormat(String type, String name, JsonNode schema) {

        public static final OutputFormat TEXT = new OutputFormat("text", null, null);

        public boolean json() {
            return !type.equals("text");
        }
    }

    /** {@code reasoning_effort} (or OpenRouter's {@code reasoning.effort}), or an explicit {@code reasoning.max_tokens}. */
    public record Reasoning(String effort, Integer budgetTokens) {
    }

    /** Reads a chat completion request; 400 for what native protocols cannot express. */
    public static ChatRequest of(ClientRequest request) {
        if (request.operation() != Operation.CHAT_COMPLETION) {
            throw GatewayException.invalidRequest("model", "This model's provider has no embeddings API through Caravan.");
        }
        ObjectNode body = request.body();
        int n = body.path("n").asInt(1);
        if (n != 1) {
            throw GatewayException.invalidRequest("n", "This model's provider returns one choice per request: 'n' must be 1.");
        }
        List<String> instructions = new ArrayList<>();
        List<Turn> turns = ChatMessages.read(body.path("messages"), instructions);
        return new ChatRequest(List.copyOf(instructions), turns, ChatTools.functions(body.path("tools")),
                ChatTools.choice(body.get("tool_choice")), body.path("parallel_tool_calls").asBoolean(true),
                format(body.get("response_format")), number(body, "temperature"), number(body, "top_p"), stop(body.get("stop")),
                request.maxTokens(), reasoning(body));
    }

    private static OutputFormat format(JsonNode format) {
        String type = format == null ? "text" : format.path("type").asText("text");
        return switch (type) {
            case "text" -> OutputFormat.TEXT;
            case "json_object" -> new OutputFormat(type, null, null);
            case "json_schema" -> {
                JsonNode spec = format.path("json_schema");
                if (!spec.path("schema").isObject()) {
                    throw GatewayException.invalidRequest("response_format.json_schema.schema",
                            "'response_format.json_schema.schema' must be a JSON Schema object.");
                }
                yield new OutputFormat(type, spec.path("name").asText(null), spec.get("schema"));
            }
            default -> throw GatewayException.invalidRequest("response_format.type",
                    "'response_format.type' must be text, json_object or json_schema.");
        };
    }

    private static JsonNode number(ObjectNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isNumber()) {
            throw GatewayException.invalidRequest(field, "'" + field + "' must be a number.");
        }
        return value;
    }

    private static List<String> stop(JsonNode stop) {
        if (stop == null || stop.isNull()) {
            return List.of();
        }
        if (stop.isTextual()) {
            return List.of(stop.asText());
        }
        List<String> sequences = new ArrayList<>();
        for (JsonNode sequence : stop) {
            if (!sequence.isTextual()) {
                throw GatewayException.invalidRequest("stop", "'stop' must be a string or an array of strings.");
            }
            sequences.add(sequence.asText());
        }
        return List.copyOf(sequences);
    }

    private static Reasoning reasoning(ObjectNode body) {
        JsonNode reasoning = body.path("reasoning");
        String effort = body.path("reasoning_effort").asText(reasoning.path("effort").asText(null));
        JsonNode budget = reasoning.get("max_tokens");
        if (effort == null && (budget == null || !budget.canConvertToInt())) {
            return null;
        }
        return new Reasoning(effort, budget != null && budget.canConvertToInt() ? budget.asInt() : null);
    }
}
