package dev.caravan.api;

import java.net.http.HttpResponse;

import com.fasterxml.jackson.databind.JsonNode;
import dev.caravan.support.GatewayTest;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** JSON nested deeper than the gateway reads is a clear 400 wherever a client sends JSON. */
class JsonDepthTest extends GatewayTest {

    /** Jackson's own limit is 1000: beyond it, the gateway used to answer 500. */
    private static final int PATHOLOGICAL = 2000;

    @Test
    void deepJsonIsA400OnEveryEndpointThatReadsJson() throws Exception {
        String chatBody = chat("chat", "\"metadata\":" + nested(PATHOLOGICAL));
        String embeddingsBody = "{\"model\":\"embed\",\"input\":" + nested(PATHOLOGICAL) + "}";

        assertDepthRefused(post("/v1/chat/completions", chatBody));
        assertDepthRefused(post("/v1/chat/completions", chat("chat", "\"metadata\":" + nested(ClientJson.MAX_DEPTH + 1))));
        assertDepthRefused(post("/v1/embeddings", embeddingsBody));
        assertDepthRefused(admin("POST", "/admin/accounts", "{\"name\":\"deep\",\"x\":" + nested(PATHOLOGICAL) + "}"));
    }

    @Test
    void nestingWithinTheLimitPassesThrough() throws Exception {
        // the request object is the first level
        HttpResponse<String> response = post("/v1/chat/completions", chat("chat", "\"metadata\":" + nested(ClientJson.MAX_DEPTH - 1)));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    }

    private static void assertDepthRefused(HttpResponse<String> response) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        JsonNode error = json(response).path("error");
        assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
        assertThat(error.path("message").asText()).contains("nested", String.valueOf(ClientJson.MAX_DEPTH));
    }

    /** {@code depth} levels of arrays: [[[...]]]. */
    static String nested(int depth) {
        return "[".repeat(depth) + "]".repeat(depth);
    }
}
