package dev.caravan.routing;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import dev.caravan.api.ClientRequest;
import dev.caravan.api.GatewayException;
import dev.caravan.api.Operation;
import dev.caravan.catalog.Backend;
import dev.caravan.catalog.Catalog;
import dev.caravan.catalog.CatalogModel;
import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;

/**
 * The price-lookup step: resolves the requested model and orders its backends, cheapest first
 * (free tiers therefore first). Refuses what no backend of the model can serve.
 */
@Component("planner")
public class Planner {

    private static final Comparator<Backend> CHEAPEST_FIRST = Comparator.comparing(
            (Backend b) -> b.price().input().add(b.price().output()));

    private final Catalog catalog;

    public Planner(Catalog catalog) {
        this.catalog = catalog;
    }

    /** Sets the {@code plan} and the {@code backend} to call first. */
    public void plan(Exchange exchange) {
        ClientRequest request = exchange.getVariable("clientRequest", ClientRequest.class);
        Plan plan = plan(request);
        exchange.setVariable("plan", plan);
        exchange.setVariable("modelId", plan.model().id());
        exchange.setVariable("backend", plan.candidates().get(0));
        exchange.setVariable("backendId", plan.candidates().get(0).id());
    }

    Plan plan(ClientRequest request) {
        CatalogModel model = catalog.find(request.model())
                .orElseThrow(() -> GatewayException.modelNotFound(request.model()));
        Set<String> missing = new LinkedHashSet<>(requiredCapabilities(request));
        missing.removeAll(model.capabilities());
        if (!missing.isEmpty()) {
            throw GatewayException.invalidRequest("model", "The model '" + model.id() + "' does not support "
                    + String.join(", ", missing) + ".");
        }
        List<Backend> candidates = new ArrayList<>();
        for (Backend backend : model.backends()) {
            if (backend.provider().hasCredentials()) {
                candidates.add(backend);
            }
        }
        if (candidates.isEmpty()) {
            throw GatewayException.noBackend("No backend of '" + model.id()
                    + "' is available: none of its providers has an api-key configured.");
        }
        candidates.sort(CHEAPEST_FIRST);
        return new Plan(model, List.copyOf(candidates));
    }

    private static Set<String> requiredCapabilities(ClientRequest request) {
        Set<String> needed = new LinkedHashSet<>();
        if (request.operation() == Operation.EMBEDDINGS) {
            needed.add("embeddings");
            return needed;
        }
        JsonNode body = request.body();
        if (body.path("tools").size() > 0) {
            needed.add("tools");
        }
        String format = body.path("response_format").path("type").asText("");
        if (format.equals("json_schema")) {
            needed.add("json_schema");
        }
        for (JsonNode message : body.path("messages")) {
            for (JsonNode part : message.path("content")) {
                if ("image_url".equals(part.path("type").asText())) {
                    needed.add("vision");
                }
            }
        }
        return needed;
    }
}
