package dev.caravan.routing;

import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import dev.caravan.support.FakeOpenAiUpstream;
import dev.caravan.support.GatewayTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Model {@code failover}: {@code flaky} (cheaper, first) and {@code spare}, each its own fake server.
 * What the client sees when the first candidate fails before answering, and what it pays.
 */
class FailoverTest extends GatewayTest {

    private static final FakeOpenAiUpstream FLAKY = FakeOpenAiUpstream.named("flaky");
    private static final FakeOpenAiUpstream SPARE = FakeOpenAiUpstream.named("spare");
    /** 11 prompt tokens x $3/M + 7 completion tokens x $4/M */
    private static final BigDecimal SPARE_COST = new BigDecimal("0.000061");

    @AfterEach
    void upstreamsAnswerAgain() {
        FLAKY.behave(null);
        SPARE.behave(null);
    }

    @ParameterizedTest(name = "stream={0}")
    @CsvSource({"false", "true"})
    void anOverloadedAnthropicBackendFailsOverToAnOpenAiCompatibleOne(boolean stream) throws Exception {
        String key = newFundedKey("1");

        HttpResponse<String> response = post("/v1/chat/completions",
                chat("claude-then-openai", stream ? "\"stream\":true,\"stream_options\":{\"include_usage\":true}" : ""), key);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(backend(response)).isEqualTo("fake/ok");
        // Anthropic's 529 overloaded_error (the upstream's own status in the attempts) is retryable like a 503
        assertThat(attempts(response)).matches("fake-anthropic/claude-overloaded 529 \\d+ms, fake/ok 200 \\d+ms");
        BigDecimal cost = stream
                ? streamChunks(response).getLast().path("usage").path("cost").decimalValue()
                : json(response).path("usage").path("cost").decimalValue();
        // charged at the OpenAI-compatible backend's price only: 11 x $5/M + 7 x $20/M
        assertThat(cost).isEqualByComparingTo("0.000195");
    }

    @ParameterizedTest(name = "{0}, stream={2}")
    @CsvSource({
            "status-503, 503, false", "status-503, 503, true",
            "status-429, 429, false", "status-429, 429, true",
            "reset, unreachable, false", "reset, unreachable, true",
            "hang, timeout, false", "hang, timeout, true",
            "malformed, error, false", "malformed, error, true"})
    void aFailingFirstCandidateIsAnsweredByTheNextAndNotCharged(String failure, String shownAs, boolean stream)
            throws Exception {
        FLAKY.behave(failure);
        String key = newFundedKey("1");
        long flakyCalls = FLAKY.chatRequests();

        HttpResponse<String> response = post("/v1/chat/completions",
                chat("failover", stream ? "\"stream\":true,\"stream_options\":{\"include_usage\":true}" : ""), key);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(backend(response)).isEqualTo("spare/ok");
        assertThat(attempts(response)).matches("flaky/ok " + shownAs + " \\d+ms, spare/ok 200 \\d+ms");
        assertThat(FLAKY.chatRequests() - flakyCalls).isEqualTo(1);
        BigDecimal cost = stream
                ? streamChunks(response).getLast().path("usage").path("cost").decimalValue()
                : json(response).path("usage").path("cost").decimalValue();
        assertThat(cost).isEqualByComparingTo(SPARE_COST);
        if (stream) {
            assertThat(streamChunks(response)).allSatisfy(c -> assertThat(c.path("provider").asText()).isEqualTo("spare"));
        }
        assertThat(settledCredits(key).path("total_usage").decimalValue()).isEqualByComparingTo(SPARE_COST);
    }

    @Test
    void theClientsOwnMistakeIsReturnedNotRetriedElsewhere() throws Exception {
        FLAKY.behave("status-400");
        long spareCalls = SPARE.chatRequests();

        HttpResponse<String> response = post("/v1/chat/completions", chat("failover", ""));

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(json(response).path("error").path("message").asText()).contains("upstream says 400");
        assertThat(attempts(response)).matches("flaky/ok 400 \\d+ms");
        assertThat(SPARE.chatRequests()).isEqualTo(spareCalls);
    }

    @Test
    void whenEveryCandidateFailsTheLastErrorIsReturnedNamingEachAttemptAndNothingIsCharged() throws Exception {
        FLAKY.behave("status-503");
        SPARE.behave("status-500");
        String key = newFundedKey("1");

        HttpResponse<String> response = post("/v1/chat/completions", chat("failover", ""), key);

        assertThat(response.statusCode()).isEqualTo(502);
        String message = json(response).path("error").path("message").asText();
        assertThat(message).contains("No backend of 'failover' could answer").contains("flaky/ok 503")
                .contains("spare/ok 500").contains("upstream says 500");
        assertThat(attempts(response)).matches("flaky/ok 503 \\d+ms, spare/ok 500 \\d+ms");
        JsonNode credits = settledCredits(key);
        assertThat(credits.path("total_usage").decimalValue()).isZero();
        assertThat(credits.path("balance").decimalValue()).isEqualByComparingTo(BigDecimal.ONE);
    }

    @Test
    void aStreamCutMidwayEndsWithAnErrorChunkIsBilledForWhatWasDeliveredAndIsNotReplayed() throws Exception {
        String key = newFundedKey("1");
        long spareCalls = SPARE.chatRequests();

        HttpResponse<String> response = post("/v1/chat/completions",
                chat("cut-then-spare", "\"stream\":true,\"stream_options\":{\"include_usage\":true}"), key);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(backend(response)).isEqualTo("fake/cut-stream");
        List<JsonNode> chunks = streamChunks(response);
        JsonNode last = chunks.getLast();
        assertThat(last.path("choices").get(0).path("finish_reason").asText()).isEqualTo("error");
        assertThat(last.path("error").path("code").asText()).isEqualTo("stream_interrupted");
        assertThat(chunks.stream().filter(c -> c.path("choices").path(0).path("delta").path("content").asText("")
                .startsWith("cut"))).hasSize(3);
        assertThat(SPARE.chatRequests()).as("no silent switch after the first byte").isEqualTo(spareCalls);
        BigDecimal billed = last.path("usage").path("cost").decimalValue();
        assertThat(billed).isPositive();
        assertThat(settledCredits(key).path("total_usage").decimalValue()).isEqualByComparingTo(billed);
    }
}
