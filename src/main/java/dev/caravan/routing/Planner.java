package dev.caravan.routing;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.OptionalDouble;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import dev.caravan.api.ClientRequest;
import dev.caravan.api.FlowVariables;
import dev.caravan.api.GatewayException;
import dev.caravan.api.Operation;
import dev.caravan.catalog.Backend;
import dev.caravan.catalog.Catalog;
import dev.caravan.catalog.CurrentCatalog;
import dev.caravan.catalog.CatalogModel;
import dev.caravan.catalog.Price;
import dev.caravan.metering.PromptTokens;
import dev.caravan.metering.TokenCounter;
import dev.caravan.provider.ProviderAdapters;
import org.apache.camel.Exchange;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The price-lookup step: resolves the requested model (and a {@code models} fallback list), keeps the
 * backends that can serve this request (capabilities, context length, credentials, the request's
 * {@code provider} preferences) and orders them, by default by effective price for this request, so
 * free tiers come first. Whether a backend is available right now (breaker, free-tier quota) is the
 * dispatcher's call, made when it gets to that backend.
 */
@Component("planner")
public class Planner {

    private final CurrentCatalog catalog;
    private final TokenCounter tokens;
    private final BackendStats stats;
    private final ProviderAdapters adapters;
    private final ClientHedging clientHedging;
    private final long expectedOutputTokens;
    private final Clock clock;

    public Planner(CurrentCatalog catalog, TokenCounter tokens, BackendStats stats, ProviderAdapters adapters,
                   ClientHedging clientHedging,
                   @Value("${caravan.routing.expected-output-tokens:500}") long expectedOutputTokens, Clock clock) {
        this.catalog = catalog;
        this.tokens = tokens;
        this.stats = stats;
        this.adapters = adapters;
        this.clientHedging = clientHedging;
        this.expectedOutputTokens = expectedOutputTokens;
        this.clock = clock;
    }

    /** Route step: sets the {@code plan}. */
    public void plan(Exchange exchange) {
        Plan plan = plan(FlowVariables.CLIENT_REQUEST.require(exchange, "planner.plan"));
        FlowVariables.PLAN.set(exchange, plan);
        FlowVariables.MODEL_ID.set(exchange, plan.model().id());
    }

    Plan plan(ClientRequest request) {
        RouteControls controls = RouteControls.from(request.body());
        Duration clientHedge = controls.hedgeAfter() == null || controls.hedgeAfter().isZero() ? null
                : clientHedging.allow(controls.hedgeAfter());
        List<CatalogModel> requested = resolve(request.model(), controls.models());
        PromptTokens prompt = request.operation() == Operation.EMBEDDINGS
                ? tokens.embeddingInput(request.body().get("input"))
                : tokens.prompt(request.body());
        Set<String> needed = requiredCapabilities(request);
        Exclusions excluded = new Exclusions();
        List<Backend> candidates = new ArrayList<>();
        List<CatalogModel> serving = new ArrayList<>();
        for (CatalogModel model : requested) {
            if (!modelCanServe(model, needed, prompt, excluded)) {
                continue;
            }
            List<Backend> backends = eligibleBackends(model, request, needed, controls, excluded);
            if (backends.size() > 1) {
                // only an order by price needs the prompt counted
                backends.sort(order(controls, prompt.estimate(), request));
            }
            if (!controls.allowFallbacks()) {
                backends = withoutFallbacks(backends, controls);
            }
            if (!backends.isEmpty()) {
                candidates.addAll(backends);
                serving.add(model);
            }
        }
        if (candidates.isEmpty()) {
            throw excluded.failure(requested);
        }
        return new Plan(requested.get(0), List.copyOf(candidates), List.copyOf(serving), prompt,
                clientHedge != null ? clientHedge : hedgeAfter(controls, requested.get(0)), clientHedge != null);
    }

    private List<CatalogModel> resolve(String model, List<String> fallbacks) {
        Set<String> names = new LinkedHashSet<>();
        names.add(model);
        names.addAll(fallbacks);
        List<CatalogModel> models = new ArrayList<>();
        // one moment and one catalog for the whole request: its plan, hold and charge all use the
        // prices then in effect, whatever a reload of the catalog puts in effect meanwhile
        Instant now = clock.instant();
        Catalog current = catalog.get();
        for (String name : names) {
            models.add(current.find(name).orElseThrow(() -> GatewayException.modelNotFound(name)).pricedAt(now));
        }
        return models;
    }

