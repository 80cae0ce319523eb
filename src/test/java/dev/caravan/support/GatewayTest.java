package dev.caravan.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Base of the integration tests: the whole gateway (real routes from routes/, real config/application.yaml)
 * on a random port, with the test catalog pointing at {@link FakeOpenAiUpstream}s, {@link FakeAnthropicUpstream}
 * and {@link FakeGeminiUpstream}, payments on against {@link FakeRazorpay}, and the routing clock replaced by
 * {@link TestClock}. Every subclass shares
 * one Spring context: add nothing here that differs between tests.
 */
@CamelSpringBootTest
@Import({TestClock.Config.class, DatabaseOutage.Config.class})
@AutoConfigureObservability // tests switch metrics export off unless asked: /actuator/prometheus is tested
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "caravan.models-file=src/test/resources/test-models.yaml",
        "spring.datasource.url=jdbc:h2:mem:gateway-test;DB_CLOSE_DELAY=-1;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH",
        "caravan.demo.key-file=target/test-data/gateway-demo-api-key",
        // a settlement waiting for the database is retried at least every 2 s (30 s in production)
        "caravan.billing.settlement-retry-max-delay=2000",
        // configured with whitespace around it, as a token pasted into an environment file often is
        "caravan.admin.token=" + GatewayTest.ADMIN_TOKEN + "  ",
        "caravan.metrics.token=" + GatewayTest.METRICS_TOKEN,
        "caravan.dashboard.session-key-file=" + GatewayTest.SESSION_KEY_FILE,
        // mail goes to TestMail's SMTP server; sign-up needs no verification here (VerifiedSignupTest)
        "caravan.dashboard.email-verification=off",
        "spring.mail.host=127.0.0.1",
        // payments on, against FakeRazorpay (its addresses are set below)
        "caravan.payments.razorpay.key-id=" + FakeRazorpay.KEY_ID,
        "caravan.payments.razorpay.key-secret=" + FakeRazorpay.KEY_SECRET,
        "caravan.payments.razorpay.webhook-secret=" + FakeRazorpay.WEBHOOK_SECRET})
public abstract class GatewayTest {

    public static final String ADMIN_TOKEN = "test-admin-token-0123456789abcdef";
    public static final String METRICS_TOKEN = "test-metrics-token-0123456789abcdef";
    /** Where the test gateways keep their generated session signing key. */
    public static final String SESSION_KEY_FILE = "target/test-data/session-key";

    protected static final ObjectMapper JSON = new ObjectMapper();
    protected static final FakeOpenAiUpstream UPSTREAM = FakeOpenAiUpstream.get();
    protected static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** Per test context (by port): a key of an account with ample credit, for tests not about money. */
    private static final java.util.Map<Integer, String> SHARED_KEYS = new java.util.concurrent.ConcurrentHashMap<>();

    @LocalServerPort
    protected int port;

    @org.junit.jupiter.api.BeforeEach
    void ensureSharedKey() throws Exception {
        if (!SHARED_KEYS.containsKey(port)) {
            SHARED_KEYS.put(port, newFundedKey("1000"));
        }
    }

    /** The shared test key of this context: {@code Authorization: Bearer <key>}. */
    protected String apiKey() {
        return SHARED_KEYS.get(port);
    }

    /** An account made through the admin API for one test, and a key of it. */
    protected record TestAccount(String id, String key) {
    }

    /** Creates an account through the admin API, tops it up, and returns a new key for it. */
    protected String newFundedKey(String credit) throws Exception {
        return newAccount(credit).key();
    }

    protected TestAccount newAccount(String credit) throws Exception {
        String accountId = createAccount("test account");
        if (new java.math.BigDecimal(credit).signum() > 0) {
            addCredits(accountId, credit, "top-up-" + java.util.UUID.randomUUID());
        }
        return new TestAccount(accountId, newKey(accountId, "{\"name\":\"test key\"}"));
    }

    /** A new key for the account; {@code body} is the admin API's key request. */
    protected String newKey(String accountId, String body) throws Exception {
        HttpResponse<String> created = admin("POST", "/admin/accounts/" + accountId + "/keys", body);
        if (created.statusCode() != 201) {
            throw new AssertionError("key creation failed: " + created.body());
        }
        return json(created).path("key").asText();
    }

    protected String createAccount(String name) throws Exception {
        HttpResponse<String> created = admin("POST", "/admin/accounts", "{\"name\":\"" + name + "\"}");
        if (created.statusCode() != 201) {
            throw new AssertionError("account creation failed: " + created.body());
        }
        return json(created).path("id").asText();
    }

