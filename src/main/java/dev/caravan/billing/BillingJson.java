package dev.caravan.billing;

import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.springframework.stereotype.Component;

/** JSON views of accounts, keys and usage for the admin and caller APIs. Amounts are USD numbers. */
@Component
public class BillingJson {

    private final ObjectMapper json;

    public BillingJson(ObjectMapper json) {
        this.json = json;
    }

    public ObjectNode account(Accounts.Account account) {
        ObjectNode node = json.createObjectNode();
        node.put("id", account.id()).put("object", "account").put("name", account.name()).put("email", account.email());
        money(node, "balance", account.balance());
        money(node, "held", account.held());
        money(node, "available", account.available());
        money(node, "total_credits", account.totalCredits());
        money(node, "total_usage", account.totalUsage());
        money(node, "total_refunds", account.totalRefunds());
        money(node, "total_uncollected", account.totalUncollected());
        node.put("created_at", account.createdAt().toString());
        return node;
    }

    public ObjectNode key(Accounts.Key key) {
        ObjectNode node = json.createObjectNode();
        node.put("id", key.id()).put("object", "api_key").put("account_id", key.accountId()).put("name", key.name())
                .put("prefix", key.prefix());
        if (key.rpmLimit() == null) {
            node.putNull("rpm_limit");
        } else {
            node.put("rpm_limit", key.rpmLimit());
        }
        money(node, "spend_limit", key.spendLimit());
        money(node, "spent", key.spent());
        money(node, "held", key.held());
        money(node, "limit_remaining", key.spendLimit() == null ? null
                : key.spendLimit().subtract(key.spent()).subtract(key.held()).max(BigDecimal.ZERO));
        if (key.maxConcurrentRequests() == null) {
            node.putNull("max_concurrent_requests");
        } else {
            node.put("max_concurrent_requests", key.maxConcurrentRequests());
        }
        if (key.models() == null) {
            node.putNull("models");
        } else {
            key.models().stream().sorted().forEach(node.putArray("models")::add);
        }
        node.put("expires_at", key.expiresAt() == null ? null : key.expiresAt().toString());
        node.put("revoked_at", key.revokedAt() == null ? null : key.revokedAt().toString());
        node.put("created_at", key.createdAt().toString());
        return node;
    }

    public ObjectNode usageRecord(Map<String, Object> row) {
        ObjectNode node = json.createObjectNode();
        node.put("id", (String) row.get("request_id"));
        node.put("object", "generation");
        node.put("created_at", instant(row.get("created_at")).toString());
        node.put("key_id", (String) row.get("key_id"));
        node.put("model", (String) row.get("model"));
        node.put("backend", (String) row.get("backend"));
        node.put("provider", (String) row.get("provider"));
        node.put("upstream_model", (String) row.get("upstream_model"));
        node.put("prompt_tokens", ((Number) row.get("prompt_tokens")).longValue());
        node.put("completion_tokens", ((Number) row.get("completion_tokens")).longValue());
        node.put("cached_tokens", ((Number) row.get("cached_tokens")).longValue());
        node.put("tokens_estimated", (Boolean) row.get("tokens_estimated"));
        money(node, "cost", (BigDecimal) row.get("cost"));
        // beyond the hold: delivered, not charged (docs/billing.md)
        money(node, "uncollected", (BigDecimal) row.get("uncollected"));
        node.put("settlement", (String) row.get("settlement"));
        // the prices the cost was computed at (docs/billing.md, "Price versions"); null: not known
        node.put("price_version", (String) row.get("price_version"));
        node.put("streamed", (Boolean) row.get("streamed"));
        node.put("cancelled", (Boolean) row.get("cancelled"));
        node.put("finish_reason", (String) row.get("finish_reason"));
        node.put("status", ((Number) row.get("status")).intValue());
        node.put("latency_ms", ((Number) row.get("latency_ms")).longValue());
        return node;
    }

    public ObjectNode usagePage(UsageQueries.Page page) {
        ObjectNode node = json.createObjectNode();
        node.put("object", "list");
        ArrayNode data = node.putArray("data");
        page.records().forEach(row -> data.add(usageRecord(row)));
        node.put("has_more", page.hasMore());
        if (page.hasMore()) {
            node.put("next_cursor", String.valueOf(page.records().get(page.records().size() - 1).get("seq")));
        } else {
            node.putNull("next_cursor");
        }
        ArrayNode daily = node.putArray("daily");
        for (Map<String, Object> day : page.daily()) {
            ObjectNode d = daily.addObject();
            d.put("date", date(day.get("usage_day")).toString());
            d.put("requests", ((Number) day.get("requests")).longValue());
            d.put("prompt_tokens", ((Number) day.get("prompt_tokens")).longValue());
            d.put("completion_tokens", ((Number) day.get("completion_tokens")).longValue());
            money(d, "cost", (BigDecimal) day.get("cost"));
        }
        return node;
    }

    public ObjectNode list(List<ObjectNode> items) {
        ObjectNode node = json.createObjectNode();
        node.put("object", "list");
        node.putArray("data").addAll(items);
        return node;
    }

    public ObjectNode data(ObjectNode inner) {
        ObjectNode node = json.createObjectNode();
        node.set("data", inner);
        return node;
    }

    public ObjectNode object() {
        return json.createObjectNode();
    }

    public static void money(ObjectNode node, String field, BigDecimal amount) {
        if (amount == null) {
            node.putNull(field);
        } else {
            node.set(field, DecimalNode.valueOf(Money.json(amount)));
        }
    }

    private static Instant instant(Object value) {
        if (value instanceof Timestamp ts) {
            return ts.toInstant();
        }
        if (value instanceof java.time.OffsetDateTime odt) {
            return odt.toInstant();
        }
        return Instant.parse(value.toString());
    }

    private static LocalDate date(Object value) {
        if (value instanceof java.sql.Date d) {
            return d.toLocalDate();
        }
        if (value instanceof LocalDate d) {
            return d;
        }
        return LocalDate.parse(value.toString().substring(0, 10));
    }
}
