package dev.caravan.catalog;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caravan.provider.ProviderAdapters;
import dev.caravan.provider.anthropic.AnthropicAdapter;
import dev.caravan.provider.openai.OpenAiAdapter;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The catalog refuses inconsistent configuration at startup with a message that names the bad key. */
class CatalogTest {

    private static final ProviderAdapters ADAPTERS = new ProviderAdapters(List.of(new OpenAiAdapter(new ObjectMapper()),
            new AnthropicAdapter()));
    private static final Price PRICE = new Price(new BigDecimal("2.50"), new BigDecimal("10"), null);

    @Test
    void findsAModelByItsCatalogId() {
        Catalog catalog = new Catalog(properties(Map.of("acme", provider("https://api.acme.test/v1")),
                model("chat", Set.of("tools", "streaming"), backend("acme", "acme-large"))), ADAPTERS);

        CatalogModel chat = catalog.find("chat").orElseThrow();

        assertThat(chat.id()).isEqualTo("chat");
        assertThat(chat.capabilities()).containsExactlyInAnyOrder("tools", "streaming");
        assertThat(chat.backends()).singleElement().satisfies(backend -> {
            assertThat(backend.id()).isEqualTo("acme/acme-large");
            assertThat(backend.providerName()).isEqualTo("acme");
            assertThat(backend.upstreamModel()).isEqualTo("acme-large");
            assertThat(backend.price()).isEqualTo(PRICE);
        });
        assertThat(catalog.find("nope")).isEmpty();
    }

    @Test
    void findsOneBackendByProviderSlashModelWithItsOwnersLimitsAndCapabilities() {
        Map<String, CatalogProperties.Provider> providers = new LinkedHashMap<>();
        providers.put("cheap", provider("https://cheap.test/v1"));
        providers.put("fast", provider("https://fast.test/v1"));
        CatalogProperties.Model chat = new CatalogProperties.Model("chat", 128_000, 4096, Set.of("tools"),
                null, List.of(backend("cheap", "small"), backend("fast", "turbo")));
        Catalog catalog = new Catalog(new CatalogProperties(providers, List.of(chat)), ADAPTERS);

        CatalogModel direct = catalog.find("fast/turbo").orElseThrow();

        assertThat(direct.id()).isEqualTo("fast/turbo");
        assertThat(direct.backends()).extracting(Backend::id).containsExactly("fast/turbo");
        assertThat(direct.contextLength()).isEqualTo(128_000);
        assertThat(direct.maxOutputTokens()).isEqualTo(4096);
        // a chat model streams unless the catalog says otherwise
        assertThat(direct.capabilities()).containsExactlyInAnyOrder("tools", "streaming");
        assertThat(catalog.find("fast/small")).isEmpty();
    }

    @Test
    void streamingIsImpliedForChatModelsAndRefusedWhereTheCatalogSaysSo() {
        Map<String, CatalogProperties.Provider> providers = Map.of("acme", provider("https://api.acme.test/v1"));
        CatalogProperties.Model noStreams = new CatalogProperties.Model("batch", null, null, Set.of("tools"), null,
                List.of(backend("acme", "b")), false);
        Catalog catalog = new Catalog(properties(providers, model("chat", Set.of(), backend("acme", "c")),
                model("embed", Set.of("embeddings"), backend("acme", "e")), noStreams), ADAPTERS);
        assertThat(catalog.find("chat").orElseThrow().capabilities()).containsExactly("streaming");
        assertThat(catalog.find("chat").orElseThrow().backends().get(0).capabilities()).containsExactly("streaming");
        assertThat(catalog.find("embed").orElseThrow().capabilities()).containsExactly("embeddings");
        assertThat(catalog.find("batch").orElseThrow().capabilities()).containsExactly("tools");

        CatalogProperties.Model contradicts = new CatalogProperties.Model("x", null, null, Set.of("streaming"), null,
                List.of(backend("acme", "x")), false);
        assertThatThrownBy(() -> new Catalog(properties(providers, contradicts), ADAPTERS))
                .hasMessage("caravan.models[0].streaming: false, but its capabilities list streaming");
    }

    @Test
    void keepsModelsInConfigurationOrder() {
        Catalog catalog = new Catalog(properties(Map.of("acme", provider("https://api.acme.test/v1")),
                model("b", Set.of(), backend("acme", "one")), model("a", Set.of(), backend("acme", "two"))), ADAPTERS);

        assertThat(catalog.models()).extracting(CatalogModel::id).containsExactly("b", "a");
    }

