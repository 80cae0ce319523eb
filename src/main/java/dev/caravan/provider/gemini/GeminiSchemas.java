package dev.caravan.provider.gemini;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caravan.api.GatewayException;
import dev.caravan.provider.ProviderJson;

/**
 * JSON Schema to the OpenAPI subset Gemini accepts as {@code responseSchema} and function
 * {@code parameters}. Types become upper case, a {@code "null"} type or member becomes
 * {@code nullable}, {@code oneOf} becomes {@code anyOf}, {@code allOf} is merged, {@code $ref}s into
 * {@code $defs} / {@code definitions} are inlined, {@code const} becomes a one-value enum, and the
 * properties keep the client's order ({@code propertyOrdering}). What Gemini does not know
 * ({@code additionalProperties}, {@code default}, {@code examples}, enums of non-strings, formats
 * other than its own) is left out: the answer is then less constrained, never refused.
 */
final class GeminiSchemas {

    /** Kept as they are. */
    private static final Set<String> COPIED = Set.of("title", "description", "nullable", "minItems", "maxItems",
            "minimum", "maximum", "minLength", "maxLength", "pattern", "minProperties", "maxProperties");
    private static final Set<String> FORMATS = Set.of("date-time", "enum", "int32", "int64", "float", "double");
    /** Deep enough for any real schema; a recursive $ref reaches it. */
    private static final int MAX_DEPTH = 32;

    private GeminiSchemas() {
    }

    static ObjectNode toGeminiSchema(JsonNode schema) {
        return convert(schema, schema, 0);
    }

    private static ObjectNode convert(JsonNode schema, JsonNode root, int depth) {
        if (depth > MAX_DEPTH) {
            throw GatewayException.invalidRequest(null,
                    "The JSON Schema nests deeper than " + MAX_DEPTH + " levels (a recursive $ref?): Gemini cannot take it.");
        }
        if (schema.has("$ref")) {
            return convert(resolve(schema.path("$ref").asText(), root), root, depth + 1);
        }
        ObjectNode out = ProviderJson.object();
        type(schema.get("type"), out);
        alternatives(schema, root, depth, out);
        schema.fields().forEachRemaining(field -> {
            if (COPIED.contains(field.getKey())) {
                out.set(field.getKey(), field.getValue());
            }
        });
        if (FORMATS.contains(schema.path("format").asText())) {
            out.put("format", schema.path("format").asText());
        }
        enumeration(schema, out);
        objectAndArray(schema, root, depth, out);
        return out;
    }

    /** {@code "string"} or {@code ["string", "null"]}: the type in upper case, null as nullable. */
    private static void type(JsonNode type, ObjectNode out) {
        List<String> types = new ArrayList<>();
        if (type != null && type.isTextual()) {
            types.add(type.asText());
        } else if (type != null && type.isArray()) {
            type.forEach(t -> types.add(t.asText()));
        }
        if (types.remove("null")) {
            out.put("nullable", true);
        }
        if (types.size() == 1) {
            out.put("type", types.get(0).toUpperCase(Locale.ROOT));
        } else if (types.size() > 1) {
            ArrayNode anyOf = out.putArray("anyOf");
            types.forEach(t -> anyOf.addObject().put("type", t.toUpperCase(Locale.ROOT)));
        }
    }

    /** anyOf / oneOf (a null member becomes nullable; one member left is inlined) and allOf (merged). */
    private static void alternatives(JsonNode schema, JsonNode root, int depth, ObjectNode out) {
        JsonNode members = schema.has("anyOf") ? schema.get("anyOf") : schema.get("oneOf");
        if (members != null && members.isArray()) {
            List<ObjectNode> kept = new ArrayList<>();
            for (JsonNode member : members) {
                if ("null".equals(member.path("type").asText())) {
                    out.put("nullable", true);
                } else {
                    kept.add(convert(member, root, depth + 1));
                }
            }
            if (kept.size() == 1) {
                out.setAll(kept.get(0));
            } else if (!kept.isEmpty()) {
                out.putArray("anyOf").addAll(kept);
            }
        }
        for (JsonNode member : schema.path("allOf")) {
            merge(out, convert(member, root, depth + 1));
        }
    }

    /** One allOf member into the schema: properties and required names add up, the rest is taken. */
    private static void merge(ObjectNode into, ObjectNode member) {
        member.fields().forEachRemaining(field -> {
            switch (field.getKey()) {
                case "properties" -> into.withObject("properties").setAll((ObjectNode) field.getValue());
                case "required", "propertyOrdering" -> into.withArray(field.getKey()).addAll((ArrayNode) field.getValue());
                default -> into.set(field.getKey(), field.getValue());
            }
        });
    }

    private static void enumeration(JsonNode schema, ObjectNode out) {
        JsonNode values = schema.has("const") ? ProviderJson.object().arrayNode().add(schema.get("const")) : schema.get("enum");
        if (values == null || !values.isArray() || values.isEmpty()) {
            return;
        }
        for (JsonNode value : values) {
            if (!value.isTextual()) {
                return; // Gemini's enums are strings only
            }
        }
        out.set("enum", values);
        out.put("type", "STRING");
    }

    private static void objectAndArray(JsonNode schema, JsonNode root, int depth, ObjectNode out) {
        JsonNode properties = schema.get("properties");
        if (properties != null && properties.isObject() && !properties.isEmpty()) {
            ObjectNode converted = out.putObject("properties");
            ArrayNode ordering = out.putArray("propertyOrdering");
            properties.fields().forEachRemaining(property -> {
                converted.set(property.getKey(), convert(property.getValue(), root, depth + 1));
                ordering.add(property.getKey());
            });
            ArrayNode required = out.putArray("required");
            schema.path("required").forEach(name -> {
                if (properties.has(name.asText())) {
                    required.add(name);
                }
            });
            if (required.isEmpty()) {
                out.remove("required");
            }
            out.putIfAbsent("type", ProviderJson.object().textNode("OBJECT"));
        }
        JsonNode items = schema.get("items");
        if (items != null && (items.isObject() || (items.isArray() && !items.isEmpty()))) {
            out.set("items", convert(items.isArray() ? items.get(0) : items, root, depth + 1));
            out.putIfAbsent("type", ProviderJson.object().textNode("ARRAY"));
        }
    }

    /** A local reference: {@code #/$defs/Name} or {@code #/definitions/Name}. */
    private static JsonNode resolve(String ref, JsonNode root) {
        JsonNode target = ref.startsWith("#") ? root.at(ref.substring(1)) : null;
        if (target == null || target.isMissingNode()) {
            throw GatewayException.invalidRequest(null,
                    "The JSON Schema refers to '" + ref + "', which is not a definition inside the schema.");
        }
        return target;
    }
}
