package dev.caravan.auth;

import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import dev.caravan.support.GatewayTest;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An unknown key costs one database lookup, not one per request, and an address that keeps failing
 * is throttled. Each test speaks from an address of its own (any 127.x.y.z reaches the gateway on
 * Linux), so that the throttle meets no other test.
 */
class FailedAuthenticationTest extends GatewayTest {

    @Autowired
    MeterRegistry meters;

    @Test
    void anUnknownKeyIsLookedUpOnce() throws Exception {
        HttpClient client = from("127.0.0.2");
        String unknown = "cvn-" + "u".repeat(43);
        double before = lookups();

        for (int i = 0; i < 5; i++) {
            assertThat(chat(client, unknown).statusCode()).isEqualTo(401);
        }
        assertThat(callerApi(client, unknown).statusCode()).isEqualTo(401);

        assertThat(lookups() - before).isEqualTo(1.0);
    }

    @Test
    void anAddressThatKeepsFailingIsThrottledWithoutTouchingOthers() throws Exception {
        HttpClient attacker = from("127.0.0.3");
        String valid = newFundedKey("1");
        // looked up once from this address while it is in good standing: then cached
        assertThat(chat(attacker, valid).statusCode()).isEqualTo(200);

        int refused = 0;
        HttpResponse<String> last = null;
        for (int i = 0; i < 100 && (last == null || last.statusCode() == 401); i++) {
            last = chat(attacker, "cvn-guess-" + i + "-" + "g".repeat(30));
            refused++;
        }
        assertThat(last.statusCode()).as("after %d guesses", refused).isEqualTo(429);
        assertThat(last.headers().firstValue("Retry-After")).isPresent();
        assertThat(json(last).path("error").path("code").asText()).isEqualTo("too_many_failed_authentications");

        double before = lookups();
        assertThat(chat(attacker, "cvn-another-guess-" + "h".repeat(30)).statusCode()).isEqualTo(429);
        assertThat(callerApi(attacker, "cvn-another-guess-" + "h".repeat(30)).statusCode()).isEqualTo(429);
        assertThat(lookups()).as("a throttled address costs no lookup").isEqualTo(before);

        // a key this gateway already knows still works from there; other addresses are not throttled
        assertThat(chat(attacker, valid).statusCode()).isEqualTo(200);
        assertThat(chat(from("127.0.0.1"), "cvn-elsewhere-" + "e".repeat(30)).statusCode()).isEqualTo(401);
    }

    private HttpResponse<String> chat(HttpClient client, String key) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(url("/v1/chat/completions")))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + key)
                .POST(HttpRequest.BodyPublishers.ofString(chat("chat", ""))).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> callerApi(HttpClient client, String key) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(url("/v1/credits"))).header("Authorization", "Bearer " + key)
                .GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpClient from(String address) throws Exception {
        return HttpClient.newBuilder().localAddress(InetAddress.getByName(address))
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    private double lookups() {
        Counter counter = meters.find("caravan.auth.key.lookups").counter();
        return counter == null ? 0 : counter.count();
    }
}
