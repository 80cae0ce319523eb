package dev.caravan.provider.gemini;

import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caravan.api.GatewayException;
import dev.caravan.provider.OpenAiAnswer;
import dev.caravan.provider.ProviderJson;

/**
 * Gemini {@code GenerateContentResponse} to OpenAI chat completion: the first candidate's text parts
 * to {@code content}, thought parts to {@code reasoning_content}, {@code functionCall} parts to
 * {@code tool_calls}, {@code finishReason} to {@code finish_reason}, {@code usageMetadata} to usage.
 * A blocked prompt, or an answer blocked before it said anything, is an error.
 */
final class GeminiResponses {

    /** Finish reasons that mean the provider's content filters stopped the answer. */
    static final Set<String> BLOCKED = Set.of("SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII",
            "IMAGE_SAFETY", "LANGUAGE");
    /** Finish reasons that mean the model's tool call could not be used. */
    static final Set<String> BROKEN_CALL = Set.of("MALFORMED_FUNCTION_CALL", "UNEXPECTED_TOOL_CALL");

    private GeminiResponses() {
    }

    /**
     * @param fallbackId    the answer's id when Gemini gives no {@code responseId}
     * @param created       the OpenAI {@code created} time (epoch seconds)
     * @param fallbackModel the model name when Gemini gives no {@code modelVersion}
     */
    static ObjectNode fromGeminiResponse(JsonNode response, String fallbackId, long created, String fallbackModel) {
        checkPromptAccepted(response);
        JsonNode candidate = response.path("candidates").path(0);
        if (candidate.isMissingNode()) {
            throw GatewayException.badUpstream("The upstream answer has no candidates.");
        }
        String id = response.path("responseId").asText(fallbackId);
        OpenAiAnswer answer = new OpenAiAnswer();
        int call = 0;
        for (JsonNode part : candidate.path("content").path("parts")) {
            if (part.has("functionCall")) {
                JsonNode function = part.get("functionCall");
                answer.toolCall(function.path("id").asText(toolCallId(id, call++)), function.path("name").asText(),
                        arguments(function));
            } else if (part.path("thought").asBoolean(false)) {
                answer.reasoning(part.path("text").asText(""));
            } else if (part.has("text")) {
                answer.text(part.path("text").asText());
            }
        }
        String finishReason = finishReason(candidate.path("finishReason").asText(null), answer.hasToolCalls(),
                !candidate.path("content").path("parts").isEmpty());
        return answer.completion(id, created, response.path("modelVersion").asText(fallbackModel), finishReason,
                usage(response.path("usageMetadata")));
    }

    static JsonNode arguments(JsonNode functionCall) {
        return functionCall.path("args").isObject() ? functionCall.get("args") : ProviderJson.object();
    }

    /** OpenAI tool call ids for calls Gemini gives none: unique per answer. */
    static String toolCallId(String answerId, int index) {
        return "call_" + answerId + "_" + index;
    }

    /**
     * STOP: stop, or tool_calls when the answer calls functions; MAX_TOKENS: length; a content filter:
     * content_filter, or an error when nothing was said before it; a broken tool call: an error.
     */
    static String finishReason(String geminiReason, boolean calledTools, boolean saidSomething) {
        if (geminiReason == null) {
            return null;
        }
        if (BLOCKED.contains(geminiReason)) {
            if (!saidSomething) {
                throw blocked("the answer", geminiReason);
            }
            return "content_filter";
        }
        if (BROKEN_CALL.contains(geminiReason)) {
            throw GatewayException.badUpstream("The model's function call could not be used (" + geminiReason + ").");
        }
        return switch (geminiReason) {
            case "MAX_TOKENS" -> "length";
            default -> calledTools ? "tool_calls" : "stop";
        };
    }

    /** A prompt the provider's filters refused has {@code promptFeedback.blockReason} and no candidates. */
    static void checkPromptAccepted(JsonNode response) {
        String reason = response.path("promptFeedback").path("blockReason").asText(null);
        if (reason != null) {
            throw blocked("the prompt", reason);
        }
    }

    /**
     * {@code promptTokenCount} includes the {@code cachedContentTokenCount}; the thoughts are billed
     * as output, so they are part of {@code completion_tokens} (and shown as {@code reasoning_tokens}).
     */
    static ObjectNode usage(JsonNode metadata) {
        long prompt = metadata.path("promptTokenCount").asLong() + metadata.path("toolUsePromptTokenCount").asLong();
        long thoughts = metadata.path("thoughtsTokenCount").asLong();
        return OpenAiAnswer.usage(prompt, metadata.path("candidatesTokenCount").asLong() + thoughts,
                metadata.path("cachedContentTokenCount").asLong(), 0, thoughts);
    }

    private static GatewayException blocked(String what, String reason) {
        return new GatewayException(400, "invalid_request_error", "content_blocked", "messages",
                "The provider's safety filters blocked " + what + " (" + reason + ").", null);
    }
}
