package dev.caravan.api;

import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;

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

    @Test
    void answersBase64WhenAskedThoughTheUpstreamSentFloats() throws Exception {
        // the fake upstream ignores encoding_format and always answers [0.25, -0.5]
        HttpResponse<String> response = post("/v1/embeddings", "{\"model\":\"embed\",\"input\":\"x\",\"encoding_format\":\"base64\"}");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode vector = json(response).path("data").get(0).path("embedding");
        assertThat(vector.isTextual()).as(vector.toString()).isTrue();
        assertThat(littleEndianFloats(vector.asText())).containsExactly(0.25f, -0.5f);
        // the client's choice still reaches the upstream
        assertThat(UPSTREAM.lastRequestFor("embed-model").body().path("encoding_format").asText()).isEqualTo("base64");
    }

    @Test
    void answersFloatsWhenAskedOrByDefault() throws Exception {
        for (String format : new String[] {",\"encoding_format\":\"float\"", ""}) {
            HttpResponse<String> response = post("/v1/embeddings", "{\"model\":\"embed\",\"input\":\"x\"" + format + "}");

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(json(response).path("data").get(0).path("embedding").toString()).isEqualTo("[0.25,-0.5]");
        }
    }

    @Test
    void theDemoProviderAnswersBase64ThatDecodesToItsFloats() throws Exception {
        JsonNode floats = json(post("/v1/embeddings", "{\"model\":\"demo-embedding\",\"input\":\"hello\"}"))
                .path("data").get(0).path("embedding");
        HttpResponse<String> response = post("/v1/embeddings",
                "{\"model\":\"demo-embedding\",\"input\":\"hello\",\"encoding_format\":\"base64\"}");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        float[] decoded = littleEndianFloats(json(response).path("data").get(0).path("embedding").asText());
        assertThat(decoded).hasSize(8);
        for (int i = 0; i < decoded.length; i++) {
            assertThat(decoded[i]).isEqualTo(floats.get(i).floatValue());
        }
    }

    @Test
    void refusesAnUnknownEncodingFormat() throws Exception {
        HttpResponse<String> response = post("/v1/embeddings", "{\"model\":\"embed\",\"input\":\"x\",\"encoding_format\":\"int8\"}");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(json(response).path("error").path("param").asText()).isEqualTo("encoding_format");
    }

    private static float[] littleEndianFloats(String base64) {
        ByteBuffer bytes = ByteBuffer.wrap(Base64.getDecoder().decode(base64)).order(ByteOrder.LITTLE_ENDIAN);
        float[] floats = new float[bytes.remaining() / Float.BYTES];
        for (int i = 0; i < floats.length; i++) {
            floats[i] = bytes.getFloat();
        }
        return floats;
    }
}
