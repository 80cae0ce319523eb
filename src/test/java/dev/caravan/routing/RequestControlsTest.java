package dev.caravan.routing;

import java.net.http.HttpResponse;

import dev.caravan.support.FakeOpenAiUpstream;
import dev.caravan.support.GatewayTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The OpenRouter-style routing fields against model {@code routed}: {@code alpha} ($1/$2, no tools),
 * {@code beta} ($2/$3) and {@code gamma} ($3/$4), each its own fake server.
 */
class RequestControlsTest extends GatewayTest {

    private static final String TOOLS = "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
            + "\"parameters\":{\"type\":\"object\"}}}]";

    @AfterEach
    void upstreamsAnswerAgain() {
        FakeOpenAiUpstream.named("gamma").behave(null);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "''                                                              | alpha/ok",
            "'\"provider\":{\"order\":[\"gamma\",\"beta\"]}'                 | gamma/ok",
            "'\"provider\":{\"only\":[\"beta\",\"gamma\"]}'                  | beta/ok",
            "'\"provider\":{\"ignore\":[\"alpha\"]}'                         | beta/ok",
            "'\"provider\":{\"order\":[\"gamma\"],\"max_price\":{\"prompt\":2.5}}' | alpha/ok",
            "'\"provider\":{\"sort\":\"price\",\"max_price\":{\"completion\":3}}'  | alpha/ok"})
    void providerPreferencesChooseTheBackend(String fields, String expected) throws Exception {
        HttpResponse<String> response = post("/v1/chat/completions", chat("routed", fields));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(backend(response)).isEqualTo(expected);
    }

    @Test
    void aToolsRequestNeverGoesToABackendWithoutTools() throws Exception {
        long alphaCalls = FakeOpenAiUpstream.named("alpha").chatRequests();

        HttpResponse<String> response = post("/v1/chat/completions", chat("routed", TOOLS));

        assertThat(backend(response)).isEqualTo("beta/ok");
        assertThat(FakeOpenAiUpstream.named("alpha").chatRequests()).isEqualTo(alphaCalls);
        HttpResponse<String> onlyAlpha = post("/v1/chat/completions", chat("routed", TOOLS + ",\"provider\":{\"only\":[\"alpha\"]}"));
        assertThat(onlyAlpha.statusCode()).isEqualTo(503);
        assertThat(json(onlyAlpha).path("error").path("message").asText()).contains("alpha/ok: does not support tools");
    }

    @Test
    void withoutFallbacksOnlyTheOrderedProvidersAreTried() throws Exception {
        FakeOpenAiUpstream.named("gamma").behave("status-503");

        HttpResponse<String> strict = post("/v1/chat/completions",
                chat("routed", "\"provider\":{\"order\":[\"gamma\"],\"allow_fallbacks\":false}"));
        HttpResponse<String> lenient = post("/v1/chat/completions", chat("routed", "\"provider\":{\"order\":[\"gamma\"]}"));

        assertThat(strict.statusCode()).isEqualTo(502);
        assertThat(attempts(strict)).matches("gamma/ok 503 \\d+ms");
        assertThat(lenient.statusCode()).isEqualTo(200);
        assertThat(attempts(lenient)).matches("gamma/ok 503 \\d+ms, alpha/ok 200 \\d+ms");
    }

    @Test
    void aPriceCeilingNoBackendMeetsIsRefusedSayingWhy() throws Exception {
        HttpResponse<String> response = post("/v1/chat/completions",
                chat("routed", "\"provider\":{\"max_price\":{\"prompt\":0.5}}"));

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(json(response).path("error").path("message").asText())
                .contains("No backend of 'routed' can serve this request")
                .contains("alpha/ok: input price 1 is above provider.max_price.prompt");
    }

    @Test
    void theModelsListFallsBackToTheNextModelThatCanServe() throws Exception {
        // tiny-context (5 tokens) cannot take the prompt; chat can
        HttpResponse<String> response = post("/v1/chat/completions",
                chat("tiny-context", "\"models\":[\"chat\"],\"route\":\"fallback\""));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(backend(response)).isEqualTo("fake/ok");
        HttpResponse<String> alone = post("/v1/chat/completions", chat("tiny-context", ""));
        assertThat(alone.statusCode()).isEqualTo(400);
        assertThat(json(alone).path("error").path("code").asText()).isEqualTo("context_length_exceeded");
    }

    @Test
    void theModelsListFallsBackWhenTheFirstModelsBackendsFail() throws Exception {
        HttpResponse<String> response = post("/v1/chat/completions", chat("unreachable", "\"models\":[\"chat\"]"));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(backend(response)).isEqualTo("fake/ok");
    }

    @Test
    void aHedgeOnRequestIsRefusedWhileClientHedgingIsOff() throws Exception {
        HttpResponse<String> refused = post("/v1/chat/completions", chat("unhedged", "\"provider\":{\"hedge_after_ms\":1}"));
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(json(refused).path("error").path("param").asText()).isEqualTo("provider.hedge_after_ms");

        // 0 turns a model's own hedging off
        HttpResponse<String> unhedged = post("/v1/chat/completions", chat("hedged", "\"provider\":{\"hedge_after_ms\":0}"));
        assertThat(unhedged.statusCode()).isEqualTo(200);
        assertThat(attempts(unhedged)).doesNotContain("cancelled");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "'\"models\":[\"chat\",\"no-such-model\"]'      | 404 | model_not_found",
            "'\"models\":\"chat\"'                           | 400 | invalid_request",
            "'\"route\":\"random\"'                          | 400 | invalid_request",
            "'\"provider\":{\"sort\":\"cheapest\"}'          | 400 | invalid_request",
            "'\"provider\":{\"only\":\"alpha\"}'             | 400 | invalid_request",
            "'\"provider\":{\"max_price\":{\"prompt\":-1}}'  | 400 | invalid_request",
            "'\"provider\":{\"hedge_after_ms\":\"soon\"}'    | 400 | invalid_request"})
    void malformedRoutingFieldsAreRefused(String fields, int status, String code) throws Exception {
        HttpResponse<String> response = post("/v1/chat/completions", chat("routed", fields));

        assertThat(response.statusCode()).isEqualTo(status);
        assertThat(json(response).path("error").path("code").asText()).isEqualTo(code);
    }
}
