package dev.caravan.routing;

import java.math.BigDecimal;
import java.net.http.HttpResponse;

import dev.caravan.support.FakeOpenAiUpstream;
import dev.caravan.support.GatewayTest;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Model {@code hedged} (hedge-after 200 ms): {@code lagging} (cheaper, first, silent for 3 s before it
 * answers) and {@code spare}. The model's hedging is the operator's: the loser is not charged.
 * Hedging on request: {@link ClientHedgingTest}.
 */
class HedgingTest extends GatewayTest {

    @Autowired
    MeterRegistry metrics;

    private static final FakeOpenAiUpstream LAGGING = FakeOpenAiUpstream.named("lagging");
    /** 11 prompt tokens x $3/M + 7 completion tokens x $4/M */
    private static final BigDecimal SPARE_COST = new BigDecimal("0.000061");

    @ParameterizedTest(name = "{0}, stream={1}")
    @CsvSource({"hedged, false, ''", "hedged, true, ''"})
    void aSlowFirstCandidateLosesToTheNextOneAndItsRequestIsAborted(String model, boolean stream, String hedging)
            throws Exception {
        String key = newFundedKey("1");
        int abortedBefore = LAGGING.abortedAnswers();
        double uncharged = operatorsHedges();
        String fields = (stream ? "\"stream\":true" : "\"stream\":false") + (hedging.isEmpty() ? "" : "," + hedging);

        HttpResponse<String> response = post("/v1/chat/completions", chat(model, fields), key);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(backend(response)).isEqualTo("spare/ok");
        assertThat(attempts(response)).matches("lagging/slow-first-byte cancelled \\d+ms, spare/ok 200 \\d+ms");
        // the loser's connection was closed: when it finally answers, nobody is there to read it
        long deadline = System.currentTimeMillis() + 10_000;
        while (LAGGING.abortedAnswers() == abortedBefore && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
        }
        assertThat(LAGGING.abortedAnswers()).isGreaterThan(abortedBefore);
        assertThat(settledCredits(key).path("total_usage").decimalValue()).isEqualByComparingTo(SPARE_COST);
        // the model's hedging is the operator's cost: counted, not charged
        assertThat(operatorsHedges()).isEqualTo(uncharged + 1);
    }

    private double operatorsHedges() {
        Counter counter = metrics.find("caravan.hedge.abandoned")
                .tags("backend", "lagging/slow-first-byte", "charged", "false").counter();
        return counter == null ? 0 : counter.count();
    }
}
