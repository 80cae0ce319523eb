package dev.caravan.catalog;

import java.math.BigDecimal;
import java.net.http.HttpResponse;

import com.fasterxml.jackson.databind.JsonNode;
import dev.caravan.support.GatewayTest;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ModelListTest extends GatewayTest {

    @Test
    void listsTheCatalogInTheOpenAiShapeWithPricingAndCapabilities() throws Exception {
        HttpResponse<String> response = get("/v1/models");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("X-Request-Id")).isPresent();
        JsonNode body = json(response);
        assertThat(body.path("object").asText()).isEqualTo("list");
        JsonNode chat = null;
        for (JsonNode model : body.path("data")) {
            assertThat(model.path("object").asText()).isEqualTo("model");
            if (model.path("id").asText().equals("chat")) {
                chat = model;
            }
        }
        assertThat(chat).isNotNull();
        assertThat(chat.path("context_length").asInt()).isEqualTo(128000);
        assertThat(chat.path("capabilities").toString()).contains("tools", "vision", "json_schema");
        // USD per token, as OpenRouter reports it: $2.50/M and $10/M
        assertThat(chat.path("pricing").path("prompt").decimalValue()).isEqualByComparingTo(new BigDecimal("0.0000025"));
        assertThat(chat.path("pricing").path("completion").decimalValue()).isEqualByComparingTo(new BigDecimal("0.00001"));
        assertThat(chat.path("backends").get(0).path("id").asText()).isEqualTo("fake/ok");
    }

    @Test
    void retrievesOneModelAsTheListShowsIt() throws Exception {
        HttpResponse<String> response = get("/v1/models/chat");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("X-Request-Id")).isPresent();
        JsonNode listed = null;
        for (JsonNode model : json(get("/v1/models")).path("data")) {
            if (model.path("id").asText().equals("chat")) {
                listed = model;
            }
        }
        assertThat(json(response)).isEqualTo(listed);
        assertThat(json(response).path("pricing").path("prompt").decimalValue()).isEqualByComparingTo(new BigDecimal("0.0000025"));
    }

    @Test
    void answersAnUnknownModelIdWith404ModelNotFound() throws Exception {
        HttpResponse<String> response = get("/v1/models/no-such-model");

        assertThat(response.statusCode()).isEqualTo(404);
        JsonNode error = json(response).path("error");
        assertThat(error.path("code").asText()).isEqualTo("model_not_found");
        assertThat(error.path("message").asText()).contains("'no-such-model'");
    }

    @Test
    void doesNotListAModelWithoutCredentials() throws Exception {
        // no-key's one provider has no API key: GET /v1/models leaves it out, so retrieve does too
        assertThat(get("/v1/models/no-key").statusCode()).isEqualTo(404);
    }
}