    @Test
    void acceptsAPathOnTheGatewayAsBaseUrl() {
        Catalog catalog = new Catalog(properties(Map.of("demo", provider("/demo/v1")),
                model("demo", Set.of(), backend("demo", "caravan-demo"))), ADAPTERS);

        assertThat(catalog.find("demo")).isPresent();
    }

    @Test
    void refusesABackendOfAnUnknownProvider() {
        CatalogProperties properties = properties(Map.of("acme", provider("https://api.acme.test/v1")),
                model("chat", Set.of(), backend("acmee", "acme-large")));

        assertThatThrownBy(() -> new Catalog(properties, ADAPTERS))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("caravan.models[0].backends[0].provider")
                .hasMessageContaining("'acmee'");
    }

    @Test
    void namesTheIndexOfTheOffendingModelAndBackend() {
        CatalogProperties properties = properties(Map.of("acme", provider("https://api.acme.test/v1")),
                model("first", Set.of(), backend("acme", "a")),
                model("second", Set.of(), backend("acme", "b"), backend("missing", "c")));

        assertThatThrownBy(() -> new Catalog(properties, ADAPTERS))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("caravan.models[1].backends[1].provider");
    }

    @Test
    void refusesAnUnknownProtocol() {
        CatalogProperties properties = properties(
                Map.of("claude", provider("anthropic-v0", "https://api.anthropic.test")),
                model("chat", Set.of(), backend("claude", "sonnet")));

        assertThatThrownBy(() -> new Catalog(properties, ADAPTERS))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("caravan.providers.claude.protocol")
                .hasMessageContaining("'anthropic-v0'")
                .hasMessageContaining("openai");
    }

    @Test
    void refusesAProviderWithoutBaseUrl() {
        CatalogProperties properties = properties(Map.of("acme", provider(null)),
                model("chat", Set.of(), backend("acme", "acme-large")));

        assertThatThrownBy(() -> new Catalog(properties, ADAPTERS))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("caravan.providers.acme.base-url");
    }

    @Test
    void refusesABlankBaseUrl() {
        CatalogProperties properties = properties(Map.of("acme", provider("  ")),
                model("chat", Set.of(), backend("acme", "acme-large")));

        assertThatThrownBy(() -> new Catalog(properties, ADAPTERS))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("caravan.providers.acme.base-url");
    }

    @Test
    void refusesABaseUrlThatIsNeitherHttpNorAPath() {
        CatalogProperties properties = properties(Map.of("acme", provider("api.acme.test/v1")),
                model("chat", Set.of(), backend("acme", "acme-large")));

        assertThatThrownBy(() -> new Catalog(properties, ADAPTERS))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("caravan.providers.acme.base-url")
                .hasMessageContaining("'api.acme.test/v1'");
    }

    @Test
    void refusesAnOutputLimitFieldOtherThanOpenAisTwo() {
        CatalogProperties.Provider provider = new CatalogProperties.Provider("openai", "https://api.acme.test/v1", "key",
                false, Duration.ofSeconds(60), Duration.ofSeconds(5), null, null, null,
                new CatalogProperties.Breaker(50, 20, 5, Duration.ofSeconds(30), 1), "max_output_tokens");
        CatalogProperties properties = properties(Map.of("acme", provider), model("chat", Set.of(), backend("acme", "m")));

        assertThatThrownBy(() -> new Catalog(properties, ADAPTERS))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("caravan.providers.acme.max-tokens-field: must be one of [max_tokens, max_completion_tokens], "
                        + "got 'max_output_tokens'");
    }

    @Test
    void acceptsServiceTierAndAudioPricesOnlyWhereTheProtocolPassesThoseRequestsOn() {
        Price tiered = new Price(BigDecimal.ONE, BigDecimal.TWO, null, null, null, new BigDecimal("80"),
                Map.of("priority", new Price(BigDecimal.TWO, BigDecimal.TEN, null)));
        Catalog catalog = new Catalog(properties(Map.of("acme", provider("https://api.acme.test/v1")),
                model("chat", Set.of(), new CatalogProperties.Backend("acme", "m", tiered, null))), ADAPTERS);
        assertThat(catalog.find("chat").orElseThrow().backends().get(0).price().forTier("priority").output())
                .isEqualByComparingTo("10");

        CatalogProperties anthropic = properties(Map.of("claude", provider("anthropic", "https://api.anthropic.test")),
                model("chat", Set.of(), new CatalogProperties.Backend("claude", "m", tiered, null)));
        assertThatThrownBy(() -> new Catalog(anthropic, ADAPTERS))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("caravan.models[0].backends[0].price: service-tiers and audio-output prices need");

        Price negativeTier = new Price(BigDecimal.ONE, BigDecimal.TWO, null, null, null, null,
                Map.of("flex", new Price(new BigDecimal("-1"), BigDecimal.ONE, null)));
        CatalogProperties negative = properties(Map.of("acme", provider("https://api.acme.test/v1")),
                model("chat", Set.of(), new CatalogProperties.Backend("acme", "m", negativeTier, null)));
        assertThatThrownBy(() -> new Catalog(negative, ADAPTERS))
                .hasMessage("caravan.models[0].backends[0].price.service-tiers.flex: prices cannot be negative");
    }

