package dev.caravan.provider.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caravan.api.GatewayException;
import dev.caravan.provider.OpenAiAnswer;
import dev.caravan.provider.ProviderJson;

/**
 * Anthropic Message to OpenAI chat completion: text blocks to {@code content}, thinking blocks to
 * {@code reasoning_content}, {@code tool_use} blocks to {@code tool_calls} (the answer tool's input
 * to {@code content}), {@code stop_reason} to {@code finish_reason}, usage with cache tokens.
 */
final class AnthropicResponses {

    private AnthropicResponses() {
    }

    /**
     * @param created    the OpenAI {@code created} time (epoch seconds)
     * @param answerTool the tool that carries a JSON answer, or null
     */
    static ObjectNode fromAnthropicResponse(JsonNode message, long created, String answerTool) {
        if (!message.path("content").isArray()) {
            throw GatewayException.badUpstream("The upstream answer is not an Anthropic message: it has no 'content' array.");
        }
        OpenAiAnswer answer = new OpenAiAnswer();
        for (JsonNode block : message.path("content")) {
            switch (block.path("type").asText()) {
                case "text" -> answer.text(block.path("text").asText(""));
                case "thinking" -> answer.reasoning(block.path("thinking").asText(""));
                case "tool_use" -> {
                    if (block.path("name").asText().equals(answerTool)) {
                        answer.text(ProviderJson.text(block.path("input")));
                    } else {
                        answer.toolCall(block.path("id").asText(), block.path("name").asText(), block.path("input"));
                    }
                }
                default -> {
                    // redacted_thinking (encrypted) and server tool blocks have no OpenAI field
                }
            }
        }
        String finishReason = finishReason(message.path("stop_reason").asText(null), answer.hasToolCalls());
        return answer.completion(message.path("id").asText(), created, message.path("model").asText(), finishReason,
                usage(message.path("usage")));
    }

    /**
     * end_turn, stop_sequence, pause_turn: stop; max_tokens (and a full context window): length;
     * tool_use: tool_calls, or stop when only the answer tool was called; refusal: content_filter.
     */
    static String finishReason(String stopReason, boolean calledClientTools) {
        if (stopReason == null) {
            return null;
        }
        return switch (stopReason) {
            case "max_tokens", "model_context_window_exceeded" -> "length";
            case "tool_use" -> calledClientTools ? "tool_calls" : "stop";
            case "refusal" -> "content_filter";
            default -> "stop";
        };
    }

    /**
     * Anthropic counts cache reads and writes apart from {@code input_tokens}; OpenAI's
     * {@code prompt_tokens} is all three, with the reads as {@code cached_tokens} and the writes as
     * {@code cache_write_tokens} (priced at cached-input and cache-write).
     */
    static ObjectNode usage(JsonNode usage) {
        long input = usage.path("input_tokens").asLong();
        long cacheRead = usage.path("cache_read_input_tokens").asLong();
        long cacheWrite = usage.path("cache_creation_input_tokens").asLong();
        return OpenAiAnswer.usage(input + cacheRead + cacheWrite, usage.path("output_tokens").asLong(), cacheRead,
                cacheWrite, 0);
    }
}
