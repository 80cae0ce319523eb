package dev.caravan.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caravan.billing.Ledger;
import dev.caravan.billing.Money;
import dev.caravan.metering.UsageRecord;
import org.springframework.stereotype.Component;

/**
 * The usage event, version {@value #SCHEMA_VERSION}, as documented in docs/billing-events.md: one per
 * settled request, metadata only. Field names follow {@code GET /v1/usage}. A new field may be added
 * within a version; renaming, removing or changing the meaning of one makes a new version.
 */
@Component
public class UsageEventJson {

    public static final int SCHEMA_VERSION = 1;

    /** The price version of a charge made without the request's usage (a swept hold). */
    static final String UNKNOWN_PRICE_VERSION = "unknown";

    private final ObjectMapper json;

    public UsageEventJson(ObjectMapper json) {
        this.json = json;
    }

    /** A settled request's event: {@code cost} is what the ledger debited. */
    public String toJson(Ledger.Settled settled) {
        UsageRecord usage = settled.usage();
        ObjectNode event = json.createObjectNode();
        event.put("event_id", usage.requestId());
        event.put("schema_version", SCHEMA_VERSION);
        event.put("type", "usage");
        event.put("time", usage.createdAt().toString());
        event.put("account_id", usage.accountId());
        event.put("key_id", usage.keyId());
        event.put("model", usage.requestedModel());
        event.put("backend", usage.backendId());
        event.put("provider", usage.provider());
        event.put("upstream_model", usage.upstreamModel());
        event.put("prompt_tokens", usage.tokens().promptTokens());
        event.put("completion_tokens", usage.tokens().completionTokens());
        event.put("cached_tokens", usage.tokens().cachedTokens());
        event.put("tokens_estimated", usage.tokens().estimated());
        event.set("cost", DecimalNode.valueOf(Money.json(settled.charged())));
        // the cost at catalog prices beyond the request's hold: delivered by the upstream, not charged
        event.set("uncollected", DecimalNode.valueOf(Money.json(settled.uncollected())));
        event.put("currency", "USD");
        event.put("settlement", settled.settlement());
        // what the request was charged at (its usage row says the same), not what the catalog says now
        event.put("price_version", usage.priceVersion() == null ? UNKNOWN_PRICE_VERSION : usage.priceVersion());
        event.put("streamed", usage.streamed());
        event.put("cancelled", usage.cancelled());
        event.put("finish_reason", usage.finishReason());
        event.put("status", usage.status());
        event.put("latency_ms", usage.latencyMillis());
        // upstream calls made, the one that answered included: a settled request had at least that one
        event.put("attempts", Math.max(1, usage.attempts().size()));
        try {
            return json.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("usage event of " + usage.requestId() + " not serializable", e);
        }
    }
}
