package dev.caravan;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.caravan.auth.ApiKeyFormat;
import dev.caravan.billing.Ledger;
import dev.caravan.metering.UsageRecord;
import dev.caravan.support.GatewayTest;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.component.mock.MockEndpoint;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * An integrator's gateway: the recipes of docs/routes.md, loaded as an integrator adds them (route files
 * of their own beside the shipped ones, src/test/resources/recipes, and their edited copy of
 * routes/extensions.camel.yaml), and their own API key prefix.
 */
@TestPropertySource(properties = {
        "camel.main.routes-include-pattern=file:routes/*.camel.yaml,file:src/test/resources/recipes/*.camel.yaml,"
                + "file:src/test/resources/flow-mistakes/*.camel.yaml",
        "camel.main.routes-exclude-pattern=file:routes/extensions.camel.yaml",
        "caravan.usage.forward-retries=2",
        "caravan.auth.key-prefix=acme_",
        "spring.datasource.url=jdbc:h2:mem:route-recipes-test;DB_CLOSE_DELAY=-1;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH"})
class RouteRecipesTest extends GatewayTest {

    private static final Path USAGE_DIR = Path.of("target/test-data/recipes-" + System.nanoTime());
    private static final Webhook WEBHOOK = new Webhook();

    @Autowired
    private CamelContext camel;

    @DynamicPropertySource
    static void recipeTargets(DynamicPropertyRegistry registry) {
        registry.add("recipe.webhook-url", () -> "http://127.0.0.1:" + WEBHOOK.port() + "/usage");
        registry.add("recipe.usage-dir", USAGE_DIR::toString);
    }

    @Test
    void everySettledRequestStreamedOrNotChatOrEmbeddingsReachesTheWebhookAsTheDocumentedEvent() throws Exception {
        TestAccount account = newAccount("5");
        HttpResponse<String> chat = post("/v1/chat/completions", chat("chat", ""), account.key());
        HttpResponse<String> streamed = post("/v1/chat/completions",
                chat("chat", "\"stream\":true,\"stream_options\":{\"include_usage\":true}"), account.key());
        HttpResponse<String> embedded = post("/v1/embeddings", "{\"model\":\"embed\",\"input\":\"hello\"}", account.key());
        for (HttpResponse<String> response : List.of(chat, streamed, embedded)) {
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            // the after-answer extension point: a header of the integrator's on every answer
            assertThat(response.headers().firstValue("X-Served-By")).hasValue("acme-gateway");
        }
        String chatId = requestId(chat);

        Webhook.Call call = WEBHOOK.awaitEvent(chatId);
        JsonNode event = JSON.readTree(call.body());
        assertThat(event.path("schema_version").asInt()).isEqualTo(1);
        assertThat(event.path("type").asText()).isEqualTo("usage");
        assertThat(event.path("account_id").asText()).isEqualTo(account.id());
        assertThat(event.path("model").asText()).isEqualTo("chat");
        assertThat(event.path("cost").decimalValue())
                .isEqualByComparingTo(JSON.readTree(chat.body()).path("usage").path("cost").decimalValue());
        assertThat(call.headers()).containsEntry("content-type", "application/json");
        // nothing of the client's request travels with its usage: not its key, not its headers
        assertThat(call.headers()).doesNotContainKeys("authorization", "x-api-key");
        assertThat(call.body()).doesNotContain(account.key()).doesNotContain("Say hello");
        assertThat(JSON.readTree(WEBHOOK.awaitEvent(requestId(streamed)).body()).path("streamed").asBoolean()).isTrue();
        assertThat(JSON.readTree(WEBHOOK.awaitEvent(requestId(embedded)).body()).path("model").asText()).isEqualTo("embed");

        // the same events, one per line, in the file of the other recipe
        List<String> ids = List.of(chatId, requestId(streamed), requestId(embedded));
        long deadline = System.currentTimeMillis() + 10_000;
        String lines = "";
        while (System.currentTimeMillis() < deadline && !ids.stream().allMatch(lines::contains)) {
            Path file = USAGE_DIR.resolve("usage.jsonl");
            lines = Files.exists(file) ? Files.readString(file) : "";
            Thread.sleep(50);
        }
        for (String id : ids) {
            assertThat(lines.lines().filter(l -> l.contains(id)).toList()).hasSize(1);
        }
    }

    @Test
    void theSettledFeedCarriesTheUsageRecordAndNothingOfTheRequest() throws Exception {
        MockEndpoint feed = camel.getEndpoint("mock:settled-feed", MockEndpoint.class);
        TestAccount account = newAccount("5");
        HttpResponse<String> chat = post("/v1/chat/completions", chat("chat", ""), account.key());
        String id = requestId(chat);
        long deadline = System.currentTimeMillis() + 10_000;
        Exchange settled = null;
        while (settled == null && System.currentTimeMillis() < deadline) {
            settled = feed.getExchanges().stream()
                    .filter(e -> e.getMessage().getBody(Ledger.Settled.class).usage().requestId().equals(id))
                    .findFirst().orElse(null);
            Thread.sleep(20);
        }
        assertThat(settled).as("the settled request on the feed").isNotNull();
        // not the parsed prompt, not the caller, not the backend and its credentials, no headers
        assertThat(settled.getVariables().keySet()).containsOnly("usage");
        assertThat(settled.getMessage().getHeaders()).isEmpty();
        assertThat(settled.getVariable("usage", UsageRecord.class).requestId()).isEqualTo(id);
    }

