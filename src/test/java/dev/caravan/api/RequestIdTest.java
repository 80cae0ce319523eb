package dev.caravan.api;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.databind.JsonNode;
import dev.caravan.support.GatewayTest;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Only the gateway makes request ids, and only the Authorization header carries a key: query
 * parameters never become what a step of the flow reads.
 */
class RequestIdTest extends GatewayTest {

    private static final String GATEWAY_ID = "req_[0-9a-z]{20}";

    @Test
    void aQueryParameterCannotSetTheRequestId() throws Exception {
        String key = newFundedKey("1");

        HttpResponse<String> response = post("/v1/chat/completions?X-Request-Id=chosen-by-client", chat("chat", ""), key);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        String id = response.headers().firstValue("X-Request-Id").orElseThrow();
        assertThat(id).matches(GATEWAY_ID);
        assertThat(settledGeneration(key, id).path("id").asText()).isEqualTo(id);
        assertThat(get("/v1/generation?id=chosen-by-client", key).statusCode()).isEqualTo(404);
    }

    @Test
    void aQueryParameterIdLongerThanTheColumnChangesNothing() throws Exception {
        String key = newFundedKey("1");
        String longId = "x".repeat(300);

        HttpResponse<String> response = post("/v1/chat/completions?X-Request-Id=" + longId, chat("chat", ""), key);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        String id = response.headers().firstValue("X-Request-Id").orElseThrow();
        assertThat(id).matches(GATEWAY_ID);
        assertThat(settledGeneration(key, id).path("id").asText()).isEqualTo(id);
        assertThat(settledCredits(key).path("held").decimalValue()).isZero();
    }

    @Test
    void aClientRequestIdHeaderIsReplaced() throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url("/v1/chat/completions")))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + apiKey())
                .header("X-Request-Id", "chosen-by-client")
                .POST(HttpRequest.BodyPublishers.ofString(chat("chat", ""))).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().allValues("X-Request-Id")).singleElement().asString().matches(GATEWAY_ID);
    }

    @Test
    void aKeyInTheQueryDoesNotAuthenticate() throws Exception {
        String query = "?Authorization=" + URLEncoder.encode("Bearer " + apiKey(), StandardCharsets.UTF_8);

        for (String path : new String[] {"/v1/chat/completions", "/v1/embeddings"}) {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url(path + query)))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(path.endsWith("embeddings")
                            ? "{\"model\":\"embed\",\"input\":\"hi\"}" : chat("chat", ""))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(path).isEqualTo(401);
            assertThat(json(response).path("error").path("code").asText()).isEqualTo("invalid_api_key");
        }
        HttpResponse<String> credits = get("/v1/credits" + query);
        assertThat(credits.statusCode()).isEqualTo(401);
    }

    @Test
    void valuesThatCannotFitTheDatabaseAreRefusedBeforeIt() throws Exception {
        String key = newFundedKey("1");
        String tooLong = "x".repeat(300);

        assertThat(get("/v1/generation?id=" + tooLong, key).statusCode()).isEqualTo(404);
        assertThat(get("/v1/generation?id=req_%00", key).statusCode()).isEqualTo(404);
        assertError(get("/v1/usage?model=" + tooLong, key), "model");
        assertError(get("/v1/usage?model=chat%00", key), "model");
        assertError(get("/v1/usage?key_id=" + tooLong, key), "key_id");
        assertError(get("/v1/usage?key_id=key_%00", key), "key_id");
        assertThat(get("/v1/usage?model=chat", key).statusCode()).isEqualTo(200);
    }

    private static void assertError(HttpResponse<String> response, String param) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        assertThat(json(response).path("error").path("param").asText()).isEqualTo(param);
    }

    /** The generation of a request once it is settled (settlement runs off the response path). */
    private JsonNode settledGeneration(String key, String requestId) throws Exception {
        long deadline = System.currentTimeMillis() + 10_000;
        HttpResponse<String> generation = get("/v1/generation?id=" + requestId, key);
        while (generation.statusCode() == 404 && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
            generation = get("/v1/generation?id=" + requestId, key);
        }
        assertThat(generation.statusCode()).as(generation.body()).isEqualTo(200);
        return json(generation).path("data");
    }
}
