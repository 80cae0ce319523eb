package dev.caravan.demo;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import dev.caravan.support.GatewayTest;
import dev.caravan.support.RawHttp;
import dev.caravan.web.InternalCallToken;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;

/** The demo provider under /demo/v1 answers only the gateway itself, within the same limits as /v1. */
@ExtendWith(OutputCaptureExtension.class)
class DemoProviderTest extends GatewayTest {

    private static final String DEMO_CHAT = "/demo/v1/chat/completions";

    @Autowired
    InternalCallToken internalToken;

    @Autowired
    DemoProvider demoProvider;

    @Autowired
    CamelContext camel;

    @Test
    void answersOnlyTheGatewayItself() throws Exception {
        for (String token : new String[] {null, "", "guessed-token", internalToken.value() + "x"}) {
            HttpResponse<String> response = demo(DEMO_CHAT, chat("demo", ""), token);
            assertThat(response.statusCode()).as("token %s", token).isEqualTo(401);
            JsonNode error = json(response).path("error");
            assertThat(error.path("code").asText()).isEqualTo("internal_token_required");
            assertThat(response.body()).doesNotContain(internalToken.value());
        }
        assertThat(demo("/demo/v1/embeddings", "{\"model\":\"demo-embedding\",\"input\":\"hi\"}", null).statusCode())
                .isEqualTo(401);

        assertThat(demo(DEMO_CHAT, chat("demo", ""), internalToken.value()).statusCode()).isEqualTo(200);
        // through the gateway, which holds the token
        HttpResponse<String> routed = post("/v1/chat/completions", chat("demo", ""));
        assertThat(routed.statusCode()).as(routed.body()).isEqualTo(200);
        assertThat(routed.headers().firstValue("X-Caravan-Backend")).contains("demo/caravan-demo");
    }

    @Test
    void aBodyDeclaredOverTheLimitIsRefusedBeforeItIsRead() throws Exception {
        try (RawHttp connection = RawHttp.connect(port)) {
            long started = System.nanoTime();
            connection.head("POST", DEMO_CHAT, "Content-Type: application/json", "Content-Length: 31457280",
                    InternalCallToken.HEADER + ": " + internalToken.value());
            RawHttp.Response response = connection.response(Duration.ofSeconds(5));

            assertThat(response.status()).isEqualTo(413);
            assertThat(response.body()).contains("request_too_large");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
        }
    }

    @Test
    void malformedJsonIsA400ThatLogsNoContent(CapturedOutput output) throws Exception {
        // an unquoted word: the JSON parser's own message quotes it
        String canary = "CANARY" + System.nanoTime();

        HttpResponse<String> response = demo(DEMO_CHAT, "{\"model\":\"demo\",\"messages\":[{\"content\":" + canary + "}]}",
                internalToken.value());

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(json(response).path("error").path("type").asText()).isEqualTo("invalid_request_error");
        assertThat(response.body()).doesNotContain(canary);
        assertThat(output.getAll()).doesNotContain(canary);
    }

    @Test
    void aFailureInsideTheDemoLogsOnlyItsClass(CapturedOutput output) {
        String canary = "CANARY" + System.nanoTime();
        Exchange failed = new DefaultExchange(camel);
        failed.setProperty(Exchange.EXCEPTION_CAUGHT, new IllegalStateException("parsing '" + canary + "' failed"));

        demoProvider.answerFailure(failed);

        assertThat(failed.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE)).isEqualTo(500);
        assertThat(failed.getMessage().getBody(String.class)).contains("internal_error").doesNotContain(canary);
        assertThat(output.getAll()).contains("java.lang.IllegalStateException").doesNotContain(canary);
    }

    @Test
    void deepJsonIsA400() throws Exception {
        String deep = "{\"model\":\"demo\",\"x\":" + "[".repeat(1500) + "]".repeat(1500) + "}";

        HttpResponse<String> response = demo(DEMO_CHAT, deep, internalToken.value());

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(json(response).path("error").path("message").asText()).contains("nested");
    }

    private HttpResponse<String> demo(String path, String body, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url(path)))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header(InternalCallToken.HEADER, token);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
