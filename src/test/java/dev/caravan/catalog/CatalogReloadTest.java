package dev.caravan.catalog;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

import com.fasterxml.jackson.databind.JsonNode;
import dev.caravan.routing.BackendBreakers;
import dev.caravan.support.GatewayTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The models file edited while the gateway runs, as an operator does it, on a copy of the test
 * catalog: a good edit is put in effect without a restart (prices, models, backends), a broken one is
 * refused and the catalog before it keeps serving, and a request planned before a reload is charged
 * the price it was planned with.
 *
 * <p>Every edit is made on the last catalog put in effect ({@link #accepted}): the price notice
 * remembers the prices applied, so going back to an older file would be an increase.
 */
@ExtendWith(OutputCaptureExtension.class)
@TestPropertySource(properties = {
        "caravan.models-file=" + CatalogReloadTest.MODELS_FILE,
        "caravan.catalog.reload-interval=200ms",
        "spring.datasource.url=jdbc:h2:mem:catalog-reload-test;DB_CLOSE_DELAY=-1;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH"})
class CatalogReloadTest extends GatewayTest {

    @Autowired
    private CurrentCatalog catalog;
    @Autowired
    private BackendBreakers breakers;

    static final String MODELS_FILE = "target/test-data/catalog-reload/models.yaml";
    private static final Path FILE = Path.of(MODELS_FILE);
    private static final long TIMEOUT_MILLIS = 15_000;

    /** Two backends, the cheaper first: the one the backend-removal test takes away. */
    private static final String PAIR = """
                - id: reload-pair
                  backends:
                    - { provider: alpha, model: pair-ok, price: { input: 1, output: 2 } }
                    - { provider: beta, model: ok, price: { input: 2, output: 3 } }
            """;

    /** The file's content as last put in effect; the gateway starts with it (written before the context). */
    private static String accepted = writeStartingCatalog();

    private static String writeStartingCatalog() {
        try {
            Files.createDirectories(FILE.getParent());
            String content = Files.readString(Path.of("src/test/resources/test-models.yaml")) + PAIR;
            Files.writeString(FILE, content);
            return content;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void aLoweredPriceChargesNewRequestsWhileARequestPlannedBeforeTheReloadKeepsTheOldOne() throws Exception {
        String request = chat("overdeliver", "\"max_tokens\":10");
        BigDecimal before = cost(post("/v1/chat/completions", request));

        UPSTREAM.holdAnswers();
        CompletableFuture<HttpResponse<String>> inFlight;
        try {
            inFlight = CompletableFuture.supplyAsync(() -> send(request));
            await(() -> UPSTREAM.waitingAnswers() == 1, "the request reached the upstream");
            // half the price of the backend it was planned on
            accept(accepted.replace("{ provider: fake, model: overdeliver, price: { input: 2.50, output: 20.00 } }",
                    "{ provider: fake, model: overdeliver, price: { input: 1.25, output: 10.00 } }"));
            await(() -> modelsEntry("/v1/models", "overdeliver").path("pricing").path("completion").decimalValue()
                    .compareTo(new BigDecimal("0.00001")) == 0, "/v1/models shows the new price");
        } finally {
            UPSTREAM.releaseAnswers();
        }
        HttpResponse<String> planned = inFlight.get();
        assertThat(planned.statusCode()).isEqualTo(200);
        assertThat(cost(planned)).isEqualByComparingTo(before);

        BigDecimal after = cost(post("/v1/chat/completions", request));
        assertThat(after).isEqualByComparingTo(before.divide(BigDecimal.valueOf(2)));
    }

    @Test
    void anAddedModelIsListedAndServed() throws Exception {
        accept(accepted + """
                    - id: added-by-reload
                      capabilities: [tools]
                      backends:
                        - { provider: fake, model: ok, price: { input: 0.50, output: 1.50 } }
                """);
        await(() -> !modelsEntry("/v1/models", "added-by-reload").isMissingNode(), "/v1/models lists the new model");
        assertThat(modelsEntry("/api/models", "added-by-reload").path("pricing").path("input").decimalValue())
                .isEqualByComparingTo("0.50");
        HttpResponse<String> answer = post("/v1/chat/completions", chat("added-by-reload", ""));
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertThat(backend(answer)).isEqualTo("fake/ok");
    }

    @Test
    void aRemovedBackendIsNoLongerUsed() throws Exception {
        HttpResponse<String> cheapest = post("/v1/chat/completions", chat("reload-pair", ""));
        assertThat(backend(cheapest)).isEqualTo("alpha/pair-ok");

        String betaOnly = PAIR.replace("        - { provider: alpha, model: pair-ok, price: { input: 1, output: 2 } }\n", "");
        accept(accepted.replace(PAIR, betaOnly));
        await(() -> modelsEntry("/v1/models", "reload-pair").path("backends").size() == 1, "the backend is gone");
        HttpResponse<String> answer = post("/v1/chat/completions", chat("reload-pair", ""));
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertThat(backend(answer)).isEqualTo("beta/ok");
        assertThat(post("/v1/chat/completions", chat("alpha/pair-ok", "")).statusCode()).isEqualTo(404);
        assertThat(metrics()).doesNotContain("backend=\"alpha/pair-ok\",state=");

        // the backend that stays keeps its breaker, with the calls it counted, through the next reload
        int calls = backendStatus("beta/ok").path("breaker").path("recent_calls").asInt();
        assertThat(calls).isPositive();
        accept(accepted.replace(betaOnly, betaOnly.replace("input: 2, output: 3", "input: 1.5, output: 3")));
        await(() -> modelsEntry("/v1/models", "reload-pair").path("pricing").path("prompt").decimalValue()
                .compareTo(new BigDecimal("0.0000015")) == 0, "the lowered price is in effect");
        assertThat(backendStatus("beta/ok").path("breaker").path("recent_calls").asInt()).isEqualTo(calls);
    }

    @Test
    void changedBreakerSettingsApplyAlsoToABackendPlannedBeforeTheReload() throws Exception {
        Catalog before = catalog.get();
        Backend plannedBefore = before.backends().stream().filter(b -> b.id().equals("beta/ok")).findFirst().orElseThrow();
        assertThat(breakers.of(plannedBefore).getCircuitBreakerConfig().getSlidingWindowSize()).isNotEqualTo(7);

        String beta = "    beta:\n      base-url: http://placeholder.invalid/v1\n      api-key: test-upstream-key\n";
        assertThat(accepted).contains(beta);
        accept(accepted.replace(beta, beta + "      breaker: { sliding-window: 7 }\n"));
        await(() -> catalog.get() != before, "the catalog is reloaded");

        // a request planned on the old catalog reports its outcome with the old catalog's backend
        assertThat(breakers.of(plannedBefore).getCircuitBreakerConfig().getSlidingWindowSize()).isEqualTo(7);
    }

    @Test
    void brokenEditsAreRefusedOneLineEachAndTheCatalogBeforeThemKeepsServing(CapturedOutput log) throws Exception {
        refuse("not YAML", accepted + "    - id: [unclosed\n", "not valid YAML", log);
        refuse("an unknown protocol", accepted.replace("    fake-impatient:\n      protocol: openai\n",
                "    fake-impatient:\n      protocol: carrier-pigeon\n"),
                "caravan.providers.fake-impatient.protocol: unknown protocol 'carrier-pigeon'", log);
        refuse("a duplicate id", accepted + """
                    - id: chat
                      backends:
                        - { provider: fake, model: ok, price: { input: 1, output: 2 } }
                """, "duplicate model id 'chat'", log);
        refuse("a value of the wrong type", accepted.replace("response-timeout: 1s", "response-timeout: soon"),
                "caravan.providers.fake-impatient.response-timeout", log);

        HttpResponse<String> answer = post("/v1/chat/completions", chat("chat", ""));
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertThat(modelsEntry("/v1/models", "chat").isMissingNode()).isFalse();
        JsonNode lastReload = json(admin("GET", "/admin/backends", null)).path("catalog").path("last_reload");
        assertThat(lastReload.path("outcome").asText()).isEqualTo("refused");
        assertThat(lastReload.path("error").asText()).contains("response-timeout");
    }

    @Test
    void aPriceIncreaseWithoutNoticeIsRefused(CapturedOutput log) throws Exception {
        refuse("a price increase", accepted.replace("{ provider: fake, model: echo, price: { input: 2.50, output: 10.00 } }",
                        "{ provider: fake, model: echo, price: { input: 5.00, output: 10.00 } }"),
                "model 'echo' backend 'fake/echo'", log);
        assertThat(log.getOut()).contains("the earliest allowed date is");
        assertThat(modelsEntry("/v1/models", "echo").path("pricing").path("prompt").decimalValue())
                .isEqualByComparingTo("0.0000025");
    }

    /** Writes an edit that must be refused, and waits for the refusal: one error line naming why. */
    private void refuse(String what, String content, String reason, CapturedOutput log) throws Exception {
        assertThat(content).as(what).isNotEqualTo(accepted);
        double refusedBefore = refusals();
        int linesBefore = refusalLines(log);
        write(content);
        await(() -> refusals() == refusedBefore + 1, what + " refused");
        await(() -> refusalLines(log) == linesBefore + 1, what + " logged");
        String line = log.getOut().lines().filter(l -> l.contains("Catalog reload refused")).reduce((a, b) -> b).orElseThrow();
        assertThat(line).as(what).contains(reason).contains(MODELS_FILE.substring("target/".length()));
    }

    private static int refusalLines(CapturedOutput log) {
        return (int) log.getOut().lines().filter(l -> l.contains("Catalog reload refused")).count();
    }

    private double refusals() {
        try {
            return metrics().lines().filter(l -> l.startsWith("caravan_catalog_reload_failures_total"))
                    .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes an edit that will be put in effect: later edits start from it. */
    private static void accept(String content) throws IOException {
        assertThat(content).isNotEqualTo(accepted);
        write(content);
        accepted = content;
    }

    private static void write(String content) throws IOException {
        // as editors save: a whole new file renamed over the old one
        Path temporary = FILE.resolveSibling("models.yaml.tmp");
        Files.writeString(temporary, content);
        Files.move(temporary, FILE, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private JsonNode modelsEntry(String path, String id) {
        try {
            HttpResponse<String> response = path.startsWith("/v1") ? get(path, apiKey()) : get(path);
            for (JsonNode model : json(response).path("data")) {
                if (model.path("id").asText().equals(id)) {
                    return model;
                }
            }
            return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private HttpResponse<String> send(String body) {
        try {
            return post("/v1/chat/completions", body);
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static BigDecimal cost(HttpResponse<String> response) throws IOException {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json(response).path("usage").path("cost").decimalValue();
    }

    private interface Condition {
        boolean holds() throws Exception;
    }

    /** Waits, with a generous timeout, until {@code condition} holds. */
    private static void await(Condition condition, String what) throws Exception {
        long deadline = System.currentTimeMillis() + TIMEOUT_MILLIS;
        while (!condition.holds()) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("not within " + TIMEOUT_MILLIS + " ms: " + what);
            }
            Thread.sleep(50);
        }
    }
}
