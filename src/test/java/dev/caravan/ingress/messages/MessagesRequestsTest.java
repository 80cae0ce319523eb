package dev.caravan.ingress.messages;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code toChatCompletionRequest} and the native body, JSON in, JSON out. */
class MessagesRequestsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static ObjectNode request(String json) throws Exception {
        return (ObjectNode) JSON.readTree(json);
    }

    @Test
    void putsToolResultsBeforeTheTurnsTextAndTheirImagesAfter() throws Exception {
        ObjectNode chat = MessagesRequests.toChatCompletionRequest(request("""
                {"model":"m","max_tokens":10,"system":[{"type":"text","text":"A"},{"type":"text","text":"B"}],"messages":[
                  {"role":"user","content":"Screenshot?"},
                  {"role":"assistant","content":[{"type":"thinking","thinking":"t","signature":"s"},{"type":"text","text":"Taking it."},
                    {"type":"tool_use","id":"t1","name":"shot","input":{"x":1}}]},
                  {"role":"user","content":[{"type":"text","text":"Here."},{"type":"tool_result","tool_use_id":"t1","content":[
                    {"type":"text","text":"done"},{"type":"image","source":{"type":"base64","media_type":"image/png","data":"AAAA"}}]}]}]}"""));

        assertThat(chat.path("messages")).isEqualTo(JSON.readTree("""
                [{"role":"system","content":"A\\n\\nB"},
                 {"role":"user","content":"Screenshot?"},
                 {"role":"assistant","content":"Taking it.","tool_calls":[{"id":"t1","type":"function","function":{"name":"shot","arguments":"{\\"x\\":1}"}}]},
                 {"role":"tool","tool_call_id":"t1","content":"done"},
                 {"role":"user","content":[{"type":"text","text":"Here."},{"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA"}}]}]"""));
        assertThat(chat.path("max_completion_tokens").asInt()).isEqualTo(10);
    }

    @Test
    void mapsToolsChoiceStopAndThinking() throws Exception {
        ObjectNode chat = MessagesRequests.toChatCompletionRequest(request("""
                {"model":"m","max_tokens":2000,"messages":[{"role":"user","content":"hi"}],
                 "tools":[{"name":"w","description":"d","input_schema":{"type":"object"},"cache_control":{"type":"ephemeral"}}],
                 "tool_choice":{"type":"any","disable_parallel_tool_use":true},"stop_sequences":["X"],
                 "thinking":{"type":"enabled","budget_tokens":1024},"metadata":{"user_id":"u1"}}"""));

        assertThat(chat.path("tools").toString())
                .isEqualTo("[{\"type\":\"function\",\"function\":{\"name\":\"w\",\"description\":\"d\",\"parameters\":{\"type\":\"object\"}}}]");
        assertThat(chat.path("tool_choice").asText()).isEqualTo("required");
        assertThat(chat.path("parallel_tool_calls").asBoolean(true)).isFalse();
        assertThat(chat.path("stop").toString()).isEqualTo("[\"X\"]");
        assertThat(chat.path("reasoning").path("max_tokens").asInt()).isEqualTo(1024);
        assertThat(chat.path("user").asText()).isEqualTo("u1");
    }

    @Test
    void theNativeBodyKeepsOnlyTheCheckedFields() throws Exception {
        ObjectNode own = request("""
                {"model":"m","max_tokens":10,"messages":[{"role":"user","content":"hi"}],"mcp_servers":[{"url":"x"}],
                 "container":"c","service_tier":"auto","system":"S"}""");

        assertThat(MessagesRequests.nativeRequest(own).properties()).extracting(java.util.Map.Entry::getKey)
                .containsExactly("model", "max_tokens", "system", "messages");
    }
}
