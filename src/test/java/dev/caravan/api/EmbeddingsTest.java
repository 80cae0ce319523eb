package dev.caravan.api;

import java.math.BigDecimal;
import java.net.http.HttpResponse;

import com.fasterxml.jackson.databind.JsonNode;
import dev.caravan.support.FakeOpenAiUpstream;
import dev.caravan.support.GatewayTest;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class EmbeddingsTest extends GatewayTest {

    @Test
    void forwardsEmbeddingsAndPricesTheInputTokens() throws Exception {
        HttpResponse<String> response = post("/v1/embeddings", "{\"model\":\"embed\",\"input\":[\"one\",\"two\"],\"dimensions\":2}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("X-Caravan-Backend")).contains("fake/embed-model");
        JsonNode body = json(response);
        assertThat(body.path("data").get(0).path("embedding").get(1).asDouble()).isEqualTo(-0.5);
        assertThat(body.path("usage").path("prompt_tokens").asLong()).isEqualTo(5);
        // 5 x $0.02/M
        assertThat(body.path("usage").path("cost").decimalValue()).isEqualByComparingTo(new BigDecimal("0.0000001"));
        FakeOpenAiUpstream.Recorded seen = UPSTREAM.lastRequestFor("embed-model");
        assertThat(seen.path()).isEqualTo("/v1/embeddings");
        assertThat(seen.body().path("input").get(1).asText()).isEqualTo("two");
        assertThat(seen.body().path("dimensions").asInt()).isEqualTo(2);
    }

    @Test
    void refusesAChatModelForEmbeddings() throws Exception {
        HttpResponse<String> response = post("/v1/embeddings", "{\"model\":\"chat\",\"input\":\"x\"}");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(json(response).path("error").path("message").asText()).contains("embeddings");
    }
}
