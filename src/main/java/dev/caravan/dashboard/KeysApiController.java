package dev.caravan.dashboard;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caravan.admin.AdminRequests;
import dev.caravan.api.GatewayException;
import dev.caravan.billing.Accounts;
import dev.caravan.billing.BillingJson;
import dev.caravan.catalog.CurrentCatalog;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The signed-in person's API keys: list, create (the secret shown once), revoke. A key of another
 * account is answered exactly as an unknown one (404), so ids reveal nothing.
 */
@RestController
@RequestMapping(path = "/api/keys", produces = "application/json")
public class KeysApiController {

    private final Accounts accounts;
    private final DashboardQueries queries;
    private final BillingJson billingJson;
    private final JsonBody jsonBody;
    private final CurrentCatalog catalog;
    private final DashboardSettings settings;

    public KeysApiController(Accounts accounts, DashboardQueries queries, BillingJson billingJson, JsonBody jsonBody,
                             CurrentCatalog catalog, DashboardSettings settings) {
        this.accounts = accounts;
        this.queries = queries;
        this.billingJson = billingJson;
        this.jsonBody = jsonBody;
        this.catalog = catalog;
        this.settings = settings;
    }

    /** Newest first. */
    @GetMapping
    public ObjectNode list() {
        String accountId = SessionUser.current().accountId();
        Map<String, Instant> lastUsed = queries.keysLastUsed(accountId);
        List<ObjectNode> keys = accounts.keys(accountId).stream()
                .sorted(Comparator.comparing(Accounts.Key::createdAt).thenComparing(Accounts.Key::id).reversed())
                .map(key -> view(key, lastUsed.get(key.id()))).toList();
        return billingJson.list(keys);
    }

    /** {@code {name, spend_limit?, rpm_limit?, expires_at?, ...}} as the admin API takes them; the key is in the answer once. */
    @PostMapping
    public ResponseEntity<ObjectNode> create(HttpServletRequest request) {
        String accountId = SessionUser.current().accountId();
        Accounts.KeySpec spec = AdminRequests.keySpec(jsonBody.object(request), catalog.get());
        if (spec.expiresAt() != null && !spec.expiresAt().isAfter(Instant.now())) {
            throw GatewayException.invalidRequest("expires_at", "'expires_at' must be in the future.");
        }
        if (queries.deletionRequestedAt(accountId) != null) {
            throw new GatewayException(409, "invalid_request_error", "account_deletion_requested", null,
                    "This account is being deleted: it takes no new keys.", null);
        }
        if (accounts.keys(accountId).size() >= settings.maxKeysPerAccount()) {
            throw new GatewayException(409, "invalid_request_error", "too_many_keys", "name",
                    "An account may have at most " + settings.maxKeysPerAccount() + " keys.", null);
        }
        Accounts.NewKey created = accounts.createKey(accountId, spec);
        ObjectNode node = view(created.key(), null);
        node.put("key", created.secret());
        return ResponseEntity.status(HttpStatus.CREATED).body(node);
    }

    /** Revoked on the next request, on every instance. */
    @DeleteMapping("/{id}")
    public ObjectNode revoke(@PathVariable("id") String id) {
        String accountId = SessionUser.current().accountId();
        Accounts.Key key = accounts.key(id);
        if (!key.accountId().equals(accountId)) {
            throw Accounts.notFound("key", id);
        }
        return view(accounts.revoke(id), queries.keysLastUsed(accountId).get(id));
    }

    private ObjectNode view(Accounts.Key key, Instant lastUsed) {
        ObjectNode node = billingJson.key(key);
        node.remove("account_id");
        node.put("last_used_at", lastUsed == null ? null : lastUsed.toString());
        return node;
    }
}