    private static boolean modelCanServe(CatalogModel model, Set<String> needed, PromptTokens prompt, Exclusions excluded) {
        Set<String> missing = new LinkedHashSet<>(needed);
        missing.removeAll(model.capabilities());
        if (!missing.isEmpty()) {
            excluded.clientMistake("The model '" + model.id() + "' does not support " + String.join(", ", missing) + ".");
            return false;
        }
        // the bound settles nearly every request; a prompt near the context length is counted
        if (model.contextLength() != null && prompt.atMost() > model.contextLength()
                && prompt.estimate() > model.contextLength()) {
            excluded.contextTooLong("The prompt (about " + prompt.estimate() + " tokens) exceeds the context length of '"
                    + model.id() + "' (" + model.contextLength() + " tokens).");
            return false;
        }
        return true;
    }

    private List<Backend> eligibleBackends(CatalogModel model, ClientRequest request, Set<String> needed,
                                           RouteControls controls, Exclusions excluded) {
        List<Backend> eligible = new ArrayList<>();
        for (Backend backend : model.backends()) {
            Mismatch mismatch = mismatch(backend, request);
            if (mismatch != null) {
                excluded.requestField(mismatch.param(), backend.id() + ": " + mismatch.why());
                continue;
            }
            String why = exclusion(backend, needed, controls);
            if (why != null) {
                excluded.backend(backend.id() + ": " + why);
                continue;
            }
            eligible.add(backend);
        }
        return eligible;
    }

    /** A request field, named by {@code param}, that this backend cannot honour (or price). */
    private record Mismatch(String param, String why) {
    }

    private Mismatch mismatch(Backend backend, ClientRequest request) {
        int maxChoices = adapters.forProtocol(backend.provider().protocol()).features().maxChoices();
        if (request.choices() > maxChoices) {
            return new Mismatch("n", "its protocol '" + backend.provider().protocol() + "' returns at most "
                    + maxChoices + " answer" + (maxChoices == 1 ? "" : "s") + " per request (n=" + request.choices() + ")");
        }
        Price price = backend.price().forTier(request.priced().serviceTier());
        if (price == null) {
            return new Mismatch("service_tier", "its price lists no '" + request.priced().serviceTier()
                    + "' service tier");
        }
        if (request.priced().audioOutput() && price.audioOutput() == null) {
            return new Mismatch("modalities", "its price lists no audio-output price");
        }
        return null;
    }

    /** Why a backend cannot take this request, or null when it can. */
    private static String exclusion(Backend backend, Set<String> needed, RouteControls controls) {
        if (!backend.provider().hasCredentials()) {
            return "its provider has no api-key configured";
        }
        if (!backend.capabilities().containsAll(needed)) {
            Set<String> missing = new LinkedHashSet<>(needed);
            missing.removeAll(backend.capabilities());
            return "does not support " + String.join(", ", missing);
        }
        if (!controls.only().isEmpty() && !controls.only().contains(backend.providerName())) {
            return "not in provider.only";
        }
        if (controls.ignore().contains(backend.providerName())) {
            return "in provider.ignore";
        }
        if (controls.maxPrompt() != null && backend.price().input().compareTo(controls.maxPrompt()) > 0) {
            return "input price " + backend.price().input().toPlainString() + " is above provider.max_price.prompt";
        }
        if (controls.maxCompletion() != null && backend.price().output().compareTo(controls.maxCompletion()) > 0) {
            return "output price " + backend.price().output().toPlainString() + " is above provider.max_price.completion";
        }
        return null;
    }

    /** provider.order first (in its order), then the requested sort, then the effective price. */
    private Comparator<Backend> order(RouteControls controls, long promptTokens, ClientRequest request) {
        long output = (request.maxTokens() != null ? request.maxTokens() : expectedOutputTokens) * request.choices();
        Comparator<Backend> byPrice = Comparator.comparing(
                b -> effectivePrice(b.price().forTier(request.priced().serviceTier()), promptTokens, output));
        Comparator<Backend> bySort = switch (controls.sort()) {
            case PRICE -> byPrice;
            case LATENCY -> measured(stats::latencyMillis, false).thenComparing(byPrice);
            case THROUGHPUT -> measured(stats::tokensPerSecond, true).thenComparing(byPrice);
        };
        if (controls.order().isEmpty()) {
            return bySort;
        }
        return Comparator.<Backend>comparingInt(b -> {
            int position = controls.order().indexOf(b.providerName());
            return position < 0 ? Integer.MAX_VALUE : position;
        }).thenComparing(bySort);
    }

