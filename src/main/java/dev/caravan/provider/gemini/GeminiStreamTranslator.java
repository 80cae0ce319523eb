package dev.caravan.provider.gemini;

import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;
import dev.caravan.provider.OpenAiChunks;
import dev.caravan.provider.ProviderJson;
import dev.caravan.provider.StreamTranslator;

/**
 * Gemini's {@code streamGenerateContent?alt=sse} events to OpenAI chunks. Each event is a partial
 * {@code GenerateContentResponse}: its parts become content, reasoning and (whole) tool call chunks;
 * the event with a {@code finishReason} closes the answer with the finish chunk and the usage chunk
 * (Gemini's usage counts are cumulative, the last ones are the answer's). Gemini ends the stream by
 * closing it: there is no closing event. An error object or a blocked prompt is thrown as the
 * classified failure.
 */
final class GeminiStreamTranslator implements StreamTranslator {

    private final String fallbackId;
    private final long created;
    private final String fallbackModel;
    private OpenAiChunks chunks;
    private String answerId;
    private int toolCalls;
    private boolean saidSomething;
    private JsonNode usage = ProviderJson.object();

    GeminiStreamTranslator(String fallbackId, long created, String fallbackModel) {
        this.fallbackId = fallbackId;
        this.created = created;
        this.fallbackModel = fallbackModel;
    }

    @Override
    public void onEvent(String event, String data, Consumer<String> emit) {
        fromGeminiStreamEvent(ProviderJson.readEvent(data), emit);
    }

    void fromGeminiStreamEvent(JsonNode response, Consumer<String> emit) {
        if (response.has("error")) {
            throw GeminiErrors.midStream(response.get("error"));
        }
        GeminiResponses.checkPromptAccepted(response);
        if (chunks == null) {
            answerId = response.path("responseId").asText(fallbackId);
            chunks = new OpenAiChunks(answerId, response.path("modelVersion").asText(fallbackModel), created);
            emit.accept(chunks.role());
        }
        if (response.has("usageMetadata")) {
            usage = response.get("usageMetadata");
        }
        JsonNode candidate = response.path("candidates").path(0);
        for (JsonNode part : candidate.path("content").path("parts")) {
            saidSomething = true;
            if (part.has("functionCall")) {
                JsonNode function = part.get("functionCall");
                String id = function.path("id").asText(GeminiResponses.toolCallId(answerId, toolCalls));
                emit.accept(chunks.toolCall(toolCalls++, id, function.path("name").asText(),
                        ProviderJson.text(GeminiResponses.arguments(function))));
            } else if (!part.path("text").asText("").isEmpty()) {
                String text = part.path("text").asText();
                emit.accept(part.path("thought").asBoolean(false) ? chunks.reasoning(text) : chunks.text(text));
            }
        }
        String reason = candidate.path("finishReason").asText(null);
        if (reason != null) {
            emit.accept(chunks.finish(GeminiResponses.finishReason(reason, toolCalls > 0, saidSomething)));
            emit.accept(chunks.usage(GeminiResponses.usage(usage)));
        }
    }
}
