package dev.caravan.ingress.responses;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code toChatCompletionRequest}, JSON in, JSON out. */
class ResponsesRequestsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static ObjectNode chat(String responses) throws Exception {
        return ResponsesRequests.toChatCompletionRequest((ObjectNode) JSON.readTree(responses));
    }

    @Test
    void joinsParallelFunctionCallsIntoOneAssistantTurnFollowedByTheirOutputs() throws Exception {
        ObjectNode chat = chat("""
                {"model":"m","input":[
                  {"role":"user","content":"Weather in Paris and Rome?"},
                  {"type":"reasoning","id":"rs_1","summary":[],"encrypted_content":"opaque"},
                  {"type":"function_call","call_id":"c1","name":"w","arguments":"{\\"city\\":\\"Paris\\"}"},
                  {"type":"function_call","call_id":"c2","name":"w","arguments":"{\\"city\\":\\"Rome\\"}"},
                  {"type":"function_call_output","call_id":"c1","output":"18"},
                  {"type":"function_call_output","call_id":"c2","output":[{"type":"input_text","text":"2"},{"type":"input_text","text":"1"}]}]}""");

        assertThat(chat.path("messages")).isEqualTo(JSON.readTree("""
                [{"role":"user","content":"Weather in Paris and Rome?"},
                 {"role":"assistant","content":null,"tool_calls":[
                   {"id":"c1","type":"function","function":{"name":"w","arguments":"{\\"city\\":\\"Paris\\"}"}},
                   {"id":"c2","type":"function","function":{"name":"w","arguments":"{\\"city\\":\\"Rome\\"}"}}]},
                 {"role":"tool","tool_call_id":"c1","content":"18"},
                 {"role":"tool","tool_call_id":"c2","content":"21"}]"""));
    }

    @Test
    void anEarlierAnswerKeepsItsTextAndTakesItsCalls() throws Exception {
        ObjectNode chat = chat("""
                {"model":"m","instructions":"Be brief.","input":[
                  {"type":"message","role":"assistant","content":[{"type":"output_text","text":"Let me look."}]},
                  {"type":"function_call","call_id":"c1","name":"w","arguments":"{}"}]}""");

        assertThat(chat.path("messages").get(0).toString()).isEqualTo("{\"role\":\"system\",\"content\":\"Be brief.\"}");
        assertThat(chat.path("messages").get(1).path("content").asText()).isEqualTo("Let me look.");
        assertThat(chat.path("messages").get(1).path("tool_calls").get(0).path("id").asText()).isEqualTo("c1");
    }

    @Test
    void mapsTheOptionsAndLeavesOutWhatOnlyTheResponsesApiKnows() throws Exception {
        ObjectNode chat = chat("""
                {"model":"m","input":"hi","max_output_tokens":50,"temperature":0.2,"top_p":0.9,"reasoning":{"effort":"low"},
                 "tool_choice":{"type":"function","name":"w"},"parallel_tool_calls":false,"store":true,"metadata":{"a":"b"},
                 "include":["reasoning.encrypted_content"],"truncation":"auto","text":{"format":{"type":"json_object"}}}""");

        assertThat(chat).isEqualTo(JSON.readTree("""
                {"model":"m","messages":[{"role":"user","content":"hi"}],"tool_choice":{"type":"function","function":{"name":"w"}},
                 "response_format":{"type":"json_object"},"max_completion_tokens":50,"temperature":0.2,"top_p":0.9,
                 "parallel_tool_calls":false,"reasoning_effort":"low"}"""));
    }
}
