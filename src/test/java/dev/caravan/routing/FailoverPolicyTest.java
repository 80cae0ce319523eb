package dev.caravan.routing;

import java.math.BigDecimal;
import java.net.http.HttpResponse;

import dev.caravan.catalog.Backend;
import dev.caravan.catalog.CurrentCatalog;
import dev.caravan.support.FakeOpenAiUpstream;
import dev.caravan.support.GatewayTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Providers with their own {@code failover} policy (test-models.yaml): {@code keeper} does not fail
 * over on 429; {@code quota} fails over only when unreachable or on the upstream code
 * {@code insufficient_quota}. Each is the cheaper first candidate of a model whose second is
 * {@code spare}. The default policy is FailoverTest's.
 */
class FailoverPolicyTest extends GatewayTest {

    private static final FakeOpenAiUpstream KEEPER = FakeOpenAiUpstream.named("keeper");
    private static final FakeOpenAiUpstream QUOTA = FakeOpenAiUpstream.named("quota");
    private static final FakeOpenAiUpstream SPARE = FakeOpenAiUpstream.named("spare");

    @Autowired
    BackendBreakers breakers;
    @Autowired
    CurrentCatalog catalog;

    @AfterEach
    void upstreamsAnswerAgain() {
        KEEPER.behave(null);
        QUOTA.behave(null);
        SPARE.behave(null);
    }

    @ParameterizedTest(name = "stream={0}")
    @CsvSource({"false", "true"})
    void aProviderThatDoesNotFailOverOn429ReturnsItWithRetryAfterAndCallsNoOtherBackend(boolean stream) throws Exception {
        KEEPER.behave("status-429");
        String key = newFundedKey("1");
        long spareCalls = SPARE.chatRequests();
        long keeperFailures = breakers.of(keeper()).getMetrics().getNumberOfFailedCalls();

        HttpResponse<String> response = post("/v1/chat/completions",
                chat("keeper-then-spare", stream ? "\"stream\":true" : ""), key);

        assertThat(response.statusCode()).isEqualTo(429);
        assertThat(response.headers().firstValue("Retry-After")).hasValue("7");
        assertThat(json(response).path("error").path("code").asText()).isEqualTo("upstream_rate_limited");
        assertThat(attempts(response)).matches("keeper/ok 429 \\d+ms");
        assertThat(SPARE.chatRequests()).as("the next candidate is not called").isEqualTo(spareCalls);
        assertThat(settledCredits(key).path("total_usage").decimalValue()).isZero();
        assertThat(breakers.of(keeper()).getMetrics().getNumberOfFailedCalls())
                .as("returned to the client, and still a failure for the breaker").isEqualTo(keeperFailures + 1);
    }

    private Backend keeper() {
        return catalog.get().backends().stream().filter(b -> b.id().equals("keeper/ok")).findFirst().orElseThrow();
    }

    @Test
    void theSameProviderStillFailsOverOnTheOutcomesItLists() throws Exception {
        KEEPER.behave("status-503");

        HttpResponse<String> response = post("/v1/chat/completions", chat("keeper-then-spare", ""));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(backend(response)).isEqualTo("spare/ok");
        assertThat(attempts(response)).matches("keeper/ok 503 \\d+ms, spare/ok 200 \\d+ms");
    }

    @Test
    void aProviderThatFailsOverOnAnUpstreamCodeDoesSoForThatCodeOnly() throws Exception {
        QUOTA.behave("status-429-insufficient_quota");
        String key = newFundedKey("1");

        HttpResponse<String> quotaSpent = post("/v1/chat/completions", chat("quota-then-spare", ""), key);

        assertThat(quotaSpent.statusCode()).isEqualTo(200);
        assertThat(backend(quotaSpent)).isEqualTo("spare/ok");
        assertThat(attempts(quotaSpent)).matches("quota/ok 429 \\d+ms, spare/ok 200 \\d+ms");
        // 11 prompt tokens x $3/M + 7 completion tokens x $4/M: spare's price only
        assertThat(settledCredits(key).path("total_usage").decimalValue()).isEqualByComparingTo(new BigDecimal("0.000061"));

        QUOTA.behave("status-429-rate_limit_exceeded");
        long spareCalls = SPARE.chatRequests();

        HttpResponse<String> rateLimited = post("/v1/chat/completions", chat("quota-then-spare", ""));

        assertThat(rateLimited.statusCode()).isEqualTo(429);
        assertThat(attempts(rateLimited)).matches("quota/ok 429 \\d+ms");
        assertThat(SPARE.chatRequests()).isEqualTo(spareCalls);
    }
}
