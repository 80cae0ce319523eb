package dev.caravan.auth;

import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import dev.caravan.api.ClientRequest;
import dev.caravan.api.FlowVariables;
import dev.caravan.api.GatewayException;
import dev.caravan.catalog.Backend;
import dev.caravan.catalog.Catalog;
import dev.caravan.catalog.CurrentCatalog;
import dev.caravan.catalog.CatalogModel;
import dev.caravan.routing.Plan;
import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;

/**
 * The step after planning that holds a key to its model scope ({@code models} of the key, catalog
 * model ids; none: every model). Every model the request names counts, each entry of a {@code models}
 * fallback list included, whether or not it would be reached; a {@code provider/model} id is in scope
 * when a model of the scope lists that backend. Every backend of the plan is checked too, so that no
 * way of naming a model reaches one outside the scope.
 */
@Component("modelScope")
public class ModelScope {

    private static final String STEP = "modelScope.check";

    private final CurrentCatalog catalog;

    public ModelScope(CurrentCatalog catalog) {
        this.catalog = catalog;
    }

    /** Route step: 403 {@code model_not_allowed} naming the first model outside the caller's scope. */
    public void check(Exchange exchange) {
        Caller caller = FlowVariables.CALLER.require(exchange, STEP);
        Set<String> scope = caller.models();
        if (scope == null) {
            return;
        }
        ClientRequest request = FlowVariables.CLIENT_REQUEST.require(exchange, STEP);
        Plan plan = FlowVariables.PLAN.require(exchange, STEP);
        // one catalog for the whole check, as for the plan: a reload meanwhile changes neither half
        Catalog catalog = this.catalog.get();
        checkName(catalog, scope, request.model(), "model");
        JsonNode fallbacks = request.body().path("models");
        for (JsonNode fallback : fallbacks) {
            if (fallback.isTextual()) {
                checkName(catalog, scope, fallback.asText(), "models");
            }
        }
        for (Backend backend : plan.candidates()) {
            if (!listedInScope(catalog, scope, backend.id())) {
                throw notAllowed(backend.id(), "model");
            }
        }
    }

    private static void checkName(Catalog catalog, Set<String> scope, String name, String param) {
        if (!scope.contains(name) && !listedInScope(catalog, scope, name)) {
            throw notAllowed(name, param);
        }
    }

    private static boolean listedInScope(Catalog catalog, Set<String> scope, String backendId) {
        for (String modelId : scope) {
            CatalogModel model = catalog.find(modelId).orElse(null);
            if (model != null && model.backends().stream().anyMatch(backend -> backend.id().equals(backendId))) {
                return true;
            }
        }
        return false;
    }

    private static GatewayException notAllowed(String model, String param) {
        return new GatewayException(403, "permission_error", "model_not_allowed", param,
                "This API key may not use the model '" + model + "'.", null);
    }
}
