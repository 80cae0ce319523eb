package dev.caravan.auth;

import java.net.http.HttpResponse;

import com.fasterxml.jackson.databind.JsonNode;
import dev.caravan.support.GatewayTest;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A key created with a list of models reaches those models only, whichever way a request names them. */
class ModelScopeTest extends GatewayTest {

    @Test
    void aScopedKeyReachesOnlyItsModels() throws Exception {
        TestAccount account = newAccount("5");
        String key = newKey(account.id(), "{\"name\":\"chat only\",\"models\":[\"chat\"]}");
        long upstreamCalls = UPSTREAM.chatRequests();

        assertThat(post("/v1/chat/completions", chat("chat", ""), key).statusCode()).isEqualTo(200);
        // a backend named directly is in scope when a model of the scope lists it
        assertThat(post("/v1/chat/completions", chat("fake/ok", ""), key).statusCode()).isEqualTo(200);
        long allowedCalls = UPSTREAM.chatRequests();
        assertThat(allowedCalls - upstreamCalls).isEqualTo(2);

        assertRefused(post("/v1/chat/completions", chat("echo", ""), key), "model", "echo");
        assertRefused(post("/v1/chat/completions", chat("fake/echo", ""), key), "model", "fake/echo");
        assertRefused(post("/v1/chat/completions", chat("chat", "\"models\":[\"chat\",\"echo\"]"), key), "models", "echo");
        assertRefused(post("/v1/embeddings", "{\"model\":\"embed\",\"input\":\"hi\"}", key), "model", "embed");
        assertThat(UPSTREAM.chatRequests()).as("no refused request reached an upstream").isEqualTo(allowedCalls);
        assertThat(settledCredits(key).path("held").decimalValue()).isZero();

        JsonNode shown = json(get("/v1/key", key)).path("data").path("models");
        assertThat(shown.isArray()).isTrue();
        assertThat(shown).extracting(JsonNode::asText).containsExactly("chat");
    }

    @Test
    void aKeyWithoutScopeReachesEveryModel() throws Exception {
        String key = newFundedKey("1");

        assertThat(post("/v1/chat/completions", chat("echo", ""), key).statusCode()).isEqualTo(200);
        assertThat(json(get("/v1/key", key)).path("data").path("models").isNull()).isTrue();
    }

    @Test
    void theScopeNamesCatalogModels() throws Exception {
        String account = createAccount("scope input");

        for (String models : new String[] {"\"chat\"", "[]", "[\"no-such-model\"]", "[42]", "[\"fake/ok\"]"}) {
            HttpResponse<String> response = admin("POST", "/admin/accounts/" + account + "/keys",
                    "{\"name\":\"x\",\"models\":" + models + "}");
            assertThat(response.statusCode()).as(models).isEqualTo(400);
            assertThat(json(response).path("error").path("param").asText()).isEqualTo("models");
        }
    }

    private static void assertRefused(HttpResponse<String> response, String param, String model) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(403);
        JsonNode error = json(response).path("error");
        assertThat(error.path("type").asText()).isEqualTo("permission_error");
        assertThat(error.path("code").asText()).isEqualTo("model_not_allowed");
        assertThat(error.path("param").asText()).isEqualTo(param);
        assertThat(error.path("message").asText()).contains("'" + model + "'");
    }
}
