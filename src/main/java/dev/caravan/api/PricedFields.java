package dev.caravan.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The chat request fields that change price or retention, read and checked before any money or
 * upstream is involved; a malformed or refused one is a 400 naming it. The list, and why each is
 * handled as it is: docs/billing.md, "Fields that change the price". Fields not named here pass
 * through to OpenAI-compatible upstreams as provider-specific extras.
 */
public final class PricedFields {

    private PricedFields() {
    }

    public static PricedOptions read(ObjectNode body) {
        refuseStorage(body.get("store"));
        refuseUnpriced(body, "web_search_options", "searches are billed per call, outside tokens");
        refuseUnpriced(body, "prediction", "rejected prediction tokens are billed as output beyond the output limit");
        return new PricedOptions(choices(body.get("n")), serviceTier(body.get("service_tier")), hasAudioInput(body),
                asksForAudio(body));
    }

    private static int choices(JsonNode n) {
        if (absent(n)) {
            return 1;
        }
        if (!n.canConvertToExactIntegral() || n.asLong() < 1 || n.asLong() > PricedOptions.MAX_CHOICES) {
            throw GatewayException.invalidRequest("n", "'n' must be an integer from 1 to " + PricedOptions.MAX_CHOICES + ".");
        }
        return n.asInt();
    }

    /** {@code "auto"} is the provider's default, as no tier at all is: the backend's own prices. */
    private static String serviceTier(JsonNode tier) {
        if (absent(tier)) {
            return null;
        }
        if (!tier.isTextual() || tier.asText().isBlank()) {
            throw GatewayException.invalidRequest("service_tier", "'service_tier' must be a string.");
        }
        return tier.asText().equals("auto") ? null : tier.asText();
    }

    /** The privacy promise: no prompt or completion is kept, not even at the provider. */
    private static void refuseStorage(JsonNode store) {
        if (absent(store)) {
            return;
        }
        if (!store.isBoolean()) {
            throw GatewayException.invalidRequest("store", "'store' must be a boolean.");
        }
        if (store.booleanValue()) {
            throw GatewayException.invalidRequest("store", "'store: true' is not available: this gateway does not let "
                    + "providers keep prompts or completions.");
        }
    }

    private static void refuseUnpriced(ObjectNode body, String field, String why) {
        if (!absent(body.get(field))) {
            throw GatewayException.invalidRequest(field, "'" + field + "' is not available: " + why
                    + ", and the catalog has no price for it.");
        }
    }

    private static boolean asksForAudio(ObjectNode body) {
        JsonNode modalities = body.get("modalities");
        boolean audio = !absent(body.get("audio"));
        if (absent(modalities)) {
            return audio;
        }
        if (!modalities.isArray()) {
            throw GatewayException.invalidRequest("modalities", "'modalities' must be an array of strings.");
        }
        for (JsonNode modality : modalities) {
            audio |= "audio".equals(modality.asText());
        }
        return audio;
    }

    private static boolean hasAudioInput(ObjectNode body) {
        for (JsonNode message : body.path("messages")) {
            for (JsonNode part : message.path("content")) {
                if ("input_audio".equals(part.path("type").asText())) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean absent(JsonNode node) {
        return node == null || node.isNull();
    }
}
