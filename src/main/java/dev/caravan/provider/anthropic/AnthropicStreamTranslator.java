package dev.caravan.provider.anthropic;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caravan.api.GatewayException;
import dev.caravan.provider.OpenAiChunks;
import dev.caravan.provider.ProviderJson;
import dev.caravan.provider.StreamTranslator;
import dev.caravan.provider.UpstreamErrors;

/**
 * Anthropic stream events to OpenAI chunks, in order: {@code message_start} opens the answer,
 * content block deltas become content, reasoning and tool call fragments, {@code message_delta}
 * the finish reason, {@code message_stop} the usage chunk and the end. {@code ping} and
 * {@code content_block_stop} carry nothing to translate; an {@code error} event is thrown as the
 * classified failure, which ends the stream with an error chunk.
 */
final class AnthropicStreamTranslator implements StreamTranslator {

    /** The HTTP status Anthropic documents for each error type, for an error that arrives as an event. */
    private static final Map<String, Integer> STATUS_OF_ERROR = Map.of(
            "invalid_request_error", 400, "authentication_error", 401, "billing_error", 402,
            "permission_error", 403, "not_found_error", 404, "request_too_large", 413,
            "rate_limit_error", 429, "api_error", 500, "timeout_error", 504, "overloaded_error", 529);

    private final long created;
    private final String answerTool;
    private final Map<Integer, Integer> toolCallOfBlock = new HashMap<>();
    private final Set<Integer> answerBlocks = new HashSet<>();
    private final ObjectNode usage = ProviderJson.object();
    private OpenAiChunks chunks;

    AnthropicStreamTranslator(long created, String answerTool) {
        this.created = created;
        this.answerTool = answerTool;
    }

    @Override
    public void onEvent(String event, String data, Consumer<String> emit) {
        fromAnthropicStreamEvent(ProviderJson.readEvent(data), emit);
    }

    void fromAnthropicStreamEvent(JsonNode event, Consumer<String> emit) {
        switch (event.path("type").asText()) {
            case "message_start" -> {
                JsonNode message = event.path("message");
                chunks = new OpenAiChunks(message.path("id").asText(), message.path("model").asText(), created);
                addUsage(message.path("usage"));
                emit.accept(chunks.role());
            }
            case "content_block_start" -> blockStart(event.path("index").asInt(), event.path("content_block"), emit);
            case "content_block_delta" -> blockDelta(event.path("index").asInt(), event.path("delta"), emit);
            case "message_delta" -> {
                addUsage(event.path("usage"));
                String stopReason = event.path("delta").path("stop_reason").asText(null);
                if (stopReason != null) {
                    emit.accept(chunks().finish(AnthropicResponses.finishReason(stopReason, !toolCallOfBlock.isEmpty())));
                }
            }
            case "message_stop" -> {
                emit.accept(chunks().usage(AnthropicResponses.usage(usage)));
                emit.accept("[DONE]");
            }
            case "error" -> throw midStreamError(event.path("error"));
            default -> {
                // ping, content_block_stop, and event types Anthropic may add: nothing to translate
            }
        }
    }

    private void blockStart(int index, JsonNode block, Consumer<String> emit) {
        switch (block.path("type").asText()) {
            case "text" -> emitIfAny(block.path("text").asText(""), chunks()::text, emit);
            case "thinking" -> emitIfAny(block.path("thinking").asText(""), chunks()::reasoning, emit);
            case "tool_use" -> {
                if (block.path("name").asText().equals(answerTool)) {
                    answerBlocks.add(index);
                } else {
                    int call = toolCallOfBlock.size();
                    toolCallOfBlock.put(index, call);
                    emit.accept(chunks().toolCall(call, block.path("id").asText(), block.path("name").asText(), ""));
                }
            }
            default -> {
                // redacted_thinking and server tool blocks have no OpenAI field
            }
        }
    }

    private void blockDelta(int index, JsonNode delta, Consumer<String> emit) {
        switch (delta.path("type").asText()) {
            case "text_delta" -> emitIfAny(delta.path("text").asText(""), chunks()::text, emit);
            case "thinking_delta" -> emitIfAny(delta.path("thinking").asText(""), chunks()::reasoning, emit);
            case "input_json_delta" -> {
                String fragment = delta.path("partial_json").asText("");
                if (answerBlocks.contains(index)) {
                    emitIfAny(fragment, chunks()::text, emit);
                } else if (toolCallOfBlock.containsKey(index)) {
                    emitIfAny(fragment, part -> chunks().toolArguments(toolCallOfBlock.get(index), part), emit);
                }
            }
            default -> {
                // signature_delta, citations_delta: no OpenAI field
            }
        }
    }

    /** The usage counts are cumulative: a later event's count replaces an earlier one. */
    private void addUsage(JsonNode counts) {
        counts.fields().forEachRemaining(field -> {
            if (field.getValue().isNumber()) {
                usage.set(field.getKey(), field.getValue());
            }
        });
    }

    private OpenAiChunks chunks() {
        if (chunks == null) {
            throw GatewayException.badUpstream("The upstream stream did not start with message_start.");
        }
        return chunks;
    }

    private static void emitIfAny(String text, java.util.function.Function<String, String> chunk, Consumer<String> emit) {
        if (!text.isEmpty()) {
            emit.accept(chunk.apply(text));
        }
    }

    private static GatewayException midStreamError(JsonNode error) {
        String type = error.path("type").asText("api_error");
        return UpstreamErrors.classify(STATUS_OF_ERROR.getOrDefault(type, 500), error.path("message").asText(null),
                null, "The upstream failed mid-stream (" + type + ")", UpstreamErrors.codes(error));
    }
}
