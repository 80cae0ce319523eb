package dev.caravan.dashboard;

import java.io.IOException;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caravan.catalog.Backend;
import dev.caravan.catalog.Catalog;
import dev.caravan.catalog.CurrentCatalog;
import dev.caravan.catalog.CatalogModel;
import dev.caravan.catalog.Price;
import dev.caravan.catalog.ScheduledPrice;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/models}: the public catalogue the Models page shows, in the dashboard's own shape
 * (docs/dashboard.md): prices per 1M tokens as configured, not per token as {@code /v1/models} gives
 * them to SDKs. Lists what {@code /v1/models} lists (models with a callable backend). A model's
 * {@code pricing} is its cheapest paid backend's: what a caller pays once the free tiers are used up.
 * Prices are those in effect now, each backend's announced prices follow under {@code upcoming} with
 * the day they take effect. Built once, and again when an announced price takes effect or a reload
 * puts another catalog in effect.
 */
@RestController
public class ModelCatalogController {

    private final CurrentCatalog catalog;
    private final ObjectMapper json;
    private final Clock clock;
    private volatile Built built;

    /** The body of one catalog as of one moment, valid until the next announced price takes effect. */
    private record Built(Catalog catalog, byte[] body, Instant validUntil) {
    }

    public ModelCatalogController(CurrentCatalog catalog, ObjectMapper json, Clock clock) throws IOException {
        this.catalog = catalog;
        this.json = json;
        this.clock = clock;
        this.built = build(clock.instant());
    }

    @GetMapping(path = "/api/models", produces = MediaType.APPLICATION_JSON_VALUE)
    public byte[] models() throws IOException {
        Built current = built;
        Instant now = clock.instant();
        if (!now.isBefore(current.validUntil()) || current.catalog() != catalog.get()) {
            current = build(now);
            built = current;
        }
        return current.body();
    }

    private Built build(Instant now) throws IOException {
        Catalog catalog = this.catalog.get();
        ObjectNode root = json.createObjectNode();
        root.put("object", "list");
        ArrayNode data = root.putArray("data");
        for (CatalogModel catalogModel : catalog.models()) {
            CatalogModel model = catalogModel.pricedAt(now);
            List<Backend> callable = model.callableBackends();
            if (!callable.isEmpty()) {
                describe(data.addObject(), model, callable);
            }
        }
        return new Built(catalog, json.writeValueAsBytes(root), catalog.nextPriceChangeAfter(now));
    }

    private static void describe(ObjectNode entry, CatalogModel model, List<Backend> callable) {
        entry.put("id", model.id());
        entry.put("context_length", model.contextLength());
        entry.put("max_output_tokens", model.maxOutputTokens());
        ArrayNode capabilities = entry.putArray("capabilities");
        model.capabilities().stream().sorted().forEach(capabilities::add);
        modalities(entry.putObject("modalities"), model.capabilities());
        List<Backend> paid = callable.stream().filter(b -> !b.isFreeTier()).toList();
        Backend priced = (paid.isEmpty() ? callable : paid).stream()
                .min(Comparator.comparing(b -> b.price().input().add(b.price().output()))).orElseThrow();
        price(entry.putObject("pricing"), priced.price());
        upcoming(entry, "upcoming_pricing", priced);
        entry.put("free_tier", callable.stream().anyMatch(Backend::isFreeTier));
        ArrayNode backends = entry.putArray("backends");
        for (Backend backend : callable) {
            ObjectNode node = backends.addObject();
            node.put("provider", backend.providerName());
            node.put("free_tier", backend.isFreeTier());
            price(node.putObject("price"), backend.price());
            upcoming(node, "upcoming", backend);
        }
    }

    /** A backend's announced prices, with the day each takes effect (from 00:00 UTC). */
    private static void upcoming(ObjectNode node, String field, Backend backend) {
        if (backend.priceChanges().isEmpty()) {
            return;
        }
        ArrayNode upcoming = node.putArray(field);
        for (ScheduledPrice change : backend.priceChanges()) {
            ObjectNode next = upcoming.addObject();
            next.put("effective", LocalDate.ofInstant(change.effective(), ZoneOffset.UTC).toString());
            price(next.putObject("price"), change.price());
        }
    }

    /** What a model takes and gives, from its capabilities (the catalog has no separate field). */
    private static void modalities(ObjectNode node, Set<String> capabilities) {
        ArrayNode input = node.putArray("input");
        input.add("text");
        if (capabilities.contains("vision")) {
            input.add("image");
        }
        if (capabilities.contains("files")) {
            input.add("file");
        }
        ArrayNode output = node.putArray("output");
        if (capabilities.contains("embeddings")) {
            output.add("embeddings");
        } else {
            output.add("text");
        }
        if (capabilities.contains("audio_output")) {
            output.add("audio");
        }
    }

    private static void price(ObjectNode node, Price price) {
        node.set("input", plain(price.input()));
        node.set("output", plain(price.output()));
        node.set("cached_input", plain(price.cachedInput()));
    }

    /** 2.50 as 2.5 and 10.00 as 10 (not 1E+1): the amount as a person would write it. */
    private static DecimalNode plain(BigDecimal amount) {
        BigDecimal stripped = amount.stripTrailingZeros();
        return DecimalNode.valueOf(stripped.scale() < 0 ? stripped.setScale(0) : stripped);
    }
}