    @Test
    void pricesABackendAtTheChangeInEffectAtEachMoment() {
        CatalogProperties.Backend changing = new CatalogProperties.Backend("acme", "acme-large", PRICE, null, List.of(
                change("2027-01-10", "3"), change("2027-02-10", "1")));
        Backend backend = new Catalog(properties(Map.of("acme", provider("https://api.acme.test/v1")),
                model("chat", Set.of(), changing)), ADAPTERS).find("chat").orElseThrow().backends().get(0);

        Backend before = backend.pricedAt(java.time.Instant.parse("2027-01-09T23:59:59Z"));
        assertThat(before.price()).isEqualTo(PRICE);
        assertThat(before.priceChanges()).hasSize(2);
        Backend first = backend.pricedAt(java.time.Instant.parse("2027-01-10T00:00:00Z"));
        assertThat(first.price().input()).isEqualByComparingTo("3");
        assertThat(first.priceChanges()).hasSize(1);
        assertThat(first.priceVersion()).isNotEqualTo(before.priceVersion()).matches("[0-9a-f]{12}");
        assertThat(backend.pricedAt(java.time.Instant.parse("2030-01-01T00:00:00Z")).priceChanges()).isEmpty();
    }

    @Test
    void refusesPriceChangesWithoutADateOrOutOfOrder() {
        Map<String, CatalogProperties.Provider> providers = Map.of("acme", provider("https://api.acme.test/v1"));
        assertThatThrownBy(() -> new Catalog(properties(providers, model("chat", Set.of(), new CatalogProperties.Backend(
                "acme", "m", PRICE, null, List.of(change("10/01/2027", "3"))))), ADAPTERS))
                .hasMessage("caravan.models[0].backends[0].price-changes[0].effective: a date such as 2027-01-10 "
                        + "(from 00:00 UTC), got '10/01/2027'");
        assertThatThrownBy(() -> new Catalog(properties(providers, model("chat", Set.of(), new CatalogProperties.Backend(
                "acme", "m", PRICE, null, List.of(change("2027-02-10", "3"), change("2027-02-10", "4"))))), ADAPTERS))
                .hasMessage("caravan.models[0].backends[0].price-changes[1].effective: the changes must be in date "
                        + "order, one per day");
        assertThatThrownBy(() -> new Catalog(properties(providers, model("chat", Set.of(), new CatalogProperties.Backend(
                "acme", "m", PRICE, null, List.of(change("2027-02-10", "-1"))))), ADAPTERS))
                .hasMessage("caravan.models[0].backends[0].price-changes[0]: prices cannot be negative");
    }

    @Test
    void aVersionNamesThePricesAndKeepsTheValuesPublishedBeforeOtherComponentsCounted() {
        // unchanged from the hash of input, output and cached-input that usage events carried before
        assertThat(dev.caravan.catalog.PriceVersion.canonical("acme/m", PRICE))
                .isEqualTo("acme/m|input=2.5|output=10|cached-input=2.5");
        Price withCacheWrite = new Price(new BigDecimal("2.50"), new BigDecimal("10"), null, new BigDecimal("3.75"));
        assertThat(dev.caravan.catalog.PriceVersion.of("acme/m", withCacheWrite))
                .isNotEqualTo(dev.caravan.catalog.PriceVersion.of("acme/m", PRICE));
        assertThat(dev.caravan.catalog.PriceVersion.of("acme/m", new Price(new BigDecimal("2.5000"), new BigDecimal("10.0"), null)))
                .isEqualTo(dev.caravan.catalog.PriceVersion.of("acme/m", PRICE));
    }

