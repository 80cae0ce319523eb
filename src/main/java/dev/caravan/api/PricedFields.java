package dev.caravan.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The chat request fields that change price, read and checked before any money or upstream is
 * involved; a malformed one is a 400 naming it. The list, and why each is handled as it is:
 * docs/billing.md, "Fields that change the price".
 */
public final class PricedFields {

    private PricedFields() {
    }

    public static PricedOptions read(ObjectNode body) {
        return new PricedOptions(choices(body.get("n")));
    }

    private static int choices(JsonNode n) {
        if (n == null || n.isNull()) {
            return 1;
        }
        if (!n.canConvertToExactIntegral() || n.asLong() < 1 || n.asLong() > PricedOptions.MAX_CHOICES) {
            throw GatewayException.invalidRequest("n", "'n' must be an integer from 1 to " + PricedOptions.MAX_CHOICES + ".");
        }
        return n.asInt();
    }
}
