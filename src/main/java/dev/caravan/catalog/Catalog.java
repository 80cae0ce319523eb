package dev.caravan.catalog;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import dev.caravan.provider.ProtocolFeatures;
import dev.caravan.provider.ProviderAdapters;

/**
 * The validated, read-only view of {@link CatalogProperties}: model lookup by id or by
 * {@code provider/model}. Invalid configuration stops the start-up with a message naming the key (and
 * a reload is refused with it). Immutable: the one in effect is {@link CurrentCatalog#get()}.
 */
public class Catalog {

    static final Set<String> KNOWN_CAPABILITIES = Set.of("tools", "json_schema", "json_object", "vision",
            "streaming", "embeddings", "reasoning", "files", "audio_output");

    private final Map<String, CatalogModel> models = new LinkedHashMap<>();
    private final Map<String, Backend> backendsById = new LinkedHashMap<>();

    public Catalog(CatalogProperties properties, ProviderAdapters adapters) {
        validateProviders(properties, adapters.protocols());
        for (int i = 0; i < properties.models().size(); i++) {
            CatalogModel model = resolve(properties, properties.models().get(i), "caravan.models[" + i + "]", adapters);
            if (models.putIfAbsent(model.id(), model) != null) {
                throw new IllegalStateException("caravan.models[" + i + "].id: duplicate model id '" + model.id() + "'");
            }
            model.backends().forEach(b -> backendsById.putIfAbsent(b.id(), b));
        }
    }

    private static void validateProviders(CatalogProperties properties, Set<String> protocols) {
        properties.providers().forEach((name, provider) -> {
            String key = "caravan.providers." + name;
            if (!protocols.contains(provider.protocol())) {
                throw new IllegalStateException(key + ".protocol: unknown protocol '" + provider.protocol()
                        + "' (known: " + protocols + ")");
            }
            if (provider.baseUrl() == null || provider.baseUrl().isBlank()) {
                throw new IllegalStateException(key + ".base-url: required");
            }
            if (!provider.baseUrl().startsWith("http://") && !provider.baseUrl().startsWith("https://")
                    && !provider.isThisGateway()) {
                throw new IllegalStateException(key + ".base-url: must be an http(s) URL or a path on this gateway, got '"
                        + provider.baseUrl() + "'");
            }
            if (!CatalogProperties.Provider.MAX_TOKENS_FIELDS.contains(provider.maxTokensField())) {
                throw new IllegalStateException(key + ".max-tokens-field: must be one of " + CatalogProperties.Provider.MAX_TOKENS_FIELDS
                        + ", got '" + provider.maxTokensField() + "'");
            }
            validateBreaker(key + ".breaker", provider.breaker());
            validateFreeTier(key + ".free-tier", provider.freeTier());
            provider.failover().validate(key + ".failover");
        });
    }

    private static void validateBreaker(String key, CatalogProperties.Breaker breaker) {
        if (breaker.failureRateThreshold() <= 0 || breaker.failureRateThreshold() > 100) {
            throw new IllegalStateException(key + ".failure-rate-threshold: must be a percentage above 0 and at most 100");
        }
        if (breaker.slidingWindow() < 1 || breaker.minimumCalls() < 1 || breaker.halfOpenCalls() < 1) {
            throw new IllegalStateException(key + ": sliding-window, minimum-calls and half-open-calls must be at least 1");
        }
        if (breaker.waitInOpen().isNegative() || breaker.waitInOpen().isZero()) {
            throw new IllegalStateException(key + ".wait-in-open: must be a positive duration");
        }
    }

    private static void validateFreeTier(String key, CatalogProperties.FreeTier freeTier) {
        if (freeTier == null) {
            return;
        }
        for (Integer limit : new Integer[] {freeTier.requestsPerMinute(), freeTier.requestsPerDay(),
                freeTier.tokensPerMinute()}) {
            if (limit != null && limit < 1) {
                throw new IllegalStateException(key + ": limits must be positive (leave a limit out to not enforce it)");
            }
        }
    }

    /**
     * Amounts are not negative; tiers are complete prices of their own; tier and audio-answer prices
     * only where the protocol passes service_tier and audio requests on (else they would be charged
     * for what the provider never did).
     */
    private static void validatePrice(String key, Price price, ProtocolFeatures features) {
        if (price.amounts().anyMatch(amount -> amount.signum() < 0)) {
            throw new IllegalStateException(key + ": prices cannot be negative");
        }
        boolean priced = !price.serviceTiers().isEmpty() || price.audioOutput() != null;
        if (priced && !features.pricedFields()) {
            throw new IllegalStateException(key + ": service-tiers and audio-output prices need a protocol that "
                    + "passes service_tier and audio requests on (openai)");
        }
        price.serviceTiers().forEach((tier, tierPrice) -> {
            if (tierPrice == null || !tierPrice.serviceTiers().isEmpty() || tier.equals(Price.DEFAULT_TIER)) {
                throw new IllegalStateException(key + ".service-tiers." + tier + ": a tier other than '"
                        + Price.DEFAULT_TIER + "' with its own input and output prices, and no tiers of its own");
            }
            validatePrice(key + ".service-tiers." + tier, tierPrice, features);
        });
    }

