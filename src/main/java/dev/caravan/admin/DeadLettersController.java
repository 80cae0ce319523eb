package dev.caravan.admin;

import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caravan.api.ClientInput;
import dev.caravan.api.GatewayException;
import dev.caravan.billing.Ledger;
import dev.caravan.billing.SettlementDeadLetters;
import dev.caravan.metering.UsageRecord;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The settlement dead letters (docs/billing.md): usage records the database refused for good, their
 * holds still open. An operator lists them and, once the cause is fixed, settles one again.
 */
@RestController
@RequestMapping(path = "/admin/dead-letters", produces = "application/json")
public class DeadLettersController {

    private final SettlementDeadLetters deadLetters;
    private final Ledger ledger;
    private final ObjectMapper json;

    public DeadLettersController(SettlementDeadLetters deadLetters, Ledger ledger, ObjectMapper json) {
        this.deadLetters = deadLetters;
        this.ledger = ledger;
        this.json = json;
    }

    @GetMapping
    public ObjectNode list(@RequestParam(name = "limit", defaultValue = "100") int limit) {
        if (limit < 1 || limit > 1000) {
            throw GatewayException.invalidRequest("limit", "'limit' must be an integer from 1 to 1000.");
        }
        ObjectNode page = json.createObjectNode().put("object", "list");
        ArrayNode data = page.putArray("data");
        for (SettlementDeadLetters.DeadLetter each : deadLetters.list(limit)) {
            data.addObject().put("request_id", each.requestId()).put("account_id", each.accountId())
                    .put("failure", each.failure()).put("created_at", each.createdAt().toString());
        }
        return page;
    }

    /** Settles the request again from its kept usage record; 409 while the database still refuses it. */
    @PostMapping("/{requestId}/retry")
    public ObjectNode retry(@PathVariable("requestId") String requestId) {
        UsageRecord usage = (ClientInput.isId(requestId) ? deadLetters.record(requestId) : Optional.<UsageRecord>empty())
                .orElseThrow(() -> new GatewayException(404, "invalid_request_error", "not_found", "request_id",
                        "No dead letter for that request id.", null));
        List<Ledger.Settled> settled = ledger.settle(List.of(usage));
        if (settled.isEmpty() && !deadLetters.isSettled(requestId)) {
            throw new GatewayException(409, "invalid_request_error", "settlement_refused", "request_id",
                    "The database still refuses the settlement of request '" + requestId + "'; it stays a dead letter.",
                    null);
        }
        deadLetters.resolve(requestId);
        return json.createObjectNode().put("request_id", requestId).put("settled", true);
    }
}
