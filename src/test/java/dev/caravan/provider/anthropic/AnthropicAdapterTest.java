package dev.caravan.provider.anthropic;

import dev.caravan.support.TestCatalog;
import java.util.Map;

import dev.caravan.api.ClientRequest;
import dev.caravan.api.GatewayException;
import dev.caravan.routing.AttemptOutcome;
import dev.caravan.api.Operation;
import dev.caravan.catalog.Backend;
import dev.caravan.catalog.CatalogProperties;
import dev.caravan.catalog.Price;
import dev.caravan.provider.UpstreamRequest;
import dev.caravan.support.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** The adapter's own part: where the request goes, with which headers, and how errors are classified. */
class AnthropicAdapterTest {

    private final AnthropicAdapter adapter = new AnthropicAdapter();

    @Test
    void postsToMessagesWithTheKeyInXApiKeyAndTheApiVersion() {
        UpstreamRequest request = adapter.toUpstreamRequest(Fixtures.chatRequest("anthropic/openai-request-json-schema.json"),
                backend(Map.of("anthropic-beta", "some-feature")), "https://api.anthropic.com/v1");

        assertThat(request.url()).isEqualTo("https://api.anthropic.com/v1/messages");
        assertThat(request.headers()).containsEntry("x-api-key", "sk-ant-test")
                .containsEntry("anthropic-version", "2023-06-01")
                .containsEntry("anthropic-beta", "some-feature")
                .containsEntry("Accept", "text/event-stream")
                .doesNotContainKey("Authorization");
        assertThat(Fixtures.parse(new String(request.body()))).isEqualTo(Fixtures.json("anthropic/messages-request-json-schema.json")
                .put("model", "claude-sonnet-4-5"));
    }

    @Test
    void letsAProviderPinAnotherApiVersion() {
        UpstreamRequest request = adapter.toUpstreamRequest(Fixtures.chatRequest("anthropic/openai-request-json-schema.json"),
                backend(Map.of("Anthropic-Version", "2099-01-01")), "https://api.anthropic.com/v1");

        assertThat(request.headers()).containsEntry("Anthropic-Version", "2099-01-01").doesNotContainKey("anthropic-version");
    }

    @Test
    void refusesEmbeddings() {
        ClientRequest embeddings = new ClientRequest(Operation.EMBEDDINGS, Fixtures.parse("{\"input\":\"x\"}"), "m", false, false, null);

        assertThatExceptionOfType(GatewayException.class)
                .isThrownBy(() -> adapter.toUpstreamRequest(embeddings, backend(Map.of()), "https://api.anthropic.com/v1"))
                .satisfies(error -> assertThat(error.status()).isEqualTo(400));
    }

    @ParameterizedTest
    @CsvSource({
            "529, error-overloaded.json,       503, upstream_overloaded,       true,  Overloaded",
            "400, error-invalid-request.json,  400, upstream_rejected_request, false, roles must alternate",
            "429, error-rate-limit.json,       429, upstream_rate_limited,     true,  per-minute rate limit",
            "401, error-authentication.json,   502, upstream_auth_failed,      true,  credentials for this provider were refused"})
    void classifiesAnthropicErrors(int status, String fixture, int clientStatus, String code, boolean retryable, String message) {
        GatewayException error = adapter.toClientError(status, Fixtures.bytes("anthropic/" + fixture), "30", backend(Map.of()));

        assertThat(error.status()).isEqualTo(clientStatus);
        assertThat(error.code()).isEqualTo(code);
        assertThat(AttemptOutcome.of(error).isBackendFailure()).isEqualTo(retryable);
        assertThat(error.getMessage()).contains(message).doesNotContain("sk-ant-test");
        if (status == 429) {
            assertThat(error.retryAfterSeconds()).isEqualTo(30L);
        }
    }

    private static Backend backend(Map<String, String> headers) {
        CatalogProperties.Provider provider = TestCatalog.provider("anthropic", "https://api.anthropic.com/v1",
                "sk-ant-test", headers, null);
        return TestCatalog.backend("anthropic", provider, "claude-sonnet-4-5", new Price(null, null, null));
    }
}
