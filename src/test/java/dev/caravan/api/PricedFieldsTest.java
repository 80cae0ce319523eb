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

    @Test
    void aServiceTierIsRefusedUnlessABackendPricesItAndThenPricedAtThatTier() throws Exception {
        refusedBeforeAnyUpstream(chat("chat", "\"service_tier\":\"priority\""), "service_tier");

        String key = newFundedKey("1");
        HttpResponse<String> priority = post(CHAT, chat("tiered", "\"service_tier\":\"priority\""), key);
        assertThat(priority.statusCode()).isEqualTo(200);
        // only the backend that lists the tier; 11 prompt (6 cached, at the tier's input) x $5 + 7 x $20
        assertThat(backend(priority)).isEqualTo("fake/cached");
        assertThat(UPSTREAM.lastRequestFor("cached").body().path("service_tier").asText()).isEqualTo("priority");
        assertThat(json(priority).path("usage").path("cost").decimalValue()).isEqualByComparingTo("0.000195");
        assertThat(settledCredits(key).path("total_usage").decimalValue()).isEqualByComparingTo("0.000195");
    }

    @Test
    void autoAndDefaultTiersAreTheBackendsOwnPrices() throws Exception {
        HttpResponse<String> auto = post(CHAT, chat("tiered", "\"service_tier\":\"auto\""));
        assertThat(auto.statusCode()).isEqualTo(200);
        assertThat(backend(auto)).isEqualTo("fake/ok");
        // no tier at all is what a provider does for "auto"
        assertThat(UPSTREAM.lastRequestFor("ok").body().has("service_tier")).isFalse();

        HttpResponse<String> pinned = post(CHAT, chat("tiered", "\"service_tier\":\"default\""));
        assertThat(pinned.statusCode()).isEqualTo(200);
        assertThat(UPSTREAM.lastRequestFor("ok").body().path("service_tier").asText()).isEqualTo("default");
    }

    @Test
    void storeNeverReachesAnUpstreamAndStoreTrueIsRefused() throws Exception {
        refusedBeforeAnyUpstream(chat("chat", "\"store\":true"), "store");

        HttpResponse<String> kept = post(CHAT, chat("chat",
                "\"store\":false,\"metadata\":{\"user\":\"u-1\"},\"x_vendor_option\":{\"top_k\":5}"));
        assertThat(kept.statusCode()).isEqualTo(200);
        JsonNode sent = UPSTREAM.lastRequestFor("ok").body();
        assertThat(sent.has("store")).isFalse();
        assertThat(sent.has("metadata")).isFalse();
        // fields the gateway does not know are provider-specific extras: they pass through
        assertThat(sent.path("x_vendor_option").path("top_k").asInt()).isEqualTo(5);
    }

    @Test
    void anAudioAnswerNeedsTheCapabilityAndABackendWithAnAudioPriceAndIsPricedAtIt() throws Exception {
        String audio = "\"modalities\":[\"text\",\"audio\"],\"audio\":{\"voice\":\"alloy\",\"format\":\"wav\"}";
        assertThat(refusedBeforeAnyUpstream(chat("chat", audio), "model").path("message").asText()).contains("audio_output");

        String key = newFundedKey("1");
        HttpResponse<String> spoken = post(CHAT, chat("voice", audio), key);
        assertThat(spoken.statusCode()).isEqualTo(200);
        assertThat(backend(spoken)).isEqualTo("fake/audio");
        JsonNode sent = UPSTREAM.lastRequestFor("audio").body();
        assertThat(sent.path("modalities").toString()).contains("audio");
        assertThat(sent.path("audio").path("voice").asText()).isEqualTo("alloy");
        // prompt 11 (4 audio): 7 x $2.50 + 4 x $40; completion 7 (5 audio): 2 x $10 + 5 x $80
        assertThat(json(spoken).path("usage").path("cost").decimalValue()).isEqualByComparingTo("0.0005975");
        assertThat(settledCredits(key).path("total_usage").decimalValue()).isEqualByComparingTo("0.0005975");
    }

    @ParameterizedTest
    @ValueSource(strings = {"web_search_options\":{}", "prediction\":{\"type\":\"content\",\"content\":\"x\"}"})
    void whatIsBilledOutsideTokensIsRefused(String field) throws Exception {
        refusedBeforeAnyUpstream(chat("chat", "\"" + field), field.substring(0, field.indexOf('"')));
    }

    /** The error of a request answered 400 naming {@code param}, with no upstream called. */
    private JsonNode refusedBeforeAnyUpstream(String body, String param) throws Exception {
        int before = UPSTREAM.requests().size();
        HttpResponse<String> refused = post(CHAT, body);

        assertThat(refused.statusCode()).isEqualTo(400);
        JsonNode error = json(refused).path("error");
        assertThat(error.path("param").asText()).isEqualTo(param);
        assertThat(UPSTREAM.requests()).hasSize(before);
        return error;
    }
}
