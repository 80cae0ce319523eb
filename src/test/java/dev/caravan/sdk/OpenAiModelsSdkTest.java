package dev.caravan.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.errors.NotFoundException;
import com.openai.models.models.Model;
import com.openai.models.models.ModelRetrieveParams;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** {@code client.models().retrieve(id)}, as the OpenAI SDKs call it (GET /v1/models/{id}). */
class OpenAiModelsSdkTest extends SdkTest {

    @Test
    void retrievesACatalogModelWithCaravansExtraFields() {
        Model model = client.models().retrieve(ModelRetrieveParams.builder().model("chat").build());

        assertThat(model.id()).isEqualTo("chat");
        assertThat(model.ownedBy()).isEqualTo("caravan");
        assertThat(decimal(model._additionalProperties().get("context_length"))).isEqualByComparingTo("128000");
        JsonNode pricing = model._additionalProperties().get("pricing").convert(JsonNode.class);
        assertThat(pricing.path("completion").decimalValue()).isEqualByComparingTo("0.00001");
    }

    @Test
    void answersAnUnknownModelWithTheSdksNotFoundError() {
        assertThatExceptionOfType(NotFoundException.class)
                .isThrownBy(() -> client.models().retrieve(ModelRetrieveParams.builder().model("no-such-model").build()))
                .satisfies(e -> assertThat(e.code()).hasValue("model_not_found"));
    }
}
