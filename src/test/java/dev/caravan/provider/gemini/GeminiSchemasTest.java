package dev.caravan.provider.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import dev.caravan.api.GatewayException;
import dev.caravan.support.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** JSON Schema to the subset Gemini accepts, rule by rule. */
class GeminiSchemasTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"type\":\"string\",\"format\":\"email\"}                   | {\"type\":\"STRING\"}",
            "{\"type\":\"string\",\"format\":\"date-time\"}               | {\"type\":\"STRING\",\"format\":\"date-time\"}",
            "{\"type\":[\"number\",\"null\"]}                             | {\"nullable\":true,\"type\":\"NUMBER\"}",
            "{\"type\":[\"string\",\"integer\"]}                          | {\"anyOf\":[{\"type\":\"STRING\"},{\"type\":\"INTEGER\"}]}",
            "{\"oneOf\":[{\"type\":\"string\"},{\"type\":\"integer\"}]}   | {\"anyOf\":[{\"type\":\"STRING\"},{\"type\":\"INTEGER\"}]}",
            "{\"anyOf\":[{\"type\":\"boolean\"},{\"type\":\"null\"}]}     | {\"nullable\":true,\"type\":\"BOOLEAN\"}",
            "{\"type\":\"integer\",\"enum\":[1,2]}                        | {\"type\":\"INTEGER\"}",
            "{\"type\":\"object\",\"additionalProperties\":{\"type\":\"string\"}} | {\"type\":\"OBJECT\"}",
            "{\"type\":\"array\",\"items\":[{\"type\":\"string\"}]}      | {\"type\":\"ARRAY\",\"items\":{\"type\":\"STRING\"}}",
            "{\"properties\":{\"a\":{\"type\":\"string\"}},\"required\":[\"a\",\"b\"]} | {\"properties\":{\"a\":{\"type\":\"STRING\"}},\"propertyOrdering\":[\"a\"],\"required\":[\"a\"],\"type\":\"OBJECT\"}"})
    void convertsTo(String jsonSchema, String geminiSchema) {
        assertThat(convert(jsonSchema)).isEqualTo(Fixtures.parse(geminiSchema));
    }

    @Test
    void mergesAllOfMembers() {
        JsonNode converted = convert("""
                {"allOf":[{"type":"object","properties":{"a":{"type":"string"}},"required":["a"]},
                          {"properties":{"b":{"type":"integer"}},"required":["b"]}]}""");

        assertThat(converted.path("type").asText()).isEqualTo("OBJECT");
        assertThat(converted.path("properties").has("a")).isTrue();
        assertThat(converted.path("properties").has("b")).isTrue();
        assertThat(converted.path("required")).hasSize(2);
    }

    @Test
    void refusesARecursiveSchema() {
        assertThatExceptionOfType(GatewayException.class)
                .isThrownBy(() -> convert("""
                        {"$ref":"#/$defs/Node","$defs":{"Node":{"type":"object","properties":{"next":{"$ref":"#/$defs/Node"}}}}}"""))
                .satisfies(error -> assertThat(error.status()).isEqualTo(400));
    }

    @Test
    void refusesAReferenceOutsideTheSchema() {
        assertThatExceptionOfType(GatewayException.class)
                .isThrownBy(() -> convert("{\"$ref\":\"https://example.com/schema.json\"}"))
                .satisfies(error -> assertThat(error.getMessage()).contains("https://example.com/schema.json"));
    }

    private static JsonNode convert(String schema) {
        return GeminiSchemas.toGeminiSchema(Fixtures.parse(schema));
    }
}
