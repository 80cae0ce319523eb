package dev.caravan.provider.anthropic;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class AnthropicNativeRequestsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static ObjectNode client(String json) throws Exception {
        return (ObjectNode) JSON.readTree(json);
    }

    @Test
    void sendsTheClientsBodyWithTheBackendsModelTheHeldLimitAndStreaming() throws Exception {
        ObjectNode own = client("""
                {"model":"claude","max_tokens":9000,"system":[{"type":"text","text":"S","cache_control":{"type":"ephemeral"}}],
                 "messages":[{"role":"user","content":"hi"}]}""");

        ObjectNode sent = AnthropicNativeRequests.toAnthropicRequest(own, "claude-sonnet-4-5", 4096, true);

        assertThat(sent.path("model").asText()).isEqualTo("claude-sonnet-4-5");
        assertThat(sent.path("max_tokens").asInt()).isEqualTo(4096);
        assertThat(sent.path("stream").asBoolean()).isTrue();
        assertThat(sent.path("system")).isEqualTo(own.path("system"));
        assertThat(own.path("model").asText()).as("the client's body is not changed").isEqualTo("claude");
        assertThat(AnthropicNativeRequests.toAnthropicRequest(client("{\"stream\":true}"), "m", 10, false).has("stream")).isFalse();
    }

    @Test
    void keepsThinkingAnthropicWouldTake() throws Exception {
        ObjectNode own = client("""
                {"thinking":{"type":"enabled","budget_tokens":2000},"messages":[{"role":"user","content":"hi"},
                 {"role":"assistant","content":[{"type":"thinking","thinking":"t","signature":"s"},{"type":"tool_use","id":"t1","name":"f","input":{}}]},
                 {"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":"ok"}]}]}""");

        assertThat(AnthropicNativeRequests.toAnthropicRequest(own, "m", 4096, false).has("thinking")).isTrue();
    }

    @Test
    void dropsThinkingWhoseBudgetTheHeldLimitNoLongerExceeds() throws Exception {
        ObjectNode own = client("{\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":2000},\"messages\":[]}");

        assertThat(AnthropicNativeRequests.toAnthropicRequest(own, "m", 2000, false).has("thinking")).isFalse();
    }

    @Test
    void dropsThinkingWhenAToolCallContinuesWithoutItsThinkingBlock() throws Exception {
        ObjectNode own = client("""
                {"thinking":{"type":"enabled","budget_tokens":2000},"messages":[{"role":"user","content":"hi"},
                 {"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"f","input":{}}]},
                 {"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":"ok"}]}]}""");

        assertThat(AnthropicNativeRequests.toAnthropicRequest(own, "m", 4096, false).has("thinking")).isFalse();
    }
}