    private static CatalogProperties.PriceChange change(String effective, String input) {
        return new CatalogProperties.PriceChange(effective, new BigDecimal(input), new BigDecimal("10"), null, null, null,
                null, null);
    }

    @Test
    void refusesANegativePrice() {
        CatalogProperties.Backend negativeOutput = new CatalogProperties.Backend("acme", "acme-large",
                new Price(new BigDecimal("1"), new BigDecimal("-0.01"), null), null);
        CatalogProperties properties = properties(Map.of("acme", provider("https://api.acme.test/v1")),
                model("chat", Set.of(), negativeOutput));

        assertThatThrownBy(() -> new Catalog(properties, ADAPTERS))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("caravan.models[0].backends[0].price");
    }

    @Test
    void refusesANegativeCachedInputPrice() {
        CatalogProperties.Backend negativeCached = new CatalogProperties.Backend("acme", "acme-large",
                new Price(new BigDecimal("1"), new BigDecimal("2"), new BigDecimal("-1")), null);
        CatalogProperties properties = properties(Map.of("acme", provider("https://api.acme.test/v1")),
                model("chat", Set.of(), negativeCached));

        assertThatThrownBy(() -> new Catalog(properties, ADAPTERS))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("caravan.models[0].backends[0].price");
    }

    @Test
    void treatsAMissingPriceAsFree() {
        Catalog catalog = new Catalog(properties(Map.of("acme", provider("https://api.acme.test/v1")),
                model("chat", Set.of(), new CatalogProperties.Backend("acme", "acme-large", null, null))), ADAPTERS);

        assertThat(catalog.find("chat").orElseThrow().backends().get(0).price().isFree()).isTrue();
    }

    @Test
    void refusesADuplicateModelId() {
        CatalogProperties properties = properties(Map.of("acme", provider("https://api.acme.test/v1")),
                model("chat", Set.of(), backend("acme", "a")), model("chat", Set.of(), backend("acme", "b")));

        assertThatThrownBy(() -> new Catalog(properties, ADAPTERS))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("caravan.models[1].id")
                .hasMessageContaining("'chat'");
    }

    @Test
    void refusesAnUnknownCapability() {
        CatalogProperties properties = properties(Map.of("acme", provider("https://api.acme.test/v1")),
                model("chat", Set.of("tools", "telepathy"), backend("acme", "a")));

        assertThatThrownBy(() -> new Catalog(properties, ADAPTERS))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("caravan.models[0].capabilities")
                .hasMessageContaining("'telepathy'");
    }

    @Test
    void refusesAModelWithoutId() {
        CatalogProperties properties = properties(Map.of("acme", provider("https://api.acme.test/v1")),
                model(" ", Set.of(), backend("acme", "a")));

        assertThatThrownBy(() -> new Catalog(properties, ADAPTERS))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("caravan.models[0].id");
    }

    @Test
    void refusesAModelWithoutBackends() {
        CatalogProperties properties = properties(Map.of("acme", provider("https://api.acme.test/v1")),
                model("chat", Set.of()));

        assertThatThrownBy(() -> new Catalog(properties, ADAPTERS))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("caravan.models[0].backends");
    }

    @Test
    void refusesABackendWithoutUpstreamModel() {
        CatalogProperties properties = properties(Map.of("acme", provider("https://api.acme.test/v1")),
                model("chat", Set.of(), backend("acme", "")));

        assertThatThrownBy(() -> new Catalog(properties, ADAPTERS))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("caravan.models[0].backends[0].model");
    }

    private static CatalogProperties properties(Map<String, CatalogProperties.Provider> providers,
                                                CatalogProperties.Model... models) {
        return new CatalogProperties(providers, List.of(models));
    }

    private static CatalogProperties.Provider provider(String baseUrl) {
        return provider("openai", baseUrl);
    }

    private static CatalogProperties.Provider provider(String protocol, String baseUrl) {
        return new CatalogProperties.Provider(protocol, baseUrl, "key", false, Duration.ofSeconds(60),
                Duration.ofSeconds(5), null, null, null, new CatalogProperties.Breaker(50, 20, 5, Duration.ofSeconds(30), 1), "max_tokens");
    }

    private static CatalogProperties.Model model(String id, Set<String> capabilities, CatalogProperties.Backend... backends) {
        return new CatalogProperties.Model(id, null, null, capabilities, null, List.of(backends));
    }

    private static CatalogProperties.Backend backend(String provider, String model) {
        return new CatalogProperties.Backend(provider, model, PRICE, null);
    }
}
