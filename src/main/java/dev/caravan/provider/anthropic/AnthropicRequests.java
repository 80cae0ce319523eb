package dev.caravan.provider.anthropic;

import java.util.List;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caravan.provider.ChatRequest;
import dev.caravan.provider.ChatRequest.FunctionTool;
import dev.caravan.provider.ChatRequest.ToolChoice;
import dev.caravan.provider.ProviderJson;

/**
 * OpenAI chat request to Anthropic Messages request: the translation in this direction. Messages
 * and content blocks are built by {@link AnthropicMessages}; this class adds the tools, the answer
 * format, extended thinking and the sampling options.
 */
final class AnthropicRequests {

    /**
     * Anthropic requires max_tokens. The gateway always sends the output limit the credit hold covers
     * (which includes thinking: Anthropic counts it against max_tokens); without one (a direct call),
     * the catalog model's max-output-tokens, else this, caravan.billing.default-max-output-tokens's default.
     */
    static final int DEFAULT_MAX_TOKENS = 4096;
    /** Anthropic's smallest thinking budget. */
    static final int MIN_THINKING_BUDGET = 1024;
    static final int MAX_EFFORT_BUDGET = 32_000;
    /** The forced tool that carries a JSON answer, unless the schema's own name can be used. */
    static final String DEFAULT_ANSWER_TOOL = "json_answer";

    private static final Pattern TOOL_NAME = Pattern.compile("[a-zA-Z0-9_-]{1,64}");

    private AnthropicRequests() {
    }

    /** @param modelMaxTokens the catalog model's max-output-tokens, or null */
    static ObjectNode toAnthropicRequest(ChatRequest chat, String model, Integer modelMaxTokens, boolean stream) {
        ObjectNode body = ProviderJson.object();
        body.put("model", model);
        int maxTokens = chat.maxTokens() != null ? chat.maxTokens()
                : modelMaxTokens != null ? modelMaxTokens : DEFAULT_MAX_TOKENS;
        body.put("max_tokens", maxTokens);
        ArrayNode system = AnthropicMessages.system(chat.instructions());
        if (!system.isEmpty()) {
            body.set("system", system);
        }
        body.set("messages", AnthropicMessages.messages(chat.turns()));
        ObjectNode toolChoice = tools(chat, body);
        int thinkingBudget = thinkingBudget(chat, toolChoice, maxTokens);
        if (thinkingBudget > 0) {
            body.putObject("thinking").put("type", "enabled").put("budget_tokens", thinkingBudget);
        }
        sampling(chat, body, thinkingBudget > 0);
        if (stream) {
            body.put("stream", true);
        }
        return body;
    }

    /**
     * The tool that carries a JSON answer ({@code response_format} json_object or json_schema): its
     * input schema is the requested schema, and the input it is called with is the answer. Null when
     * the client asked for text.
     */
    static String answerToolName(ChatRequest chat) {
        if (!chat.format().json()) {
            return null;
        }
        String name = chat.format().name();
        boolean usable = name != null && TOOL_NAME.matcher(name).matches()
                && chat.tools().stream().noneMatch(tool -> tool.name().equals(name));
        return usable ? name : DEFAULT_ANSWER_TOOL;
    }

    /** Sets {@code tools} and {@code tool_choice}; returns the tool choice sent, or null. */
    private static ObjectNode tools(ChatRequest chat, ObjectNode body) {
        ArrayNode tools = ProviderJson.object().arrayNode();
        for (FunctionTool function : chat.tools()) {
            ObjectNode tool = tools.addObject().put("name", function.name());
            if (function.description() != null) {
                tool.put("description", function.description());
            }
            tool.set("input_schema", function.parameters() != null ? function.parameters() : emptyObjectSchema());
        }
        String answerTool = answerToolName(chat);
        if (answerTool != null) {
            JsonNode schema = chat.format().schema() != null ? chat.format().schema()
                    : ProviderJson.object().put("type", "object");
            tools.addObject().put("name", answerTool)
                    .put("description", "Give the answer as this tool's input, matching its schema.")
                    .set("input_schema", schema);
        }
        if (tools.isEmpty()) {
            return null;
        }
        body.set("tools", tools);
        ObjectNode choice = answerTool != null ? answerChoice(chat, answerTool) : choice(chat.toolChoice());
        if (choice != null && !chat.parallelToolCalls() && !choice.path("type").asText().equals("none")) {
            choice.put("disable_parallel_tool_use", true);
        } else if (choice == null && !chat.parallelToolCalls()) {
            choice = ProviderJson.object().put("type", "auto").put("disable_parallel_tool_use", true);
        }
        if (choice != null) {
            body.set("tool_choice", choice);
        }
        return choice;
    }

