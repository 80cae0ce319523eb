package dev.caravan.admin;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caravan.api.ClientInput;
import dev.caravan.api.ClientJson;
import dev.caravan.api.GatewayException;
import dev.caravan.billing.Accounts;
import dev.caravan.billing.BillingJson;
import dev.caravan.billing.UsageFilters;
import dev.caravan.billing.UsageQueries;
import dev.caravan.catalog.CurrentCatalog;
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
 * that token configured the admin API is off. Every value is checked before it reaches SQL
 * ({@link AdminRequests}); an id in a path that cannot exist is a 404.
 */
@RestController
@RequestMapping(path = "/admin", produces = "application/json")
public class AdminController {

    private final Accounts accounts;
    private final UsageQueries usage;
    private final BillingJson view;
    private final ObjectMapper json;
    private final ClientJson clientJson;
    private final CurrentCatalog catalog;

    public AdminController(Accounts accounts, UsageQueries usage, BillingJson view, ObjectMapper json,
                           ClientJson clientJson, CurrentCatalog catalog) {
        this.accounts = accounts;
        this.usage = usage;
        this.view = view;
        this.json = json;
        this.clientJson = clientJson;
        this.catalog = catalog;
    }

    @PostMapping("/accounts")
    public ResponseEntity<ObjectNode> createAccount(@RequestBody(required = false) byte[] body) {
        JsonNode request = object(body);
        String name = AdminRequests.requiredText(request, "name", 200);
        String email = AdminRequests.optionalText(request, "email", 320);
        return ResponseEntity.status(HttpStatus.CREATED).body(view.account(accounts.create(name, email)));
    }

    /**
     * {@code q} (part of a name or email, any case), {@code limit} (1-1000, default 100) and
     * {@code cursor} (the {@code next_cursor} of the previous page): newest accounts first.
     */
    @GetMapping("/accounts")
    public ObjectNode listAccounts(@RequestParam Map<String, String> query) {
        String search = ClientInput.text(blank(query.get("q")), "q", 320);
        String cursor = blank(query.get("cursor"));
        if (cursor != null && !ClientInput.isId(cursor)) {
            throw GatewayException.invalidRequest("cursor", "'cursor' must be the next_cursor of a previous page.");
        }
        int limit = 100;
        if (query.get("limit") != null) {
            try {
                limit = Integer.parseInt(query.get("limit"));
            } catch (NumberFormatException e) {
                limit = 0;
            }
            if (limit < 1 || limit > 1000) {
                throw GatewayException.invalidRequest("limit", "'limit' must be an integer from 1 to 1000.");
            }
        }
        List<Accounts.Summary> found = accounts.list(search, cursor, limit + 1);
        boolean more = found.size() > limit;
        ObjectNode page = json.createObjectNode().put("object", "list");
        ArrayNode data = page.putArray("data");
        for (Accounts.Summary account : more ? found.subList(0, limit) : found) {
            ObjectNode node = data.addObject().put("id", account.id()).put("object", "account").put("name", account.name())
                    .put("email", account.email());
            BillingJson.money(node, "balance", account.balance());
            BillingJson.money(node, "held", account.held());
            node.put("created_at", account.createdAt().toString());
            node.put("deletion_requested_at", account.deletionRequestedAt() == null ? null
                    : account.deletionRequestedAt().toString());
        }
        page.put("has_more", more);
        page.put("next_cursor", more ? found.get(limit - 1).id() : null);
        return page;
    }

    private static String blank(String value) {
        return value == null || value.isBlank() ? null : value;
    }

    @GetMapping("/accounts/{id}")
    public ObjectNode account(@PathVariable("id") String id) {
        return view.account(accounts.get(id));
    }

    @PostMapping("/accounts/{id}/credits")
    public ObjectNode addCredits(@RequestHeader(value = "Idempotency-Key", required = false) String idempotencyKey,
                                 @PathVariable("id") String id, @RequestBody(required = false) byte[] body) {
        if (idempotencyKey == null || idempotencyKey.isBlank()) {
            throw GatewayException.invalidRequest("Idempotency-Key",
                    "An Idempotency-Key header (1-200 characters) is required: a repeated top-up with the same key credits once.");
        }
        ClientInput.text(idempotencyKey, "Idempotency-Key", 200);
        JsonNode request = object(body);
        BigDecimal amount = AdminRequests.amount(request.get("amount"), "amount", true);
        String reference = AdminRequests.optionalText(request, "reference", 200);
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
        Accounts.NewKey created = accounts.createKey(id, AdminRequests.keySpec(object(body), catalog.get()));
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
        return AdminRequests.object(clientJson, body);
    }
}
