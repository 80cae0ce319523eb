package dev.caravan.api;

import java.net.http.HttpResponse;

import com.fasterxml.jackson.databind.JsonNode;
import dev.caravan.support.FakeGeminiUpstream;
import dev.caravan.support.GatewayTest;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The request fields that change price, through real HTTP: what reaches the fake upstream and the
 * status the client gets (docs/billing.md, "Fields that change the price").
 */
class PricedFieldsTest extends GatewayTest {

    private static final String CHAT = "/v1/chat/completions";

    @ParameterizedTest
    @ValueSource(strings = {"0", "129", "2.5", "\"3\"", "-1"})
    void nIsAnIntegerFromOneTo128(String n) throws Exception {
        HttpResponse<String> response = post(CHAT, chat("chat", "\"n\":" + n));

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(json(response).path("error").path("param").asText()).isEqualTo("n");
    }

    @Test
    void nAboveOneIsRefusedNamingNWhenOnlyBackendsOfOneAnswerServeTheModel() throws Exception {
        int before = FakeGeminiUpstream.get().requestCount();

        HttpResponse<String> response = post(CHAT, chat("gemini", "\"n\":2"));

        assertThat(response.statusCode()).isEqualTo(400);
        JsonNode error = json(response).path("error");
        assertThat(error.path("param").asText()).isEqualTo("n");
        assertThat(error.path("message").asText()).contains("fake-gemini/gemini-text: its protocol 'gemini' returns at most 1 answer");
        assertThat(FakeGeminiUpstream.get().requestCount()).isEqualTo(before);
    }

    @Test
    void nAboveOneGoesOnlyToBackendsThatReturnThatMany() throws Exception {
        // claude-then-openai: the Anthropic backend is the cheaper, the OpenAI-wire one can return n answers
        HttpResponse<String> response = post(CHAT, chat("claude-then-openai", "\"n\":2"));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(backend(response)).isEqualTo("fake/ok");
        assertThat(attempts(response)).doesNotContain("fake-anthropic");
        assertThat(UPSTREAM.lastRequestFor("ok").body().path("n").asInt()).isEqualTo(2);
    }

    @Test
    void aGeminiBackendIsAlwaysSentTheOutputLimitTheHoldCovers() throws Exception {
        assertThat(post(CHAT, chat("gemini", "")).statusCode()).isEqualTo(200);
        // no max_tokens and no max-output-tokens on the model: caravan.billing.default-max-output-tokens
        assertThat(FakeGeminiUpstream.get().lastRequestFor("gemini-text").body()
                .path("generationConfig").path("maxOutputTokens").asInt()).isEqualTo(4096);

        assertThat(post(CHAT, chat("gemini", "\"max_tokens\":33")).statusCode()).isEqualTo(200);
        assertThat(FakeGeminiUpstream.get().lastRequestFor("gemini-text").body()
                .path("generationConfig").path("maxOutputTokens").asInt()).isEqualTo(33);
    }
}