    private static ObjectNode choice(ToolChoice choice) {
        if (choice == null) {
            return null;
        }
        return switch (choice.mode()) {
            case ToolChoice.NONE -> ProviderJson.object().put("type", "none");
            case ToolChoice.REQUIRED -> ProviderJson.object().put("type", "any");
            case ToolChoice.FUNCTION -> ProviderJson.object().put("type", "tool").put("name", choice.name());
            default -> ProviderJson.object().put("type", "auto");
        };
    }

    /**
     * With a JSON answer the model must call a tool: the answer tool, or (when the client offers its
     * own tools and lets the model choose) any tool, so that it can still call the client's functions.
     */
    private static ObjectNode answerChoice(ChatRequest chat, String answerTool) {
        ToolChoice choice = chat.toolChoice();
        String mode = choice == null ? ToolChoice.AUTO : choice.mode();
        if (mode.equals(ToolChoice.FUNCTION)) {
            return ProviderJson.object().put("type", "tool").put("name", choice.name());
        }
        boolean clientToolsAllowed = !chat.tools().isEmpty() && !mode.equals(ToolChoice.NONE);
        return clientToolsAllowed ? ProviderJson.object().put("type", "any")
                : ProviderJson.object().put("type", "tool").put("name", answerTool);
    }

    /**
     * Extended thinking for {@code reasoning_effort} (low, medium, high: 20, 50, 80 % of max_tokens,
     * between 1,024 and 32,000 tokens) or an explicit {@code reasoning.max_tokens}. Left off where
     * Anthropic refuses it: with a forced tool (a JSON answer, tool_choice required or named), when
     * continuing a tool call (the earlier thinking blocks are not round-tripped), and when max_tokens
     * leaves no room for the smallest budget.
     */
    private static int thinkingBudget(ChatRequest chat, ObjectNode toolChoice, int maxTokens) {
        ChatRequest.Reasoning reasoning = chat.reasoning();
        if (reasoning == null) {
            return 0;
        }
        String forced = toolChoice == null ? "" : toolChoice.path("type").asText();
        boolean continuesToolCall = chat.turns().stream()
                .anyMatch(turn -> turn instanceof ChatRequest.AssistantTurn assistant && !assistant.toolCalls().isEmpty());
        if (forced.equals("any") || forced.equals("tool") || continuesToolCall) {
            return 0;
        }
        int budget;
        if (reasoning.budgetTokens() != null) {
            budget = reasoning.budgetTokens();
        } else {
            double share = switch (reasoning.effort()) {
                case "low" -> 0.2;
                case "medium" -> 0.5;
                case "high" -> 0.8;
                default -> 0; // "minimal", "none": no thinking
            };
            if (share == 0) {
                return 0;
            }
            budget = Math.min(MAX_EFFORT_BUDGET, (int) (maxTokens * share));
        }
        budget = Math.max(MIN_THINKING_BUDGET, budget);
        return budget < maxTokens ? budget : 0;
    }

    /**
     * temperature (OpenAI's 0..2 clamped to Anthropic's 0..1), top_p, stop. Anthropic refuses a
     * changed temperature, and a top_p below 0.95, when thinking is on: those are then left out.
     */
    private static void sampling(ChatRequest chat, ObjectNode body, boolean thinking) {
        if (chat.temperature() != null && !thinking) {
            body.put("temperature", Math.min(1.0, Math.max(0.0, chat.temperature().asDouble())));
        }
        if (chat.topP() != null && (!thinking || chat.topP().asDouble() >= 0.95)) {
            body.set("top_p", chat.topP());
        }
        List<String> stop = chat.stop();
        if (!stop.isEmpty()) {
            ArrayNode sequences = body.putArray("stop_sequences");
            stop.forEach(sequences::add);
        }
    }

    private static ObjectNode emptyObjectSchema() {
        ObjectNode schema = ProviderJson.object().put("type", "object");
        schema.putObject("properties");
        return schema;
    }
}