    private static CatalogModel resolve(CatalogProperties properties, CatalogProperties.Model model, String key,
                                        ProviderAdapters adapters) {
        if (model.id() == null || model.id().isBlank()) {
            throw new IllegalStateException(key + ".id: required");
        }
        for (String capability : model.capabilities()) {
            if (!KNOWN_CAPABILITIES.contains(capability)) {
                throw new IllegalStateException(key + ".capabilities: unknown capability '" + capability
                        + "' (known: " + KNOWN_CAPABILITIES + ")");
            }
        }
        if (model.backends().isEmpty()) {
            throw new IllegalStateException(key + ".backends: at least one backend is required");
        }
        boolean embeddings = model.capabilities().contains("embeddings");
        if (Boolean.FALSE.equals(model.streaming()) && model.capabilities().contains("streaming")) {
            throw new IllegalStateException(key + ".streaming: false, but its capabilities list streaming");
        }
        // chat models stream unless the catalog says streaming: false; the capability is implied so that
        // a catalog written without it (as the documented example is) does not refuse stream: true
        boolean streams = !embeddings && !Boolean.FALSE.equals(model.streaming());
        Set<String> modelCapabilities = withStreaming(model.capabilities(), streams);
        List<Backend> backends = new ArrayList<>();
        for (int j = 0; j < model.backends().size(); j++) {
            CatalogProperties.Backend backend = model.backends().get(j);
            String backendKey = key + ".backends[" + j + "]";
            CatalogProperties.Provider provider = properties.providers().get(backend.provider());
            if (provider == null) {
                throw new IllegalStateException(backendKey + ".provider: unknown provider '" + backend.provider()
                        + "' (configured: " + properties.providers().keySet() + ")");
            }
            if (backend.model() == null || backend.model().isBlank()) {
                throw new IllegalStateException(backendKey + ".model: required");
            }
            Price price = backend.price() == null ? new Price(null, null, null) : backend.price();
            validatePrice(backendKey + ".price", price, adapters.forProtocol(provider.protocol()).features());
            List<ScheduledPrice> changes = priceChanges(backendKey, backend, provider.protocol(), adapters);
            // a backend's own list narrows the model's as written: one that leaves streaming out is
            // one the operator keeps streams away from
            Set<String> capabilities = backend.capabilities() == null ? modelCapabilities : backend.capabilities();
            if (!modelCapabilities.containsAll(capabilities)) {
                throw new IllegalStateException(backendKey + ".capabilities: a backend can only narrow the model's "
                        + "capabilities " + modelCapabilities + ", got " + capabilities);
            }
            backends.add(Backend.of(backend.provider(), provider, backend.model(), price, changes, capabilities,
                    model.maxOutputTokens()));
        }
        return new CatalogModel(model.id(), model.contextLength(), model.maxOutputTokens(), modelCapabilities,
                model.hedgeAfter(), List.copyOf(backends));
    }

    private static Set<String> withStreaming(Set<String> capabilities, boolean streams) {
        if (!streams || capabilities.contains("streaming")) {
            return capabilities;
        }
        Set<String> with = new java.util.HashSet<>(capabilities);
        with.add("streaming");
        return Set.copyOf(with);
    }

    /**
     * The announced prices, each validated like {@code price}, in strictly increasing date order.
     * Whether an increase comes with enough notice needs the database: {@code billing.PriceNotice}.
     */
    private static List<ScheduledPrice> priceChanges(String backendKey, CatalogProperties.Backend backend,
                                                     String protocol, ProviderAdapters adapters) {
        List<ScheduledPrice> changes = new ArrayList<>();
        String id = backend.provider() + "/" + backend.model();
        for (int k = 0; k < backend.priceChanges().size(); k++) {
            CatalogProperties.PriceChange change = backend.priceChanges().get(k);
            String key = backendKey + ".price-changes[" + k + "]";
            if (change == null) {
                throw new IllegalStateException(key + ": an effective date and a price");
            }
            Instant effective;
            try {
                effective = LocalDate.parse(String.valueOf(change.effective()).trim()).atStartOfDay(ZoneOffset.UTC).toInstant();
            } catch (DateTimeParseException e) {
                throw new IllegalStateException(key + ".effective: a date such as 2027-01-10 (from 00:00 UTC), got '"
                        + change.effective() + "'");
            }
            if (!changes.isEmpty() && !effective.isAfter(changes.get(changes.size() - 1).effective())) {
                throw new IllegalStateException(key + ".effective: the changes must be in date order, one per day");
            }
            Price price = change.price();
            validatePrice(key, price, adapters.forProtocol(protocol).features());
            changes.add(new ScheduledPrice(effective, price, PriceVersion.of(id, price)));
        }
        return changes;
    }

    /**
     * A model by the name a client sends: a catalog id, or {@code provider/model} naming one backend
     * directly (served with that backend's catalog entry: its price and limits).
     */
    public Optional<CatalogModel> find(String requested) {
        CatalogModel model = models.get(requested);
        if (model != null) {
            return Optional.of(model);
        }
        Backend backend = backendsById.get(requested);
        if (backend == null) {
            return Optional.empty();
        }
        CatalogModel owner = models.values().stream()
                .filter(m -> m.backends().contains(backend)).findFirst().orElseThrow();
        return Optional.of(new CatalogModel(requested, owner.contextLength(), owner.maxOutputTokens(),
                owner.capabilities(), owner.hedgeAfter(), List.of(backend)));
    }

    public Collection<CatalogModel> models() {
        return models.values();
    }

    /**
     * When the next announced price after {@code moment} takes effect, on any model's backend
     * ({@link Instant#MAX} when none is announced): what is built from prices is good until then.
     */
    public Instant nextPriceChangeAfter(Instant moment) {
        return models.values().stream().flatMap(model -> model.backends().stream())
                .flatMap(backend -> backend.priceChanges().stream()).map(ScheduledPrice::effective)
                .filter(effective -> effective.isAfter(moment)).min(Instant::compareTo).orElse(Instant.MAX);
    }

    /** Every backend once, in catalog order. */
    public Collection<Backend> backends() {
        return backendsById.values();
    }
}
