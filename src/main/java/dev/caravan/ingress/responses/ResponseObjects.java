package dev.caravan.ingress.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The pieces of a Responses API {@code response} object, shared by the complete answer and the stream
 * so that both show the same fields. The request's settings are echoed as OpenAI echoes them; nothing
 * is stored ({@code store} is always false).
 */
final class ResponseObjects {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private ResponseObjects() {
    }

    /** The response without output or usage yet, {@code status} as given. */
    static ObjectNode response(ObjectNode request, String id, long createdAt, String status) {
        ObjectNode response = JSON.objectNode();
        response.put("id", id);
        response.put("object", "response");
        response.put("created_at", createdAt);
        response.put("status", status);
        response.putNull("error");
        response.putNull("incomplete_details");
        response.set("instructions", echo(request, "instructions", JSON.nullNode()));
        response.set("max_output_tokens", echo(request, "max_output_tokens", JSON.nullNode()));
        response.set("model", request.get("model"));
        response.putArray("output");
        response.set("parallel_tool_calls", echo(request, "parallel_tool_calls", JSON.booleanNode(true)));
        response.putNull("previous_response_id");
        ObjectNode reasoning = response.putObject("reasoning");
        reasoning.set("effort", request.path("reasoning").isObject()
                ? echo((ObjectNode) request.get("reasoning"), "effort", JSON.nullNode()) : JSON.nullNode());
        reasoning.putNull("summary");
        response.put("store", false);
        response.set("temperature", echo(request, "temperature", JSON.nullNode()));
        response.set("text", echo(request, "text", JSON.objectNode().set("format", JSON.objectNode().put("type", "text"))));
        response.set("tool_choice", echo(request, "tool_choice", JSON.textNode("auto")));
        response.set("tools", echo(request, "tools", JSON.arrayNode()));
        response.set("top_p", echo(request, "top_p", JSON.nullNode()));
        response.put("truncation", "disabled");
        response.set("metadata", echo(request, "metadata", JSON.objectNode()));
        response.set("user", echo(request, "user", JSON.nullNode()));
        response.putNull("usage");
        return response;
    }

    /** The status a chat finish reason gives the response, with the reason when it is incomplete. */
    static void finish(ObjectNode response, String finishReason) {
        switch (finishReason == null ? "stop" : finishReason) {
            case "length" -> incomplete(response, "max_output_tokens");
            case "content_filter" -> incomplete(response, "content_filter");
            default -> response.put("status", "completed");
        }
    }

    private static void incomplete(ObjectNode response, String reason) {
        response.put("status", "incomplete");
        response.putObject("incomplete_details").put("reason", reason);
    }

    /** A stream the gateway had to end: the error, and the usage of what was delivered. */
    static void fail(ObjectNode response, JsonNode error) {
        response.put("status", "failed");
        String code = "rate_limit_exceeded".equals(error.path("code").asText()) ? "rate_limit_exceeded" : "server_error";
        response.putObject("error").put("code", code).put("message", error.path("message").asText());
    }

    /** Chat usage (with the gateway's cost) as Responses usage: input and output tokens, cost kept. */
    static ObjectNode usage(JsonNode chat) {
        ObjectNode usage = JSON.objectNode();
        long input = chat.path("prompt_tokens").asLong();
        long output = chat.path("completion_tokens").asLong();
        usage.put("input_tokens", input);
        JsonNode promptDetails = chat.path("prompt_tokens_details");
        usage.putObject("input_tokens_details").put("cached_tokens", promptDetails.path("cached_tokens").asLong())
                .put("cache_write_tokens", promptDetails.path("cache_write_tokens").asLong());
        usage.put("output_tokens", output);
        usage.putObject("output_tokens_details").put("reasoning_tokens",
                chat.path("completion_tokens_details").path("reasoning_tokens").asLong());
        usage.put("total_tokens", input + output);
        for (String extra : new String[] {"cost", "cost_details", "estimated"}) {
            if (chat.has(extra)) {
                usage.set(extra, chat.get(extra));
            }
        }
        return usage;
    }

    static ObjectNode message(String id, String status) {
        ObjectNode item = JSON.objectNode().put("type", "message").put("id", id).put("status", status).put("role", "assistant");
        item.putArray("content");
        return item;
    }

    static ObjectNode outputText(String text) {
        ObjectNode part = JSON.objectNode().put("type", "output_text").put("text", text);
        part.putArray("annotations");
        part.putArray("logprobs");
        return part;
    }

    static ObjectNode functionCall(String id, String callId, String name, String arguments, String status) {
        return JSON.objectNode().put("type", "function_call").put("id", id).put("call_id", callId).put("name", name)
                .put("arguments", arguments).put("status", status);
    }

    private static JsonNode echo(ObjectNode request, String field, JsonNode otherwise) {
        JsonNode value = request.get(field);
        return value == null || value.isNull() ? otherwise : value;
    }
}
