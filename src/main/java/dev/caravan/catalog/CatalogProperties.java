package dev.caravan.catalog;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Providers, models and prices, bound from {@code config/models.yaml} (the contract shape in
 * docs/configuration.md). Checked for consistency by {@link Catalog} at startup.
 */
@ConfigurationProperties("caravan")
public record CatalogProperties(Map<String, Provider> providers, List<Model> models) {

    public CatalogProperties {
        providers = providers == null ? Map.of() : providers;
        models = models == null ? List.of() : models;
    }

    /**
     * An upstream API. {@code keyless} marks servers that need no key (local Ollama, vLLM, the demo
     * provider); any other provider with a blank {@code api-key} is treated as not configured.
     */
    public record Provider(
            @DefaultValue("openai") String protocol,
            String baseUrl,
            String apiKey,
            @DefaultValue("false") boolean keyless,
            @DefaultValue("60s") Duration responseTimeout,
            Map<String, String> headers) {

        public Provider {
            headers = headers == null ? Map.of() : headers;
        }

        public boolean hasCredentials() {
            return keyless || (apiKey != null && !apiKey.isBlank());
        }
    }

    public record Model(
            String id,
            Integer contextLength,
            Integer maxOutputTokens,
            Set<String> capabilities,
            List<Backend> backends) {

        public Model {
            capabilities = capabilities == null ? Set.of() : Set.copyOf(capabilities);
            backends = backends == null ? List.of() : backends;
        }
    }

    public record Backend(String provider, String model, Price price) {
    }
}
