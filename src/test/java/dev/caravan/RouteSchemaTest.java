package dev.caravan;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every shipped route file, and every recipe of docs/routes.md, validates against the JSON schema of
 * the Camel YAML DSL in use (the one in camel-yaml-dsl's jar), so that Kaoto and the camel JBang tools
 * open them. Camel itself accepts more (a boolean where the schema wants a string): this is stricter.
 */
class RouteSchemaTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static JsonSchema schema;

    @BeforeAll
    static void loadSchema() throws IOException {
        try (InputStream in = RouteSchemaTest.class.getResourceAsStream("/schema/camelYamlDsl.json")) {
            assertThat(in).as("camel-yaml-dsl's schema on the classpath").isNotNull();
            schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(in);
        }
    }

    static List<Path> routeFiles() throws IOException {
        List<Path> files = new ArrayList<>();
        for (String dir : List.of("routes", "src/test/resources/recipes")) {
            try (Stream<Path> listed = Files.list(Path.of(dir))) {
                listed.filter(f -> f.toString().endsWith(".camel.yaml")).sorted().forEach(files::add);
            }
        }
        return files;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("routeFiles")
    void validatesAgainstTheCamelYamlDslSchema(Path file) throws IOException {
        // a value that is only a property placeholder is resolved before Camel reads it, so any type goes
        // there: where the schema wants another type than a string, the placeholder's default is
        // checked in its place, typed as YAML reads it (else the schema's choices around it fail too)
        Map<String, JsonNode> placeholders = new HashMap<>();
        JsonNode routes = YAML.readTree(file.toFile());
        collectPlaceholders(routes, "$", placeholders);
        Set<String> typed = new HashSet<>();
        for (ValidationMessage problem : schema.validate(routes)) {
            String at = problem.getInstanceLocation().toString();
            if (placeholders.containsKey(at) && problem.getMessage().contains("string found")) {
                typed.add(at);
            }
        }
        JsonNode withDefaults = YAML.readTree(file.toFile());
        replaceWithDefaults(withDefaults, "$", typed);
        List<String> problems = schema.validate(withDefaults).stream()
                .filter(problem -> !placeholders.containsKey(problem.getInstanceLocation().toString()))
                .map(ValidationMessage::getMessage).toList();
        assertThat(problems).as(file + " against camelYamlDsl.json").isEmpty();
    }

    private static void collectPlaceholders(JsonNode node, String path, Map<String, JsonNode> found) {
        if (node.isObject()) {
            node.fields().forEachRemaining(field -> collectPlaceholders(field.getValue(), path + "." + field.getKey(), found));
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                collectPlaceholders(node.get(i), path + "[" + i + "]", found);
            }
        } else if (node.isTextual() && node.asText().matches("\\{\\{[^{}]+}}")) {
            found.put(path, node);
        }
    }

    private static void replaceWithDefaults(JsonNode node, String path, Set<String> typed) throws IOException {
        if (node.isObject()) {
            ObjectNode object = (ObjectNode) node;
            for (String name : (Iterable<String>) object::fieldNames) {
                JsonNode value = object.get(name);
                String at = path + "." + name;
                if (typed.contains(at)) {
                    object.set(name, defaultOf(value));
                } else {
                    replaceWithDefaults(value, at, typed);
                }
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                String at = path + "[" + i + "]";
                if (typed.contains(at)) {
                    ((ArrayNode) node).set(i, defaultOf(node.get(i)));
                } else {
                    replaceWithDefaults(node.get(i), at, typed);
                }
            }
        }
    }

    private static JsonNode defaultOf(JsonNode placeholder) throws IOException {
        String text = placeholder.asText();
        int colon = text.indexOf(':');
        return colon < 0 ? placeholder : YAML.readTree(text.substring(colon + 1, text.length() - 2));
    }
}
