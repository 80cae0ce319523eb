package dev.caravan.catalog;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import dev.caravan.provider.ProviderAdapters;
import org.springframework.stereotype.Component;

/**
 * The validated, read-only view of {@link CatalogProperties}: model lookup by id or by
 * {@code provider/model}. Invalid configuration stops the start-up with a message naming the key.
 */
@Component
public class Catalog {

    static final Set<String> KNOWN_CAPABILITIES = Set.of("tools", "json_schema", "json_object", "vision",
            "streaming", "embeddings", "reasoning");

    private final Map<String, CatalogModel> models = new LinkedHashMap<>();
    private final Map<String, Backend> backendsById = new LinkedHashMap<>();

    public Catalog(CatalogProperties properties, ProviderAdapters adapters) {
        validateProviders(properties, adapters.protocols());
        for (int i = 0; i < properties.models().size(); i++) {
            CatalogModel model = resolve(properties, properties.models().get(i), "caravan.models[" + i + "]");
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
                    && !provider.baseUrl().startsWith("/")) {
                throw new IllegalStateException(key + ".base-url: must be an http(s) URL or a path on this gateway, got '"
                        + provider.baseUrl() + "'");
            }
        });
    }

    private static CatalogModel resolve(CatalogProperties properties, CatalogProperties.Model model, String key) {
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
            if (price.input().signum() < 0 || price.output().signum() < 0 || price.cachedInput().signum() < 0
                    || price.cacheWrite().signum() < 0) {
                throw new IllegalStateException(backendKey + ".price: prices cannot be negative");
            }
            backends.add(Backend.of(backend.provider(), provider, backend.model(), price, model.maxOutputTokens()));
        }
        return new CatalogModel(model.id(), model.contextLength(), model.maxOutputTokens(), model.capabilities(),
                List.copyOf(backends));
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
                owner.capabilities(), List.of(backend)));
    }

    public Collection<CatalogModel> models() {
        return models.values();
    }
}
