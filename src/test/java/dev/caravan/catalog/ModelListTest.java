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
}
