package dev.caravan.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A complete OpenAI {@code chat.completion}, gathered part by part from a native answer: text,
 * reasoning and tool calls, in the fields OpenAI clients read ({@code message.content},
 * {@code message.reasoning_content}, {@code message.tool_calls}).
 */
public final class OpenAiAnswer {

    private final StringBuilder text = new StringBuilder();
    private final StringBuilder reasoning = new StringBuilder();
    private final ArrayNode toolCalls = ProviderJson.object().arrayNode();

    public void text(String fragment) {
        text.append(fragment);
    }

    public void reasoning(String fragment) {
        reasoning.append(fragment);
    }

    /** A call of a function; {@code arguments} is the JSON object the model produced. */
    public void toolCall(String id, String name, JsonNode arguments) {
        ObjectNode call = toolCalls.addObject();
        call.put("id", id).put("type", "function");
        call.putObject("function").put("name", name).put("arguments", ProviderJson.text(arguments));
    }

    public boolean hasToolCalls() {
        return !toolCalls.isEmpty();
    }

    public ObjectNode completion(String id, long created, String model, String finishReason, ObjectNode usage) {
        ObjectNode completion = ProviderJson.object();
        completion.put("id", id).put("object", "chat.completion").put("created", created).put("model", model);
        ObjectNode choice = completion.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode message = choice.putObject("message").put("role", "assistant");
        // OpenAI's own shape: no text beside tool calls is null, not ""
        if (text.isEmpty() && hasToolCalls()) {
            message.putNull("content");
        } else {
            message.put("content", text.toString());
        }
        message.putNull("refusal");
        if (!reasoning.isEmpty()) {
            message.put("reasoning_content", reasoning.toString());
        }
        if (hasToolCalls()) {
            message.set("tool_calls", toolCalls);
        }
        choice.putNull("logprobs");
        choice.put("finish_reason", finishReason);
        if (usage != null) {
            completion.set("usage", usage);
        }
        return completion;
    }

    /**
     * OpenAI usage from a native count. {@code prompt} includes the {@code cached} tokens read from and
     * the {@code cacheWrite} tokens written to the provider's prompt cache; {@code completion} includes
     * the {@code reasoning} tokens.
     */
    public static ObjectNode usage(long prompt, long completion, long cached, long cacheWrite, long reasoning) {
        ObjectNode usage = ProviderJson.object();
        usage.put("prompt_tokens", prompt).put("completion_tokens", completion).put("total_tokens", prompt + completion);
        if (cached > 0 || cacheWrite > 0) {
            ObjectNode details = usage.putObject("prompt_tokens_details").put("cached_tokens", cached);
            if (cacheWrite > 0) {
                details.put("cache_write_tokens", cacheWrite);
            }
        }
        if (reasoning > 0) {
            usage.putObject("completion_tokens_details").put("reasoning_tokens", reasoning);
        }
        return usage;
    }
}