    @Test
    void aFailingWebhookIsRetriedWithoutHoldingUpSettlementThenGivenUpOn() throws Exception {
        TestAccount account = newAccount("5");
        // down for the first call: delivered on the retry
        WEBHOOK.failNext(1);
        HttpResponse<String> first = post("/v1/chat/completions", chat("chat", ""), account.key());
        assertThat(WEBHOOK.awaitEvent(requestId(first)).attempt()).isEqualTo(2);

        // down for good: settlement goes on, the forwarding gives up after its retries
        WEBHOOK.failNext(1000);
        HttpResponse<String> second = post("/v1/chat/completions", chat("chat", ""), account.key());
        assertThat(second.statusCode()).isEqualTo(200);
        long deadline = System.currentTimeMillis() + 10_000;
        JsonNode credits;
        do {
            credits = JSON.readTree(get("/v1/credits", account.key()).body()).path("data");
            Thread.sleep(20);
        } while (credits.path("held").decimalValue().signum() != 0 && System.currentTimeMillis() < deadline);
        assertThat(credits.path("held").decimalValue()).isZero();
        assertThat(credits.path("total_usage").decimalValue()).isPositive();
        deadline = System.currentTimeMillis() + 15_000;
        while (!metrics().contains("caravan_usage_forward_failures_total{route=\"forward-usage-to-webhook\"")
                && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
        }
        assertThat(metrics()).contains("caravan_usage_forward_failures_total{route=\"forward-usage-to-webhook\"");
        WEBHOOK.failNext(0);
    }

    @Test
    void aRuleOfTheIntegratorsRefusesARequestBeforeAnythingIsHeldOrSent() throws Exception {
        TestAccount account = newAccount("5");
        String restricted = newKey(account.id(), "{\"name\":\"restricted\"}");
        long upstreamCalls = UPSTREAM.chatRequests();

        HttpResponse<String> refused = post("/v1/chat/completions", chat("failover", ""), restricted);
        assertThat(refused.statusCode()).isEqualTo(403);
        JsonNode error = JSON.readTree(refused.body()).path("error");
        assertThat(error.path("code").asText()).isEqualTo("request_refused");
        assertThat(error.path("message").asText()).isEqualTo("This key may call the chat model only.");
        assertThat(UPSTREAM.chatRequests()).isEqualTo(upstreamCalls);
        assertThat(JSON.readTree(get("/v1/credits", restricted).body()).path("data").path("held").decimalValue()).isZero();

        assertThat(post("/v1/chat/completions", chat("chat", ""), restricted).statusCode()).isEqualTo(200);
        assertThat(post("/v1/chat/completions", chat("failover", ""), account.key()).statusCode()).isNotEqualTo(403);
    }

    @Test
    void aStepRunBeforeTheStepItNeedsIsA500NamingBoth() throws Exception {
        HttpResponse<String> response = post("/v1/misordered", chat("chat", ""), newFundedKey("1"));
        assertThat(response.statusCode()).isEqualTo(500);
        JsonNode error = JSON.readTree(response.body()).path("error");
        assertThat(error.path("code").asText()).isEqualTo("flow_step_missing");
        assertThat(error.path("message").asText()).contains("credits.reserve").contains("'plan'").contains("planner.plan");
    }

    @Test
    void newKeysCarryTheOperatorsPrefix() throws Exception {
        TestAccount account = newAccount("1");
        assertThat(account.key()).startsWith("acme_").hasSizeGreaterThan(40);
        assertThat(JSON.readTree(admin("GET", "/admin/accounts/" + account.id() + "/keys", null).body())
                .path("data").get(0).path("prefix").asText()).startsWith("acme_").hasSize("acme_".length() + 6);
        assertThat(post("/v1/chat/completions", chat("chat", ""), account.key()).statusCode()).isEqualTo(200);
        assertThatThrownBy(() -> ApiKeyFormat.checkPrefix("sk live")).hasMessageContaining("caravan.auth.key-prefix");
        assertThatThrownBy(() -> ApiKeyFormat.checkPrefix("x".repeat(15))).hasMessageContaining("1 to 14");
    }

    private static String requestId(HttpResponse<String> response) {
        return response.headers().firstValue("X-Request-Id").orElseThrow();
    }

    /** An integrator's HTTP endpoint: keeps what it was sent; answers 500 while told to fail. */
    static final class Webhook {
        record Call(Map<String, String> headers, String body, int attempt) {
        }

        private final HttpServer server;
        private final List<Call> calls = new CopyOnWriteArrayList<>();
        private final Map<String, AtomicInteger> attempts = new java.util.concurrent.ConcurrentHashMap<>();
        private final AtomicInteger failures = new AtomicInteger();

        Webhook() {
            try {
                server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            server.createContext("/usage", exchange -> {
                String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                String id = body.replaceAll("(?s).*\"event_id\":\"([^\"]+)\".*", "$1");
                int attempt = attempts.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
                boolean fail = failures.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
                if (!fail) {
                    Map<String, String> headers = new java.util.HashMap<>();
                    exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(), values.get(0)));
                    calls.add(new Call(headers, body, attempt));
                }
                exchange.sendResponseHeaders(fail ? 500 : 204, -1);
                exchange.close();
            });
            server.start();
        }

        int port() {
            return server.getAddress().getPort();
        }

        void failNext(int count) {
            failures.set(count);
        }

        Call awaitEvent(String requestId) throws InterruptedException {
            long deadline = System.currentTimeMillis() + 10_000;
            while (System.currentTimeMillis() < deadline) {
                for (Call call : calls) {
                    if (call.body().contains("\"event_id\":\"" + requestId + "\"")) {
                        return call;
                    }
                }
                Thread.sleep(20);
            }
            throw new AssertionError("no usage event for " + requestId + " reached the webhook within 10 s");
        }
    }
}
