package dev.caravan.ingress;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

import dev.caravan.support.GatewayTest;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A client of another protocol that leaves mid-stream is treated as a chat client is: the translated
 * stream closes the metering tap, which aborts the upstream (not drained) and bills what was delivered.
 */
class ClientDisconnectTest extends GatewayTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "/v1/responses | {\"model\":\"endless\",\"input\":\"go\",\"stream\":true}",
            "/v1/messages | {\"model\":\"endless\",\"max_tokens\":100,\"messages\":[{\"role\":\"user\",\"content\":\"go\"}],\"stream\":true}"})
    void aClientThatLeavesAbortsTheUpstreamAndPaysForWhatItGot(String path, String body) throws Exception {
        String key = newFundedKey("1");
        HttpResponse<InputStream> response = HTTP.send(HttpRequest.newBuilder(URI.create(url(path)))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + key)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            int deltas = 0;
            while (deltas < 3) {
                String line = reader.readLine();
                if (line != null && line.contains("delta")) {
                    deltas++;
                }
            }
        }

        long deadline = System.currentTimeMillis() + 10_000;
        while (!UPSTREAM.endlessBrokenByPeer() && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
        assertThat(UPSTREAM.endlessBrokenByPeer()).as("upstream saw its connection closed early").isTrue();
        assertThat(UPSTREAM.endlessEventsSent()).isLessThan(400);
        assertThat(settledCredits(key).path("total_usage").decimalValue()).isPositive();
    }
}