    /** What this request would cost at a backend's price, in USD per million (only the order matters). */
    static BigDecimal effectivePrice(Price price, long promptTokens, long outputTokens) {
        return price.input().multiply(BigDecimal.valueOf(promptTokens))
                .add(price.output().multiply(BigDecimal.valueOf(outputTokens)));
    }

    /** Measured backends first, best first; unmeasured ones after, left to the next criterion. */
    private static Comparator<Backend> measured(java.util.function.Function<String, OptionalDouble> metric,
                                                boolean higherIsBetter) {
        return Comparator.comparingDouble(b -> {
            OptionalDouble value = metric.apply(b.id());
            if (value.isEmpty()) {
                return Double.MAX_VALUE;
            }
            return higherIsBetter ? -value.getAsDouble() : value.getAsDouble();
        });
    }

    private static List<Backend> withoutFallbacks(List<Backend> ordered, RouteControls controls) {
        if (controls.order().isEmpty()) {
            return ordered.isEmpty() ? ordered : new ArrayList<>(ordered.subList(0, 1));
        }
        return new ArrayList<>(ordered.stream().filter(b -> controls.order().contains(b.providerName())).toList());
    }

    /** The model's hedging (the operator's), unless the request turned it off with 0. */
    private static Duration hedgeAfter(RouteControls controls, CatalogModel model) {
        Duration hedge = controls.hedgeAfter() != null ? controls.hedgeAfter() : model.hedgeAfter();
        return hedge == null || hedge.isZero() ? null : hedge;
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
                switch (part.path("type").asText()) {
                    case "image_url" -> needed.add("vision");
                    // no header tells a file's size in tokens: only models the operator vouches for take them
                    case "file" -> needed.add("files");
                    default -> { }
                }
            }
        }
        if (request.stream()) {
            needed.add("streaming");
        }
        if (request.priced().audioOutput()) {
            needed.add("audio_output");
        }
        return needed;
    }

    /** Why models and backends were left out, to explain a request nothing can serve. */
    private static final class Exclusions {
        private final List<String> clientMistakes = new ArrayList<>();
        private final List<String> contextTooLong = new ArrayList<>();
        private final List<String> backends = new ArrayList<>();
        private final List<String> requestFields = new ArrayList<>();
        private String firstField;

        void clientMistake(String why) {
            clientMistakes.add(why);
        }

        void contextTooLong(String why) {
            contextTooLong.add(why);
        }

        void backend(String why) {
            backends.add(why);
        }

        void requestField(String param, String why) {
            firstField = firstField == null ? param : firstField;
            requestFields.add(why);
        }

        /**
         * 400 when the request asks what none of its models or backends can do (naming the field);
         * 503 when configuration or preferences leave nothing.
         */
        GatewayException failure(List<CatalogModel> requested) {
            String models = requested.stream().map(m -> "'" + m.id() + "'").reduce((a, b) -> a + ", " + b).orElse("");
            List<String> reasons = new ArrayList<>(clientMistakes);
            reasons.addAll(contextTooLong);
            reasons.addAll(requestFields);
            if (!backends.isEmpty()) {
                reasons.addAll(backends);
                return GatewayException.noBackend("No backend of " + models + " can serve this request: "
                        + String.join("; ", reasons) + ".");
            }
            if (!requestFields.isEmpty()) {
                return GatewayException.invalidRequest(firstField, "No backend of " + models
                        + " can honour '" + firstField + "': " + String.join("; ", reasons) + ".");
            }
            if (clientMistakes.isEmpty()) {
                return new GatewayException(400, "invalid_request_error", "context_length_exceeded", "messages",
                        String.join(" ", contextTooLong), null);
            }
            List<String> mistakes = new ArrayList<>(clientMistakes);
            mistakes.addAll(contextTooLong);
            return GatewayException.invalidRequest("model", String.join(" ", mistakes));
        }
    }
}
