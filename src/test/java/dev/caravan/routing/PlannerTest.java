package dev.caravan.routing;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caravan.api.ClientRequest;
import dev.caravan.api.GatewayException;
import dev.caravan.api.Operation;
import dev.caravan.api.PricedFields;
import dev.caravan.catalog.Backend;
import dev.caravan.catalog.Catalog;
import dev.caravan.catalog.CatalogProperties;
import dev.caravan.catalog.CurrentCatalog;
import dev.caravan.catalog.Price;
import dev.caravan.metering.TokenCounter;
import dev.caravan.provider.ProviderAdapters;
import dev.caravan.provider.anthropic.AnthropicAdapter;
import dev.caravan.provider.openai.OpenAiAdapter;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** The planner on its own: which backends a request may go to, and in which order. */
class PlannerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> ALL = Set.of("tools", "json_schema", "vision", "streaming");

    private static final ProviderAdapters ADAPTERS = new ProviderAdapters(List.of(new OpenAiAdapter(JSON),
            new AnthropicAdapter()));

    private final BackendStats stats = new BackendStats();
    private final Planner planner = new Planner(new CurrentCatalog(catalog()), new TokenCounter(), stats, ADAPTERS,
            new ClientHedging(true, Duration.ofMillis(20)), 500, java.time.Clock.systemUTC());

    @Test
    void ordersByTheEffectivePriceOfThisRequestSoFreeTiersComeFirst() {
        // cheap-output: $4 in / $1 out; cheap-input: $1 in / $4 out; free: $0 / $0
        assertThat(ids(planner.plan(request("mix", "\"max_tokens\":2000")))).containsExactly(
                "free/m", "cheap-output/m", "cheap-input/m");
        // a long prompt and a short answer make input price what counts
        String longPrompt = "word ".repeat(3000);
        assertThat(ids(planner.plan(request("mix", "\"max_tokens\":1", longPrompt)))).containsExactly(
                "free/m", "cheap-input/m", "cheap-output/m");
    }

    @Test
    void sortsByMeasuredLatencyOrThroughputWhenAsked() {
        stats.recordFirstByte("cheap-input/m", 900);
        stats.recordFirstByte("cheap-output/m", 100);

        assertThat(ids(planner.plan(request("mix", "\"provider\":{\"sort\":\"latency\"}"))))
                .containsExactly("cheap-output/m", "cheap-input/m", "free/m");
    }

    @Test
    void keepsOnlyBackendsWithWhatTheRequestNeeds() {
        String tools = "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\"}}]";
        assertThat(ids(planner.plan(request("mix", tools)))).containsExactly("cheap-output/m", "cheap-input/m");
        assertThat(ids(planner.plan(request("mix", "\"stream\":true,\"response_format\":{\"type\":\"json_schema\"}"))))
                .containsExactly("cheap-output/m", "cheap-input/m");
        assertThat(ids(planner.plan(request("mix", "\"stream\":true")))).hasSize(3);
    }

    @Test
    void leavesOutProvidersWithoutCredentials() {
        assertThat(ids(planner.plan(request("keyless-mix", "")))).containsExactly("cheap-input/m");
    }

    @Test
    void refusesUnknownModelsAndRequestsTheModelCannotServe() {
        assertThatExceptionOfType(GatewayException.class).isThrownBy(() -> planner.plan(request("nope", "")))
                .satisfies(e -> assertThat(e.status()).isEqualTo(404));
        assertThatExceptionOfType(GatewayException.class)
                .isThrownBy(() -> planner.plan(request("plain", "\"stream\":true")))
                .satisfies(e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.getMessage()).isEqualTo("The model 'plain' does not support streaming.");
                });
    }

    @Test
    void aChatModelStreamsUnlessTheCatalogSaysOtherwise() {
        // 'small' lists no capabilities at all, as a catalog written like the documented example may not
        assertThat(ids(planner.plan(request("small", "\"stream\":true")))).containsExactly("cheap-input/s");
        assertThat(ids(planner.plan(request("protocols", "\"stream\":true")))).hasSize(2);
    }

    @Test
    void leavesOutBackendsWhoseProtocolCannotReturnNAnswersAndRefusesNWhenNoneIsLeft() {
        assertThat(ids(planner.plan(request("protocols", "")))).containsExactly("claude/c", "cheap-input/o");
        assertThat(ids(planner.plan(request("protocols", "\"n\":3")))).containsExactly("cheap-input/o");
        assertThatExceptionOfType(GatewayException.class)
                .isThrownBy(() -> planner.plan(request("claude-only", "\"n\":3")))
                .satisfies(e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.param()).isEqualTo("n");
                    assertThat(e.getMessage()).contains("claude/c: its protocol 'anthropic' returns at most 1 answer");
                });
    }

    @Test
    void acceptsFilePartsOnlyForModelsThatTakeFiles() {
        String file = "\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"file\",\"file\":{\"file_id\":\"f\"}}]}]";
        assertThatExceptionOfType(GatewayException.class).isThrownBy(() -> planner.plan(request("plain", file)))
                .satisfies(e -> assertThat(e.getMessage()).isEqualTo("The model 'plain' does not support files."));
    }

    @Test
    void countsThePromptOnlyWhenItsBoundIsNotEnough() {
        // one backend, and a bound far below the context length: the tokenizer never runs
        assertThat(planner.plan(request("plain", "")).prompt().counted()).isFalse();
        // several backends are ordered by what the request would cost on each: that needs the count
        Plan mix = planner.plan(request("mix", ""));
        assertThat(mix.prompt().counted()).isTrue();
        assertThat(mix.prompt().estimate()).isLessThanOrEqualTo(mix.prompt().atMost());
        // 150 bytes exceed the 100-token context as a bound, but not as the ~30 tokens they are
        Plan near = planner.plan(request("small", "", "word ".repeat(30)));
        assertThat(near.prompt().atMost()).isGreaterThan(100);
        assertThat(near.prompt().counted()).isTrue();
        assertThat(near.prompt().estimate()).isLessThan(100);
        assertThatExceptionOfType(GatewayException.class)
                .isThrownBy(() -> planner.plan(request("small", "", "word ".repeat(200))))
                .satisfies(e -> assertThat(e.getMessage()).startsWith("The prompt (about 20"));
    }

    @Test
    void theFallbackModelsComeAfterThePrimarysBackends() {
        Plan plan = planner.plan(request("plain", "\"models\":[\"mix\"]"));

        assertThat(ids(plan)).containsExactly("cheap-input/p", "free/m", "cheap-output/m", "cheap-input/m");
        assertThat(plan.model().id()).isEqualTo("plain");
        assertThat(plan.models()).extracting(m -> m.id()).containsExactly("plain", "mix");
    }

    @Test
    void hedgesAsTheModelSaysUnlessTheRequestSaysOtherwise() {
        assertThat(planner.plan(request("mix", "")).hedgeAfter()).isEqualTo(Duration.ofMillis(300));
        assertThat(planner.plan(request("mix", "\"provider\":{\"hedge_after_ms\":50}")).hedgeAfter())
                .isEqualTo(Duration.ofMillis(50));
        // the client's hedge: never sooner than the floor, and its abandoned prompt is charged and held for
        Plan clientHedged = planner.plan(request("mix", "\"provider\":{\"hedge_after_ms\":1}"));
        assertThat(clientHedged.hedgeAfter()).isEqualTo(Duration.ofMillis(20));
        assertThat(clientHedged.promptsCharged()).isEqualTo(2);
        assertThat(planner.plan(request("mix", "")).promptsCharged()).isEqualTo(1);
        assertThat(planner.plan(request("mix", "\"provider\":{\"hedge_after_ms\":0}")).hedging()).isFalse();
        assertThat(planner.plan(request("plain", "")).hedging()).isFalse();
    }

    @Test
    void refusesAHedgeOnRequestWhenClientHedgingIsOffButNotItsZero() {
        Planner off = new Planner(new CurrentCatalog(catalog()), new TokenCounter(), stats, ADAPTERS, new ClientHedging(false, Duration.ofSeconds(1)), 500,
                java.time.Clock.systemUTC());

        assertThatExceptionOfType(GatewayException.class)
                .isThrownBy(() -> off.plan(request("mix", "\"provider\":{\"hedge_after_ms\":200}")))
                .satisfies(e -> assertThat(e.param()).isEqualTo("provider.hedge_after_ms"));
        assertThat(off.plan(request("mix", "\"provider\":{\"hedge_after_ms\":0}")).hedging()).isFalse();
        assertThat(off.plan(request("mix", "")).hedgeAfter()).isEqualTo(Duration.ofMillis(300));
    }

    private static List<String> ids(Plan plan) {
        return plan.candidates().stream().map(Backend::id).toList();
    }

    private static ClientRequest request(String model, String fields) {
        return request(model, fields, "Say hello");
    }

    private static ClientRequest request(String model, String fields, String prompt) {
        try {
            ObjectNode body = (ObjectNode) JSON.readTree("{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\","
                    + "\"content\":\"" + prompt + "\"}]" + (fields.isEmpty() ? "" : "," + fields) + "}");
            Integer maxTokens = body.has("max_tokens") ? body.get("max_tokens").asInt() : null;
            return new ClientRequest(Operation.CHAT_COMPLETION, body, model, body.path("stream").asBoolean(), false,
                    maxTokens, PricedFields.read(body));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static Catalog catalog() {
        Map<String, CatalogProperties.Provider> providers = Map.of(
                "free", provider("k"), "cheap-input", provider("k"), "cheap-output", provider("k"),
                "keyless", provider(""), "claude", provider("anthropic", "k"));
        List<CatalogProperties.Model> models = List.of(
                new CatalogProperties.Model("mix", 100_000, 4096, ALL, Duration.ofMillis(300), List.of(
                        backend("cheap-input", "4", null),
                        backend("free", "0", Set.of("streaming")),
                        new CatalogProperties.Backend("cheap-output", "m", price("4", "1"), null))),
                new CatalogProperties.Model("keyless-mix", null, null, ALL, null, List.of(
                        backend("keyless", "0", null), backend("cheap-input", "4", null))),
                new CatalogProperties.Model("plain", null, null, Set.of(), null, List.of(
                        new CatalogProperties.Backend("cheap-input", "p", price("1", "1"), null)), false),
                new CatalogProperties.Model("small", 100, null, Set.of(), null, List.of(
                        new CatalogProperties.Backend("cheap-input", "s", price("1", "1"), null))),
                new CatalogProperties.Model("protocols", null, null, Set.of(), null, List.of(
                        new CatalogProperties.Backend("claude", "c", price("1", "1"), null),
                        new CatalogProperties.Backend("cheap-input", "o", price("2", "2"), null))),
                new CatalogProperties.Model("claude-only", null, null, Set.of(), null, List.of(
                        new CatalogProperties.Backend("claude", "c", price("1", "1"), null))));
        return new Catalog(new CatalogProperties(providers, models), ADAPTERS);
    }

    /** A backend priced $1 per 1M input tokens and {@code output} per 1M output tokens... or free. */
    private static CatalogProperties.Backend backend(String provider, String output, Set<String> capabilities) {
        Price price = output.equals("0") ? price("0", "0") : price("1", output);
        return new CatalogProperties.Backend(provider, "m", price, capabilities);
    }

    private static Price price(String input, String output) {
        return new Price(new BigDecimal(input), new BigDecimal(output), null);
    }

    private static CatalogProperties.Provider provider(String apiKey) {
        return provider("openai", apiKey);
    }

    private static CatalogProperties.Provider provider(String protocol, String apiKey) {
        return new CatalogProperties.Provider(protocol, "http://127.0.0.1:9/v1", apiKey, false, Duration.ofSeconds(60),
                Duration.ofSeconds(5), null, Map.of(), null,
                new CatalogProperties.Breaker(50, 20, 5, Duration.ofSeconds(30), 1), "max_tokens");
    }
}
