package dev.caravan.provider;

import dev.caravan.support.TestCatalog;
import java.nio.charset.StandardCharsets;

import dev.caravan.api.GatewayException;
import dev.caravan.routing.AttemptOutcome;
import dev.caravan.catalog.Backend;
import dev.caravan.catalog.Price;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The status mapping and retry class every protocol shares. */
class UpstreamErrorsTest {

    private static final Backend BACKEND = TestCatalog.backend("p", TestCatalog.provider("openai", "http://x", "k"), "m",
            new Price(null, null, null));

    @ParameterizedTest
    @CsvSource({
            "400, 400, upstream_rejected_request, false",
            "413, 413, upstream_rejected_request, false",
            "422, 400, upstream_rejected_request, false",
            "401, 502, upstream_auth_failed, true",
            "403, 502, upstream_auth_failed, true",
            "404, 502, upstream_model_not_found, true",
            "408, 504, upstream_timeout, true",
            "429, 429, upstream_rate_limited, true",
            "500, 502, upstream_error, true",
            "503, 502, upstream_error, true",
            "504, 504, upstream_timeout, true",
            "529, 503, upstream_overloaded, true"})
    void mapsTheStatusAndRetryClass(int upstream, int client, String code, boolean retryable) {
        GatewayException error = UpstreamErrors.classify(upstream, "why", null, BACKEND);

        assertThat(error.status()).isEqualTo(client);
        assertThat(error.code()).isEqualTo(code);
        assertThat(AttemptOutcome.of(error).isBackendFailure()).isEqualTo(retryable);
        assertThat(error.getMessage()).startsWith("Upstream p/m answered " + upstream);
    }

    @Test
    void readsTheMessageOfEachProtocolsErrorBody() {
        assertThat(UpstreamErrors.message(bytes("{\"error\":{\"message\":\"openai says\",\"type\":\"x\"}}"))).isEqualTo("openai says");
        assertThat(UpstreamErrors.message(bytes("{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}")))
                .isEqualTo("Overloaded");
        assertThat(UpstreamErrors.message(bytes("{\"error\":{\"code\":429,\"message\":\"quota\",\"status\":\"RESOURCE_EXHAUSTED\"}}")))
                .isEqualTo("quota");
        assertThat(UpstreamErrors.message(bytes("<html>502 Bad Gateway</html>"))).isNull();
    }

    @Test
    void readsTheCodesOfEachProtocolsErrorBodyForTheFailoverPolicy() {
        assertThat(UpstreamErrors.codes(bytes("{\"error\":{\"message\":\"m\",\"type\":\"insufficient_quota\","
                + "\"code\":\"insufficient_quota\"}}"))).containsExactly("insufficient_quota");
        assertThat(UpstreamErrors.codes(bytes("{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"m\"}}")))
                .containsExactly("overloaded_error");
        assertThat(UpstreamErrors.codes(bytes("{\"error\":{\"code\":429,\"message\":\"m\",\"status\":\"RESOURCE_EXHAUSTED\"}}")))
                .containsExactly("RESOURCE_EXHAUSTED");
        assertThat(UpstreamErrors.codes(bytes("<html>502 Bad Gateway</html>"))).isEmpty();

        GatewayException error = UpstreamErrors.classify(429,
                bytes("{\"error\":{\"message\":\"m\",\"type\":\"requests\",\"code\":\"rate_limit_exceeded\"}}"), "3", BACKEND);
        assertThat(error.upstreamCodes()).containsExactly("rate_limit_exceeded", "requests");
        assertThat(error.retryAfterSeconds()).isEqualTo(3L);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
