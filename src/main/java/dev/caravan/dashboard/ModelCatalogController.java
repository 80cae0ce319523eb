package dev.caravan.dashboard;

import java.io.IOException;
import java.math.BigDecimal;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caravan.catalog.Backend;
import dev.caravan.catalog.Catalog;
import dev.caravan.catalog.CatalogModel;
import dev.caravan.catalog.Price;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/models}: the public catalogue the Models page shows, in the dashboard's own shape
 * (docs/dashboard.md): prices per 1M tokens as configured, not per token as {@code /v1/models} gives
 * them to SDKs. Lists what {@code /v1/models} lists (models with a callable backend). A model's
 * {@code pricing} is its cheapest paid backend's: what a caller pays once the free tiers are used up.
 * Built once: the catalog does not change while the gateway runs.
 */
@RestController
public class ModelCatalogController {

    private final byte[] body;

    public ModelCatalogController(Catalog catalog, ObjectMapper json) throws IOException {
        ObjectNode root = json.createObjectNode();
        root.put("object", "list");
        ArrayNode data = root.putArray("data");
        for (CatalogModel model : catalog.models()) {
            List<Backend> callable = model.callableBackends();
            if (!callable.isEmpty()) {
                describe(data.addObject(), model, callable);
            }
        }
        this.body = json.writeValueAsBytes(root);
    }

    @GetMapping(path = "/api/models", produces = MediaType.APPLICATION_JSON_VALUE)
    public byte[] models() {
        return body;
    }

    private static void describe(ObjectNode entry, CatalogModel model, List<Backend> callable) {
        entry.put("id", model.id());
        entry.put("context_length", model.contextLength());
        entry.put("max_output_tokens", model.maxOutputTokens());
        ArrayNode capabilities = entry.putArray("capabilities");
        model.capabilities().stream().sorted().forEach(capabilities::add);
        modalities(entry.putObject("modalities"), model.capabilities());
        List<Backend> paid = callable.stream().filter(b -> !b.isFreeTier()).toList();
        Price pricing = CatalogModel.cheapest(paid.isEmpty() ? callable : paid).orElseThrow();
        price(entry.putObject("pricing"), pricing);
        entry.put("free_tier", callable.stream().anyMatch(Backend::isFreeTier));
        ArrayNode backends = entry.putArray("backends");
        for (Backend backend : callable) {
            ObjectNode node = backends.addObject();
            node.put("provider", backend.providerName());
            node.put("free_tier", backend.isFreeTier());
            price(node.putObject("price"), backend.price());
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
