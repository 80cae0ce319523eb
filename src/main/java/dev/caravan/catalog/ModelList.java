package dev.caravan.catalog;

import java.io.IOException;
import java.math.BigDecimal;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.springframework.stereotype.Component;

/**
 * {@code GET /v1/models}: the OpenAI list shape, plus per model its pricing (USD per token, from the
 * cheapest backend, as OpenRouter reports it), context length, capabilities and backends. Only what
 * can be called is listed: backends whose provider has no key configured are left out, and so are
 * models left without a backend. Built once: the catalog does not change while the gateway runs.
 */
@Component("modelList")
public class ModelList {

    private final byte[] body;

    public ModelList(Catalog catalog, ObjectMapper json) throws IOException {
        ObjectNode root = json.createObjectNode();
        root.put("object", "list");
        ArrayNode data = root.putArray("data");
        for (CatalogModel model : catalog.models()) {
            List<Backend> usable = model.callableBackends();
            if (usable.isEmpty()) {
                continue;
            }
            ObjectNode entry = data.addObject();
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
            Price cheapest = CatalogModel.cheapest(usable).orElseThrow();
            ObjectNode pricing = entry.putObject("pricing");
            pricing.set("prompt", perToken(cheapest.input()));
            pricing.set("completion", perToken(cheapest.output()));
            pricing.set("input_cache_read", perToken(cheapest.cachedInput()));
            pricing.set("input_cache_write", perToken(cheapest.cacheWrite()));
            ArrayNode backends = entry.putArray("backends");
            for (Backend backend : usable) {
                ObjectNode b = backends.addObject();
                b.put("id", backend.id());
                b.put("provider", backend.providerName());
                b.put("free", backend.price().isFree());
                ObjectNode price = b.putObject("price_per_million");
                price.set("input", DecimalNode.valueOf(backend.price().input()));
                price.set("output", DecimalNode.valueOf(backend.price().output()));
                price.set("cached_input", DecimalNode.valueOf(backend.price().cachedInput()));
                price.set("cache_write", DecimalNode.valueOf(backend.price().cacheWrite()));
            }
        }
        this.body = json.writeValueAsBytes(root);
    }

    private static DecimalNode perToken(BigDecimal perMillion) {
        BigDecimal value = perMillion.movePointLeft(6).stripTrailingZeros();
        return DecimalNode.valueOf(value.signum() == 0 ? BigDecimal.ZERO : value);
    }

    public byte[] body() {
        return body;
    }
}
