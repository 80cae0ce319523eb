package dev.caravan.admin;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caravan.api.GatewayException;
import dev.caravan.billing.Accounts;
import dev.caravan.billing.BillingJson;
import dev.caravan.billing.UsageFilters;
import dev.caravan.billing.UsageQueries;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The operator's API: accounts, top-ups, keys, usage. Bearer {@code CARAVAN_ADMIN_TOKEN}; without
 * that token configured the admin API is off.
 */
@RestController
@RequestMapping(path = "/admin", produces = "application/json")
public class AdminController {

    private static final BigDecimal MAX_AMOUNT = new BigDecimal("1000000000");

    private final Accounts accounts;
    private final UsageQueries usage;
    private final BillingJson view;
    private final ObjectMapper json;

    public AdminController(Accounts accounts, UsageQueries usage, BillingJson view, ObjectMapper json) {
        this.accounts = accounts;
        this.usage = usage;
        this.view = view;
        this.json = json;
    }

    @PostMapping("/accounts")
    public ResponseEntity<ObjectNode> createAccount(@RequestBody(required = false) byte[] body) {
        JsonNode request = object(body);
        String name = requiredText(request, "name", 200);
        String email = optionalText(request, "email", 320);
        return ResponseEntity.status(HttpStatus.CREATED).body(view.account(accounts.create(name, email)));
    }

    @GetMapping("/accounts/{id}")
    public ObjectNode account(@PathVariable("id") String id) {
        return view.account(accounts.get(id));
    }

    @PostMapping("/accounts/{id}/credits")
    public ObjectNode addCredits(@RequestHeader(value = "Idempotency-Key", required = false) String idempotencyKey,
                                 @PathVariable("id") String id, @RequestBody(required = false) byte[] body) {
        if (idempotencyKey == null || idempotencyKey.isBlank() || idempotencyKey.length() > 200) {
            throw GatewayException.invalidRequest("Idempotency-Key",
                    "An Idempotency-Key header (1-200 characters) is required: a repeated top-up with the same key credits once.");
        }
        JsonNode request = object(body);
        BigDecimal amount = amount(request.get("amount"), "amount", true);
        String reference = optionalText(request, "reference", 200);
        Accounts.TopUp topUp = accounts.addCredits(id, amount, reference, idempotencyKey);
        ObjectNode node = json.createObjectNode();
        node.put("object", "credit_purchase").put("id", topUp.purchaseId()).put("account_id", id);
        BillingJson.money(node, "amount", topUp.amount());
        BillingJson.money(node, "balance", topUp.balance());
        node.put("repeated", topUp.repeated());
        return node;
    }

    @PostMapping("/accounts/{id}/keys")
    public ResponseEntity<ObjectNode> createKey(@PathVariable("id") String id, @RequestBody(required = false) byte[] body) {
        JsonNode request = object(body);
        String name = requiredText(request, "name", 200);
        Integer rpm = null;
        JsonNode rpmNode = request.get("rpm_limit");
        if (rpmNode != null && !rpmNode.isNull()) {
            if (!rpmNode.canConvertToExactIntegral() || rpmNode.asLong() < 1 || rpmNode.asLong() > 1_000_000) {
                throw GatewayException.invalidRequest("rpm_limit", "'rpm_limit' must be an integer from 1 to 1000000.");
            }
            rpm = rpmNode.asInt();
        }
        BigDecimal spendLimit = amount(request.get("spend_limit"), "spend_limit", false);
        Instant expiresAt = null;
        JsonNode expires = request.get("expires_at");
        if (expires != null && !expires.isNull()) {
            try {
                expiresAt = Instant.parse(expires.asText());
            } catch (DateTimeParseException e) {
                throw GatewayException.invalidRequest("expires_at", "'expires_at' must be an ISO-8601 instant, e.g. 2027-01-31T00:00:00Z.");
            }
        }
        Accounts.NewKey created = accounts.createKey(id, name, rpm, spendLimit, expiresAt);
        ObjectNode node = view.key(created.key());
        node.put("key", created.secret());
        return ResponseEntity.status(HttpStatus.CREATED).body(node);
    }

    @GetMapping("/accounts/{id}/keys")
    public ObjectNode keys(@PathVariable("id") String id) {
        return view.list(accounts.keys(id).stream().map(view::key).toList());
    }

    @DeleteMapping("/keys/{keyId}")
    public ObjectNode revoke(@PathVariable("keyId") String keyId) {
        return view.key(accounts.revoke(keyId));
    }

    @GetMapping("/accounts/{id}/usage")
    public ObjectNode usage(@PathVariable("id") String id, @RequestParam Map<String, String> query) {
        accounts.get(id);
        return view.usagePage(usage.page(UsageFilters.parse(id, query)));
    }

    private JsonNode object(byte[] body) {
        if (body == null || body.length == 0) {
            throw GatewayException.invalidRequest(null, "A JSON object body is required.");
        }
        try {
            JsonNode node = json.readTree(body);
            if (node != null && node.isObject()) {
                return node;
            }
        } catch (java.io.IOException e) {
            throw GatewayException.invalidRequest(null, "The request body is not valid JSON.");
        }
        throw GatewayException.invalidRequest(null, "The request body must be a JSON object.");
    }

    private static String requiredText(JsonNode request, String field, int maxLength) {
        String value = optionalText(request, field, maxLength);
        if (value == null || value.isBlank()) {
            throw GatewayException.invalidRequest(field, "'" + field + "' is required.");
        }
        return value;
    }

    private static String optionalText(JsonNode request, String field, int maxLength) {
        JsonNode node = request.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual() || node.asText().length() > maxLength) {
            throw GatewayException.invalidRequest(field, "'" + field + "' must be a string of at most " + maxLength
                    + " characters.");
        }
        return node.asText();
    }

    /** A positive USD amount given as a JSON number or numeric string, at most 12 decimals. */
    private static BigDecimal amount(JsonNode node, String field, boolean required) {
        if (node == null || node.isNull()) {
            if (required) {
                throw GatewayException.invalidRequest(field, "'" + field + "' is required (USD, e.g. 10.00).");
            }
            return null;
        }
        BigDecimal value;
        try {
            value = node.isNumber() ? node.decimalValue() : node.isTextual() ? new BigDecimal(node.asText().trim()) : null;
        } catch (NumberFormatException e) {
            value = null;
        }
        if (value == null || value.signum() <= 0 || value.compareTo(MAX_AMOUNT) > 0
                || value.stripTrailingZeros().scale() > 12) {
            throw GatewayException.invalidRequest(field, "'" + field
                    + "' must be a positive USD amount up to 1000000000 with at most 12 decimals.");
        }
        return value;
    }
}