    protected HttpResponse<String> addCredits(String accountId, String amount, String idempotencyKey) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url("/admin/accounts/" + accountId + "/credits")))
                .header("Authorization", "Bearer " + ADMIN_TOKEN).header("Content-Type", "application/json")
                .header("Idempotency-Key", idempotencyKey)
                .POST(HttpRequest.BodyPublishers.ofString("{\"amount\":" + amount + "}")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    protected HttpResponse<String> admin(String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url(path)))
                .header("Authorization", "Bearer " + ADMIN_TOKEN).header("Content-Type", "application/json");
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    protected HttpResponse<String> post(String path, String body, String key) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url(path)))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + key)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    protected HttpResponse<String> get(String path, String key) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url(path))).header("Authorization", "Bearer " + key).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Fake providers of the routing tests, each its own server: {@code FakeOpenAiUpstream.named(name)}. */
    public static final List<String> NAMED_PROVIDERS = List.of("free", "paid", "flaky", "brittle", "spare", "lagging",
            "alpha", "beta", "gamma", "keeper", "quota");

    @DynamicPropertySource
    static void upstreams(DynamicPropertyRegistry registry) {
        registry.add("caravan.providers.fake.base-url", UPSTREAM::baseUrl);
        registry.add("caravan.providers.fake-impatient.base-url", UPSTREAM::baseUrl);
        registry.add("caravan.providers.fake-completion-field.base-url", UPSTREAM::baseUrl);
        for (String provider : NAMED_PROVIDERS) {
            registry.add("caravan.providers." + provider + ".base-url", () -> FakeOpenAiUpstream.named(provider).baseUrl());
        }
        registry.add("caravan.providers.fake-anthropic.base-url", FakeAnthropicUpstream.get()::baseUrl);
        registry.add("caravan.providers.fake-gemini.base-url", FakeGeminiUpstream.get()::baseUrl);
        registry.add("spring.mail.port", TestMail::port);
        registry.add("caravan.payments.razorpay.base-url", FakeRazorpay.get()::baseUrl);
        registry.add("caravan.payments.razorpay.checkout-url", FakeRazorpay.get()::checkoutUrl);
    }

    protected String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    /** POST with the shared test key. */
    protected HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
        return post(path, body, apiKey());
    }

    protected HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url(path))).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** {@code GET /actuator/prometheus} with the metrics token: the metrics as Prometheus reads them. */
    protected String metrics() throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url("/actuator/prometheus")))
                .header("Authorization", "Bearer " + METRICS_TOKEN).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return response.body();
    }

    /** One SSE data event of a streamed answer and when it reached the client. */
    protected record Arrival(String data, long atMillis) {
    }

    protected HttpRequest streamRequest(String body) {
        return HttpRequest.newBuilder(URI.create(url("/v1/chat/completions")))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + apiKey())
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    /** A streamed chat completion read line by line, each data event stamped when it arrived. */
    protected List<Arrival> streamArrivals(String body) throws Exception {
        HttpResponse<InputStream> response = HTTP.send(streamRequest(body), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/event-stream"));
        assertThat(response.headers().firstValue("X-Request-Id")).isPresent();
        List<Arrival> arrivals = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (line.startsWith("data: ")) {
                    arrivals.add(new Arrival(line.substring(6), System.currentTimeMillis()));
                }
            }
        }
        return arrivals;
    }

    /** The chunks of a streamed answer, without [DONE]. */
    protected static List<JsonNode> chunks(List<Arrival> arrivals) throws IOException {
        List<JsonNode> chunks = new ArrayList<>();
        for (Arrival arrival : arrivals) {
            if (!arrival.data().equals("[DONE]")) {
                chunks.add(JSON.readTree(arrival.data()));
            }
        }
        return chunks;
    }

    protected static JsonNode json(HttpResponse<String> response) throws IOException {
        return JSON.readTree(response.body());
    }

    /** The caller's credits once every request of the key is settled (settlement runs off the response path). */
    protected JsonNode settledCredits(String key) throws Exception {
        long deadline = System.currentTimeMillis() + 10_000;
        JsonNode credits = json(get("/v1/credits", key)).path("data");
        while (credits.path("held").decimalValue().signum() != 0 && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
            credits = json(get("/v1/credits", key)).path("data");
        }
        return credits;
    }

    /** The backend that served a response ({@code X-Caravan-Backend}). */
    protected static String backend(HttpResponse<?> response) {
        return response.headers().firstValue("X-Caravan-Backend").orElse(null);
    }

    /** The upstream calls made for a response ({@code X-Caravan-Attempts}). */
    protected static String attempts(HttpResponse<?> response) {
        return response.headers().firstValue("X-Caravan-Attempts").orElse("");
    }

    /** One backend as {@code GET /admin/backends} shows it. */
    protected JsonNode backendStatus(String backendId) throws Exception {
        for (JsonNode backend : json(admin("GET", "/admin/backends", null)).path("data")) {
            if (backend.path("id").asText().equals(backendId)) {
                return backend;
            }
        }
        throw new AssertionError("GET /admin/backends does not list " + backendId);
    }

    /** The data of the server-sent events of a (complete) streamed response, without [DONE]. */
    protected static List<JsonNode> streamChunks(HttpResponse<String> response) throws IOException {
        List<JsonNode> chunks = new java.util.ArrayList<>();
        for (String line : response.body().split("\n")) {
            if (line.startsWith("data: ") && !line.equals("data: [DONE]")) {
                chunks.add(JSON.readTree(line.substring(6)));
            }
        }
        return chunks;
    }

    protected static String chat(String model, String extraFields) {
        return "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hello\"}]"
                + (extraFields.isEmpty() ? "" : "," + extraFields) + "}";
    }
}
