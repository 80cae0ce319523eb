package dev.caravan.provider.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A client that spoke Anthropic's Messages API (POST /v1/messages) to an Anthropic backend: its own
 * body is sent (cache_control breakpoints, signed thinking blocks, image and tool blocks as written),
 * with the gateway's decisions put in: the backend's model, the output limit the credit hold covers,
 * and streaming. Pure: JSON in, JSON out.
 */
final class AnthropicNativeRequests {

    private AnthropicNativeRequests() {
    }

    static ObjectNode toAnthropicRequest(ObjectNode client, String model, int maxTokens, boolean stream) {
        ObjectNode body = client.deepCopy();
        body.put("model", model);
        body.put("max_tokens", maxTokens);
        if (stream) {
            body.put("stream", true);
        } else {
            body.remove("stream");
        }
        if (thinkingWouldBeRefused(body, maxTokens)) {
            body.remove("thinking");
        }
        return body;
    }

    /**
     * Thinking Anthropic would refuse: a budget not below max_tokens (the hold may have lowered
     * max_tokens below what the client asked), or a conversation that continues a tool call whose
     * assistant turn has no thinking block (the gateway's answers carry none: a thinking block needs
     * Anthropic's signature, which a translated answer cannot give), which Anthropic requires back.
     */
    private static boolean thinkingWouldBeRefused(ObjectNode body, int maxTokens) {
        JsonNode thinking = body.path("thinking");
        if (!"enabled".equals(thinking.path("type").asText())) {
            return false;
        }
        if (thinking.path("budget_tokens").asLong() >= maxTokens) {
            return true;
        }
        JsonNode messages = body.path("messages");
        for (int i = messages.size() - 1; i >= 0; i--) {
            JsonNode message = messages.get(i);
            if ("assistant".equals(message.path("role").asText())) {
                boolean calls = false;
                boolean thought = false;
                for (JsonNode block : message.path("content")) {
                    String type = block.path("type").asText();
                    calls |= type.equals("tool_use");
                    thought |= type.equals("thinking") || type.equals("redacted_thinking");
                }
                return calls && !thought;
            }
        }
        return false;
    }
}
