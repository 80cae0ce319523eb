package dev.caravan.dashboard;

import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import com.fasterxml.jackson.databind.JsonNode;
import dev.caravan.support.GatewayTest;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code GET /api/models}: the Models page's catalogue, public, prices per 1M tokens as configured. */
class ModelCatalogTest extends GatewayTest {

    @Test
    void isPublicAndGivesPricesPerMillionTokensWithModalities() throws Exception {
        JsonNode body = catalogue();

        assertThat(body.path("object").asText()).isEqualTo("list");
        JsonNode chat = model(body, "chat");
        assertThat(chat.path("context_length").asInt()).isEqualTo(128000);
        assertThat(chat.path("max_output_tokens").asInt()).isEqualTo(4096);
        assertThat(chat.path("capabilities").toString()).contains("tools", "vision", "json_schema");
        assertThat(chat.path("modalities").path("input").toString()).isEqualTo("[\"text\",\"image\"]");
        assertThat(chat.path("modalities").path("output").toString()).isEqualTo("[\"text\"]");
        // test-models.yaml: input 2.50, output 10.00, cached-input 1.25, written as a person would
        assertThat(chat.path("pricing").path("input").decimalValue()).isEqualByComparingTo(new BigDecimal("2.5"));
        assertThat(chat.path("pricing").path("output").toString()).isEqualTo("10");
        assertThat(chat.path("pricing").path("cached_input").decimalValue()).isEqualByComparingTo(new BigDecimal("1.25"));
        assertThat(chat.path("free_tier").asBoolean()).isFalse();
        assertThat(chat.path("backends").get(0).path("provider").asText()).isEqualTo("fake");
        assertThat(chat.path("backends").get(0).path("free_tier").asBoolean()).isFalse();
        // a model without a context length in the catalog says so with null, not 0
        assertThat(model(body, "echo").path("context_length").isNull()).isTrue();
    }

    @Test
    void marksFreeTierBackendsAndPricesAModelByItsCheapestPaidBackend() throws Exception {
        JsonNode spill = model(catalogue(), "spill");

        assertThat(spill.path("free_tier").asBoolean()).isTrue();
        // the free tier costs 0, but runs out: the price shown is what the paid backend charges
        assertThat(spill.path("pricing").path("input").decimalValue()).isEqualByComparingTo("1");
        assertThat(spill.path("pricing").path("output").decimalValue()).isEqualByComparingTo("2");
        JsonNode free = null;
        for (JsonNode backend : spill.path("backends")) {
            if (backend.path("provider").asText().equals("free")) {
                free = backend;
            }
        }
        assertThat(free).isNotNull();
        assertThat(free.path("free_tier").asBoolean()).isTrue();
        assertThat(free.path("price").path("input").decimalValue()).isEqualByComparingTo("0");
    }

    @Test
    void listsOnlyCallableModelsAndTellsEmbeddingsApart() throws Exception {
        JsonNode body = catalogue();

        assertThat(body.path("data").findValuesAsText("id")).doesNotContain("no-key");
        assertThat(model(body, "embed").path("modalities").path("output").toString()).isEqualTo("[\"embeddings\"]");
    }

    /** Without any credential: the page is readable before logging in. */
    private JsonNode catalogue() throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url("/api/models"))).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        return JSON.readTree(response.body());
    }

    private static JsonNode model(JsonNode catalogue, String id) {
        for (JsonNode model : catalogue.path("data")) {
            if (model.path("id").asText().equals(id)) {
                return model;
            }
        }
        throw new AssertionError("GET /api/models does not list " + id);
    }
}
