package dev.caravan.provider.gemini;

import dev.caravan.support.TestCatalog;

import dev.caravan.api.GatewayException;
import dev.caravan.routing.AttemptOutcome;
import dev.caravan.catalog.Backend;
import dev.caravan.catalog.CatalogProperties;
import dev.caravan.catalog.Price;
import dev.caravan.provider.UpstreamRequest;
import dev.caravan.support.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/** The adapter's own part: where the request goes, with which headers, and how errors are classified. */
class GeminiAdapterTest {

    private static final String ROOT = "https://generativelanguage.googleapis.com/v1beta";

    private final GeminiAdapter adapter = new GeminiAdapter();

    @Test
    void postsToGenerateContentWithTheKeyInXGoogApiKey() {
        UpstreamRequest request = adapter.toUpstreamRequest(Fixtures.chatRequest("gemini/openai-request-json-schema.json"),
                backend("gemini-2.5-flash"), ROOT);

        assertThat(request.url()).isEqualTo(ROOT + "/models/gemini-2.5-flash:generateContent");
        assertThat(request.headers()).containsEntry("x-goog-api-key", "AIza-test").containsEntry("Accept", "application/json")
                .doesNotContainKey("Authorization");
        assertThat(Fixtures.parse(new String(request.body()))).isEqualTo(Fixtures.json("gemini/gemini-request-json-schema.json"));
    }

    @Test
    void streamsFromStreamGenerateContentAsServerSentEvents() {
        var streamed = Fixtures.json("gemini/openai-request-json-schema.json").put("stream", true);

        UpstreamRequest request = adapter.toUpstreamRequest(Fixtures.chatRequest(streamed), backend("gemini-2.5-pro"), ROOT);

        assertThat(request.url()).isEqualTo(ROOT + "/models/gemini-2.5-pro:streamGenerateContent?alt=sse");
        assertThat(request.headers()).containsEntry("Accept", "text/event-stream");
    }

    @Test
    void takesAModelNameThatIsAlreadyAResourcePath() {
        UpstreamRequest request = adapter.toUpstreamRequest(Fixtures.chatRequest("gemini/openai-request-json-schema.json"),
                backend("tunedModels/my-model"), ROOT);

        assertThat(request.url()).isEqualTo(ROOT + "/tunedModels/my-model:generateContent");
    }

    @ParameterizedTest
    @CsvSource({
            "400, error-api-key-invalid.json,     502, upstream_auth_failed,      true,  '',   credentials for this provider were refused",
            "400, error-failed-precondition.json, 502, upstream_error,            true,  '',   400 FAILED_PRECONDITION: User location is not supported",
            "400, error-invalid-argument.json,    400, upstream_rejected_request, false, '',   contents is not specified",
            "429, error-resource-exhausted.json,  429, upstream_rate_limited,     true,  37,   exceeded your current quota",
            "503, error-unavailable.json,         503, upstream_overloaded,       true,  '',   The model is overloaded"})
    void classifiesGeminiErrors(int status, String fixture, int clientStatus, String code, boolean retryable,
                                String retryAfter, String message) {
        GatewayException error = adapter.toClientError(status, Fixtures.bytes("gemini/" + fixture), null, backend("gemini-2.5-flash"));

        assertThat(error.status()).isEqualTo(clientStatus);
        assertThat(error.code()).isEqualTo(code);
        assertThat(AttemptOutcome.of(error).isBackendFailure()).isEqualTo(retryable);
        assertThat(error.getMessage()).contains(message).doesNotContain("AIza-test");
        if (!retryAfter.isEmpty()) {
            assertThat(error.retryAfterSeconds()).isEqualTo(Long.parseLong(retryAfter));
        }
    }

    private static Backend backend(String model) {
        CatalogProperties.Provider provider = TestCatalog.provider("gemini", ROOT, "AIza-test");
        return TestCatalog.backend("gemini", provider, model, new Price(null, null, null));
    }
}
