package dev.caravan.catalog;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.ConstructorBinding;
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
     *
     * @param responseTimeout  longest silence on an open upstream connection (also mid-stream)
     * @param connectTimeout   time to open the TCP (and TLS) connection
     * @param firstByteTimeout time from sending the request to the upstream's answer starting; past it
     *                         the next candidate is tried. Defaults to {@code responseTimeout}.
     * @param freeTier         the provider's free quota, tracked by the gateway; null for paid providers
     * @param maxTokensField   where an {@code openai}-protocol provider reads the output limit:
     *                         {@code max_tokens} or {@code max_completion_tokens} (OpenAI's reasoning
     *                         models refuse {@code max_tokens})
     * @param failover         which failed attempts move on to the next candidate; what it leaves out
     *                         comes from {@code caravan.routing.failover} ({@link FailoverSettings})
     */
    public record Provider(
            @DefaultValue("openai") String protocol,
            String baseUrl,
            String apiKey,
            @DefaultValue("false") boolean keyless,
            @DefaultValue("60s") Duration responseTimeout,
            @DefaultValue("5s") Duration connectTimeout,
            Duration firstByteTimeout,
            Map<String, String> headers,
            FreeTier freeTier,
            @DefaultValue Breaker breaker,
            @DefaultValue("max_tokens") String maxTokensField,
            FailoverSettings failover) {

        /** The values of {@code max-tokens-field}. */
        public static final List<String> MAX_TOKENS_FIELDS = List.of("max_tokens", "max_completion_tokens");

        // the other constructor is for code: the configuration binds all the fields
        @ConstructorBinding
        public Provider {
            headers = headers == null ? Map.of() : headers;
            firstByteTimeout = firstByteTimeout == null ? responseTimeout : firstByteTimeout;
            failover = failover == null ? new FailoverSettings(null, null, null) : failover;
        }

        public Provider(String protocol, String baseUrl, String apiKey, boolean keyless, Duration responseTimeout,
                        Duration connectTimeout, Duration firstByteTimeout, Map<String, String> headers,
                        FreeTier freeTier, Breaker breaker, String maxTokensField) {
            this(protocol, baseUrl, apiKey, keyless, responseTimeout, connectTimeout, firstByteTimeout, headers,
                    freeTier, breaker, maxTokensField, null);
        }

        public boolean hasCredentials() {
            return keyless || (apiKey != null && !apiKey.isBlank());
        }

        /** A base-url that is a path ({@code /demo/v1}): the provider is this gateway itself. */
        public boolean isThisGateway() {
            return baseUrl != null && baseUrl.startsWith("/");
        }
    }

    /** Limits of a free tier; a limit left out is not enforced. Windows are calendar minutes and UTC days. */
    public record FreeTier(Integer requestsPerMinute, Integer requestsPerDay, Integer tokensPerMinute) {
    }

    /**
     * The circuit breaker of each of the provider's backends: it opens when at least
     * {@code minimumCalls} of the last {@code slidingWindow} calls were made and
     * {@code failureRateThreshold} percent of them failed; after {@code waitInOpen},
     * {@code halfOpenCalls} probe calls decide whether it closes again.
     */
    public record Breaker(
            @DefaultValue("50") float failureRateThreshold,
            @DefaultValue("20") int slidingWindow,
            @DefaultValue("5") int minimumCalls,
            @DefaultValue("30s") Duration waitInOpen,
            @DefaultValue("1") int halfOpenCalls) {
    }

    /**
     * @param hedgeAfter when set, a request whose first candidate has not started answering after this
     *                   long is also sent to the next candidate; the first to answer wins
     * @param streaming  {@code false}: the model refuses {@code stream: true}. Unset, a chat model streams
     *                   (the {@code streaming} capability is implied); an embeddings model never does
     */
    public record Model(
            String id,
            Integer contextLength,
            Integer maxOutputTokens,
            Set<String> capabilities,
            Duration hedgeAfter,
            List<Backend> backends,
            Boolean streaming) {

        // the other constructor is for code: the configuration binds all the fields
        @ConstructorBinding
        public Model {
            capabilities = capabilities == null ? Set.of() : Set.copyOf(capabilities);
            backends = backends == null ? List.of() : backends;
        }

        public Model(String id, Integer contextLength, Integer maxOutputTokens, Set<String> capabilities,
                     Duration hedgeAfter, List<Backend> backends) {
            this(id, contextLength, maxOutputTokens, capabilities, hedgeAfter, backends, null);
        }
    }

    /**
     * @param capabilities what this backend supports when less than the model; null: all of the model's
     * @param priceChanges announced prices and the day each takes effect; an increase needs notice
     *                     (docs/billing.md, "Price changes")
     */
    public record Backend(String provider, String model, Price price, Set<String> capabilities,
                          List<PriceChange> priceChanges) {

        @ConstructorBinding
        public Backend {
            priceChanges = priceChanges == null ? List.of() : priceChanges;
        }

        public Backend(String provider, String model, Price price, Set<String> capabilities) {
            this(provider, model, price, capabilities, null);
        }
    }

    /**
     * A price written like {@code price}, and the day it takes effect: {@code effective} is an ISO
     * date ({@code 2027-01-10}), from 00:00 UTC that day.
     */
    public record PriceChange(String effective, BigDecimal input, BigDecimal output, BigDecimal cachedInput,
                              BigDecimal cacheWrite, BigDecimal audioInput, BigDecimal audioOutput,
                              Map<String, Price> serviceTiers) {

        public Price price() {
            return new Price(input, output, cachedInput, cacheWrite, audioInput, audioOutput, serviceTiers);
        }
    }
}
