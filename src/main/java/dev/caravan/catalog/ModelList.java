package dev.caravan.catalog;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
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
 * models left without a backend. Built once: the catalog does not change while the gateway runs.
 */
@Component("modelList")
public class ModelList {

    private static final String RETRIEVE_PREFIX = "/v1/models/";

    private final byte[] body;
    /** Each listed model's entry, as in the list: retrieve and list never disagree. */
    private final Map<String, byte[]> entries = new HashMap<>();

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
        for (var entry : data) {
            entries.put(entry.path("id").asText(), json.writeValueAsBytes(entry));
        }
    }

    private static DecimalNode perToken(BigDecimal perMillion) {
        BigDecimal value = perMillion.movePointLeft(6).stripTrailingZeros();
        return DecimalNode.valueOf(value.signum() == 0 ? BigDecimal.ZERO : value);
    }

    public byte[] body() {
        return body;
    }

    /**
     * One model, by the id in the request's path (read from the servlet request: message headers are
     * the client's). A model the list leaves out (no backend with credentials) is unknown here too.
     */
    public byte[] retrieve(Exchange exchange) {
        String path = RequestContext.httpRequest(exchange, "modelList.retrieve").getRequestURI();
        String id = URLDecoder.decode(path.substring(path.indexOf(RETRIEVE_PREFIX) + RETRIEVE_PREFIX.length()),
                StandardCharsets.UTF_8);
        byte[] entry = entries.get(id);
        if (entry == null) {
            throw GatewayException.modelNotFound(id);
        }
        return entry;
    }
}
