package dev.caravan.auth;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

import dev.caravan.support.GatewayTest;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A key's requests in flight are bounded, and a stream holds its place until its last byte. */
class KeyConcurrencyTest extends GatewayTest {

    @Test
    void aStreamHoldsItsKeysPlaceToTheEnd() throws Exception {
        TestAccount account = newAccount("5");
        String key = newKey(account.id(), "{\"name\":\"one at a time\",\"max_concurrent_requests\":1}");

        HttpResponse<InputStream> stream = HTTP.send(HttpRequest.newBuilder(URI.create(url("/v1/chat/completions")))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + key)
                .POST(HttpRequest.BodyPublishers.ofString(chat("slow", "\"stream\":true"))).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(stream.statusCode()).isEqualTo(200);
        try (BufferedReader events = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
            // the route has ended: the stream is being copied to the client, event by event
            assertThat(events.readLine()).startsWith("data: ");

            HttpResponse<String> second = post("/v1/chat/completions", chat("chat", ""), key);
            assertThat(second.statusCode()).as(second.body()).isEqualTo(429);
            assertThat(second.headers().firstValue("Retry-After")).isPresent();
            assertThat(json(second).path("error").path("code").asText()).isEqualTo("too_many_concurrent_requests");
            // the refusal took no place of its own
            assertThat(post("/v1/chat/completions", chat("chat", ""), key).statusCode()).isEqualTo(429);

            while (events.readLine() != null) {
                // read to the end
            }
        }
        HttpResponse<String> after = waitForPlace(key);
        assertThat(after.statusCode()).as(after.body()).isEqualTo(200);
    }

    @Test
    void aKeyWithoutItsOwnLimitHasTheConfiguredOne() throws Exception {
        String key = newFundedKey("1");

        assertThat(json(get("/v1/key", key)).path("data").path("max_concurrent_requests").isNull()).isTrue();
        assertThat(post("/v1/chat/completions", chat("chat", ""), key).statusCode()).isEqualTo(200);
    }

    /** The place is given back when the exchange completes, just after the client read the last byte. */
    private HttpResponse<String> waitForPlace(String key) throws Exception {
        long deadline = System.currentTimeMillis() + 5000;
        HttpResponse<String> response = post("/v1/chat/completions", chat("chat", ""), key);
        while (response.statusCode() == 429 && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
            response = post("/v1/chat/completions", chat("chat", ""), key);
        }
        return response;
    }
}
