package dev.caravan.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caravan.dashboard.AccountDeletions;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The operator's side of account deletion: delete an account (as its owner can from the dashboard)
 * and list the deletions whose erasure is still to come (docs/dashboard.md, "Account deletion").
 */
@RestController
@RequestMapping(path = "/admin", produces = "application/json")
public class DeletionsAdminController {

    private final AccountDeletions deletions;
    private final ObjectMapper json;

    public DeletionsAdminController(AccountDeletions deletions, ObjectMapper json) {
        this.deletions = deletions;
        this.json = json;
    }

    /** 202: the account is closed now, its personal data erased by the deletion job. Idempotent. */
    @PostMapping("/accounts/{id}/deletion")
    public ResponseEntity<ObjectNode> delete(@PathVariable("id") String accountId) {
        ObjectNode node = json.createObjectNode().put("object", "account_deletion").put("account_id", accountId)
                .put("deletion_requested_at", deletions.request(accountId).toString());
        return ResponseEntity.status(HttpStatus.ACCEPTED).body(node);
    }

    @GetMapping("/deletions")
    public ObjectNode pending() {
        ObjectNode node = json.createObjectNode().put("object", "list");
        ArrayNode data = node.putArray("data");
        for (AccountDeletions.Pending pending : deletions.pending()) {
            data.addObject().put("account_id", pending.accountId())
                    .put("deletion_requested_at", pending.requestedAt().toString())
                    .put("erase_by", pending.eraseBy().toString());
        }
        return node;
    }
}
