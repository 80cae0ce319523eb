package dev.caravan.metering;

import java.nio.charset.StandardCharsets;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The prompt's bound, which sizes holds and context checks without the tokenizer, against the count. */
class TokenCounterTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final TokenCounter tokens = new TokenCounter();

    @Test
    void theBoundIsTheUtf8LengthOfEveryKindOfText() {
        for (String text : List.of("", "plain ASCII", "déjà vu", "数据网关", "emoji 🚀🧪 and flags 🇩🇪")) {
            assertThat(TokenCounter.utf8Length(text)).as(text)
                    .isEqualTo(text.getBytes(StandardCharsets.UTF_8).length);
        }
    }

    @Test
    void theBoundIsNeverBelowTheCount() throws Exception {
        List<String> prompts = List.of(
                "Summarise in two sentences why teams put a gateway in front of several LLM providers.",
                "3.14159265358979323846264338327950288419716939937510 ".repeat(20),
                "请用两句话总结为什么团队在多个大模型提供商前面放一个网关。".repeat(10),
                "🚀🧪🇩🇪".repeat(50),
                "public static void main(String[] args) { System.out.println(args[0]); }\n".repeat(30),
                "aGVsbG8gd29ybGQgdGhpcyBpcyBiYXNlNjQ=".repeat(40));
        for (String prompt : prompts) {
            JsonNode request = JSON.createObjectNode().set("messages", JSON.readTree("""
                    [{"role":"system","content":"Be brief."},
                     {"role":"user","content":[{"type":"text","text":%s},{"type":"image_url","image_url":{"url":"x"}}]},
                     {"role":"assistant","tool_calls":[{"function":{"name":"lookup","arguments":"{\\"q\\":1}"}}]}]"""
                    .formatted(JSON.writeValueAsString(prompt))));
            PromptTokens size = tokens.prompt(request);

            assertThat(size.counted()).isFalse();
            assertThat(size.atMost()).as(prompt).isGreaterThanOrEqualTo(tokens.countPrompt(request));
            assertThat(size.estimate()).isEqualTo(tokens.countPrompt(request));
            assertThat(size.counted()).isTrue();

            JsonNode input = JSON.valueToTree(List.of(prompt, prompt));
            assertThat(tokens.embeddingInput(input).atMost()).isGreaterThanOrEqualTo(tokens.countEmbeddingInput(input));
        }
    }

    @Test
    void countsEverythingThatBecomesPromptTokens() throws Exception {
        String base = "{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";
        long plain = tokens.prompt(JSON.readTree(base)).atMost();
        for (String more : List.of(
                "{\"messages\":[{\"role\":\"user\",\"name\":\"ada_lovelace\",\"content\":\"Hi\"}]}",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"},{\"role\":\"tool\",\"tool_call_id\":\"call_abc\"}]}",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"},{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"call_abc\"}]}]}",
                "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Hi\"},"
                        + "{\"type\":\"video_url\",\"video_url\":{\"url\":\"https://v.example/a.mp4\"}}]}]}",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"response_format\":{\"type\":\"json_schema\","
                        + "\"json_schema\":{\"name\":\"a\",\"schema\":{\"type\":\"object\"}}}}",
                "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Hi\"},"
                        + "{\"type\":\"file\",\"file\":{\"file_id\":\"file-1\"}}]}]}")) {
            JsonNode request = JSON.readTree(more);
            assertThat(tokens.prompt(request).atMost()).as(more).isGreaterThan(plain);
            assertThat(tokens.countPrompt(request)).as(more).isGreaterThan(tokens.countPrompt(JSON.readTree(base)));
        }
    }
}
