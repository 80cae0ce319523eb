package dev.caravan.routing;

import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import dev.caravan.metering.TokenCounter;
import dev.caravan.support.GatewayTest;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hedging on request, switched on (a context of its own): model {@code unhedged}, {@code lagging}
 * (cheaper, $1 in, silent for 3 s) then {@code spare} ($3 / $4). The client's 1 ms is clamped to the
 * floor, and the abandoned attempt's prompt is charged to the request at its backend's input price.
 */
@TestPropertySource(properties = {"caravan.routing.client-hedging.enabled=true",
        "caravan.routing.client-hedging.min-after=300ms"})
class ClientHedgingTest extends GatewayTest {

    /** 11 prompt tokens x $3/M + 7 completion tokens x $4/M */
    private static final BigDecimal SPARE_COST = new BigDecimal("0.000061");
    private static final Pattern LOSER = Pattern.compile("lagging/slow-first-byte cancelled (\\d+)ms, spare/ok 200 \\d+ms");

    @Autowired
    MeterRegistry metrics;

    @ParameterizedTest(name = "stream={0}")
    @ValueSource(booleans = {false, true})
    void theClientsHedgeWaitsAtLeastTheFloorAndPaysForThePromptItAbandoned(boolean stream) throws Exception {
        String key = newFundedKey("1");
        String body = chat("unhedged", "\"stream\":" + stream + ",\"provider\":{\"hedge_after_ms\":1}");
        double chargedBefore = abandoned("true");

        HttpResponse<String> response = post("/v1/chat/completions", body, key);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(backend(response)).isEqualTo("spare/ok");
        Matcher loser = LOSER.matcher(attempts(response));
        assertThat(loser.matches()).as(attempts(response)).isTrue();
        // the second attempt started no sooner than the floor, whatever the client asked
        assertThat(Long.parseLong(loser.group(1))).isGreaterThanOrEqualTo(300);
        long prompt = new TokenCounter().countPrompt(JSON.readTree(body));
        BigDecimal hedge = BigDecimal.valueOf(prompt).movePointLeft(6); // x $1/M, lagging's input price
        assertThat(settledCredits(key).path("total_usage").decimalValue()).isEqualByComparingTo(SPARE_COST.add(hedge));
        if (!stream) {
            JsonNode usage = json(response).path("usage");
            assertThat(usage.path("cost").decimalValue()).isEqualByComparingTo(SPARE_COST.add(hedge));
            assertThat(usage.path("cost_details").path("abandoned_hedges").decimalValue()).isEqualByComparingTo(hedge);
        }
        assertThat(abandoned("true")).isEqualTo(chargedBefore + 1);
    }

    private double abandoned(String charged) {
        var counter = metrics.find("caravan.hedge.abandoned").tags("backend", "lagging/slow-first-byte", "charged", charged)
                .counter();
        return counter == null ? 0 : counter.count();
    }
}
