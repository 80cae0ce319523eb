package dev.caravan.catalog;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caravan.api.GatewayException;
import dev.caravan.api.RequestContext;
import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;

/**
 * {@code GET /v1/models} and {@code GET /v1/models/{id}}: the OpenAI list and model shapes, plus per model its pricing (USD per token, from the
 * cheapest backend, as OpenRouter reports it), context length, capabilities and backends. Only what
 * can be called is listed: backends whose provider has no key configured are left out, and so are
 * models left without a backend. Prices are the ones in effect now; announced ones follow with their
 * dates ({@code upcoming_pricing}, {@code upcoming_prices}). Built once, and again when an announced
 * price takes effect or a reload of the catalog puts another one in effect.
 */
@Component("modelList")
public class ModelList {

    private static final String RETRIEVE_PREFIX = "/v1/models/";

    private final CurrentCatalog catalog;
    private final ObjectMapper json;
    private final Clock clock;
    private volatile Snapshot snapshot;

    /** The list of one catalog as of one moment, valid until the next announced price takes effect. */
    private record Snapshot(Catalog catalog, byte[] body, Map<String, byte[]> entries, Instant validUntil) {
    }

    public ModelList(CurrentCatalog catalog, ObjectMapper json, Clock clock) throws IOException {
        this.catalog = catalog;
        this.json = json;
        this.clock = clock;
        this.snapshot = build(clock.instant());
    }

    /** The current snapshot: rebuilt only when a price change or a reload has happened since the last one. */
    private Snapshot current() {
        Snapshot current = snapshot;
        Instant now = clock.instant();
        if (now.isBefore(current.validUntil()) && current.catalog() == catalog.get()) {
            return current;
        }
        try {
            current = build(now);
        } catch (IOException e) {
            throw new IllegalStateException("the model list could not be written", e);
        }
        snapshot = current;
        return current;
    }

    private Snapshot build(Instant now) throws IOException {
        Catalog catalog = this.catalog.get();
        ObjectNode root = json.createObjectNode();
        root.put("object", "list");
        ArrayNode data = root.putArray("data");
        for (CatalogModel catalogModel : catalog.models()) {
            CatalogModel model = catalogModel.pricedAt(now);
            List<Backend> usable = model.callableBackends();
            if (!usable.isEmpty()) {
                describe(data.addObject(), model, usable);
            }
        }
        Map<String, byte[]> entries = new HashMap<>();
        for (var entry : data) {
            entries.put(entry.path("id").asText(), json.writeValueAsBytes(entry));
        }
        return new Snapshot(catalog, json.writeValueAsBytes(root), entries, catalog.nextPriceChangeAfter(now));
    }

    private static void describe(ObjectNode entry, CatalogModel model, List<Backend> usable) {
        entry.put("id", model.id());
        entry.put("object", "model");
        entry.put("created", 0);
        entry.put("owned_by", "caravan");
        if (model.contextLength() != null) {
            entry.put("context_length", model.contextLength());
        }
        if (model.maxOutputTokens() != null) {
            entry.put("max_output_tokens", model.maxOutputTokens());
        }
        ArrayNode capabilities = entry.putArray("capabilities");
        model.capabilities().stream().sorted().forEach(capabilities::add);
        Backend cheapest = usable.stream().min(java.util.Comparator.comparing(
                b -> b.price().input().add(b.price().output()))).orElseThrow();
        pricing(entry.putObject("pricing"), cheapest.price());
        if (!cheapest.priceChanges().isEmpty()) {
            // the announced prices of the backend that pricing describes, per token like pricing
            ArrayNode upcoming = entry.putArray("upcoming_pricing");
            for (ScheduledPrice change : cheapest.priceChanges()) {
                ObjectNode next = upcoming.addObject();
                next.put("effective_at", change.effective().toString());
                pricing(next, change.price());
            }
        }
        ArrayNode backends = entry.putArray("backends");
        for (Backend backend : usable) {
            ObjectNode b = backends.addObject();
            b.put("id", backend.id());
            b.put("provider", backend.providerName());
            b.put("free", backend.price().isFree());
            perMillion(b.putObject("price_per_million"), backend.price());
            b.put("price_version", backend.priceVersion());
            if (!backend.priceChanges().isEmpty()) {
                ArrayNode upcoming = b.putArray("upcoming_prices");
                for (ScheduledPrice change : backend.priceChanges()) {
                    ObjectNode next = upcoming.addObject();
                    next.put("effective_at", change.effective().toString());
                    perMillion(next.putObject("price_per_million"), change.price());
                    next.put("price_version", change.version());
                }
            }
        }
    }

    private static void pricing(ObjectNode pricing, Price price) {
        pricing.set("prompt", perToken(price.input()));
        pricing.set("completion", perToken(price.output()));
        pricing.set("input_cache_read", perToken(price.cachedInput()));
        pricing.set("input_cache_write", perToken(price.cacheWrite()));
    }

    private static void perMillion(ObjectNode node, Price price) {
        node.set("input", DecimalNode.valueOf(price.input()));
        node.set("output", DecimalNode.valueOf(price.output()));
        node.set("cached_input", DecimalNode.valueOf(price.cachedInput()));
        node.set("cache_write", DecimalNode.valueOf(price.cacheWrite()));
    }

    private static DecimalNode perToken(BigDecimal perMillion) {
        BigDecimal value = perMillion.movePointLeft(6).stripTrailingZeros();
        return DecimalNode.valueOf(value.signum() == 0 ? BigDecimal.ZERO : value);
    }

    public byte[] body() {
        return current().body();
    }

    /**
     * One model, by the id in the request's path (read from the servlet request: message headers are
     * the client's). A model the list leaves out (no backend with credentials) is unknown here too.
     */
    public byte[] retrieve(Exchange exchange) {
        String path = RequestContext.httpRequest(exchange, "modelList.retrieve").getRequestURI();
        String id = URLDecoder.decode(path.substring(path.indexOf(RETRIEVE_PREFIX) + RETRIEVE_PREFIX.length()),
                StandardCharsets.UTF_8);
        byte[] entry = current().entries().get(id);
        if (entry == null) {
            throw GatewayException.modelNotFound(id);
        }
        return entry;
    }
}
