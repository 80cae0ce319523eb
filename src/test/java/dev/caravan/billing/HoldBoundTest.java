package dev.caravan.billing;

import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.caravan.support.FakeOpenAiUpstream;
import dev.caravan.support.GatewayTest;
import dev.caravan.support.TestMedia;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The hold is a hard bound: against an upstream that delivers as much as each request allows
 * ({@code overdeliver}: n choices, each as long as the output limit it received, the prompt at the
 * gateway's own bound for its content parts), an account with $0.10 is never charged more than it
 * held, and the charge is the cost of the reported usage at catalog prices ($2.50 / $20.00 per 1M).
 */
class HoldBoundTest extends GatewayTest {

    private static final BigDecimal INPUT = new BigDecimal("2.50");
    private static final BigDecimal OUTPUT = new BigDecimal("20.00");
    private static final String CREDIT = "0.10";

    private static final String LOW_IMAGE = "{\"type\":\"image_url\",\"image_url\":{\"url\":\""
            + TestMedia.dataUrl("image/png", TestMedia.png(1024, 1024)) + "\",\"detail\":\"low\"}}";
    private static final String HIGH_IMAGE = "{\"type\":\"image_url\",\"image_url\":{\"url\":\""
            + TestMedia.dataUrl("image/jpeg", TestMedia.jpeg(4000, 3000, 600)) + "\",\"detail\":\"high\"}}";
    private static final String REMOTE_IMAGE = "{\"type\":\"image_url\",\"image_url\":{\"url\":"
            + "\"https://images.example/photo.jpg\"}}";

    @Autowired
    JdbcTemplate jdbc;

    @AfterEach
    void letAnswersGo() {
        UPSTREAM.releaseAnswers();
    }

    static Stream<Arguments> cells() {
        List<Arguments> cells = new ArrayList<>();
        for (String model : List.of("overdeliver", "overdeliver-completion-field")) {
            for (int n : new int[] {1, 3, 100}) {
                for (String limit : List.of("", "\"max_tokens\":16", "\"max_completion_tokens\":20")) {
                    for (String image : List.of("", LOW_IMAGE, HIGH_IMAGE, REMOTE_IMAGE)) {
                        cells.add(Arguments.of(model, n, limit, image));
                    }
                }
            }
        }
        return cells.stream();
    }

    @ParameterizedTest(name = "{0} n={1} {2} image={3}")
    @MethodSource("cells")
    void theChargeNeverExceedsTheHoldAndIsTheCostOfTheReportedUsage(String model, int n, String limit, String image)
            throws Exception {
        TestAccount account = newAccount(CREDIT);
        String body = request(model, n, limit, image);

        UPSTREAM.holdAnswers();
        CompletableFuture<HttpResponse<String>> answer = HTTP.sendAsync(chatRequest(body, account.key()),
                HttpResponse.BodyHandlers.ofString());
        BigDecimal held = heldWhileTheUpstreamAnswers(account.id());
        UPSTREAM.releaseAnswers();
        HttpResponse<String> response = answer.get();

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode usage = json(response).path("usage");
        BigDecimal cost = cost(usage.path("prompt_tokens").asLong(), usage.path("completion_tokens").asLong());
        assertThat(usage.path("cost").decimalValue()).isEqualByComparingTo(cost);
        JsonNode credits = settledCredits(account.key());
        assertThat(credits.path("total_usage").decimalValue()).as("charged").isEqualByComparingTo(cost);
        assertThat(cost).as("cost against the hold of " + held).isLessThanOrEqualTo(held);
        assertThat(held).isLessThanOrEqualTo(new BigDecimal(CREDIT));
        assertThat(credits.path("balance").decimalValue().signum()).isNotNegative();

        JsonNode sent = UPSTREAM.requests().getLast().body();
        String field = model.equals("overdeliver") ? "max_tokens" : "max_completion_tokens";
        String other = model.equals("overdeliver") ? "max_completion_tokens" : "max_tokens";
        assertThat(sent.path(field).asLong()).as("the output limit, in the provider's own field").isPositive();
        assertThat(sent.has(other)).isFalse();
        assertThat(sent.path("n").asInt(1)).isEqualTo(n);
    }

    /** The reproduction: 5 concurrent requests, n=100, max_tokens=16, on $0.10. */
    @Test
    void fiveConcurrentRequestsForAHundredChoicesAskTheUpstreamForNoMoreThanTheAccountCanPay() throws Exception {
        TestAccount account = newAccount(CREDIT);
        int before = UPSTREAM.requests().size();
        List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            answers.add(HTTP.sendAsync(chatRequest(request("overdeliver", 100, "\"max_tokens\":16", ""), account.key()),
                    HttpResponse.BodyHandlers.ofString()));
        }
        BigDecimal answered = BigDecimal.ZERO;
        for (CompletableFuture<HttpResponse<String>> answer : answers) {
            HttpResponse<String> response = answer.get();
            assertThat(response.statusCode()).as(response.body()).isIn(200, 402);
            if (response.statusCode() == 200) {
                answered = answered.add(json(response).path("usage").path("cost").decimalValue());
            }
        }

        BigDecimal asked = BigDecimal.ZERO;
        for (FakeOpenAiUpstream.Recorded sent : UPSTREAM.requests().subList(before, UPSTREAM.requests().size())) {
            long perChoice = Math.max(sent.body().path("max_tokens").asLong(), sent.body().path("max_completion_tokens").asLong());
            assertThat(perChoice).as("an output limit was sent").isPositive();
            asked = asked.add(cost(0, sent.body().path("n").asInt(1) * perChoice));
        }
        assertThat(asked).as("output the upstream was asked for").isLessThanOrEqualTo(new BigDecimal(CREDIT));
        JsonNode credits = settledCredits(account.key());
        assertThat(credits.path("total_usage").decimalValue()).isEqualByComparingTo(answered);
        assertThat(credits.path("balance").decimalValue().signum()).isNotNegative();
    }

    private static String request(String model, int n, String limit, String image) {
        String content = image.isEmpty() ? "\"Describe it\""
                : "[{\"type\":\"text\",\"text\":\"Describe it\"}," + image + "]";
        return "{\"model\":\"" + model + "\",\"n\":" + n + (limit.isEmpty() ? "" : "," + limit)
                + ",\"messages\":[{\"role\":\"user\",\"content\":" + content + "}]}";
    }

    private HttpRequest chatRequest(String body, String key) {
        return HttpRequest.newBuilder(URI.create(url("/v1/chat/completions")))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + key)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    /** The hold of the account's one request, read while the upstream keeps its answer back. */
    private BigDecimal heldWhileTheUpstreamAnswers(String accountId) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 10_000;
        while (UPSTREAM.waitingAnswers() == 0 && System.currentTimeMillis() < deadline) {
            Thread.sleep(10);
        }
        assertThat(UPSTREAM.waitingAnswers()).as("the upstream was called").isEqualTo(1);
        return jdbc.queryForObject("SELECT amount FROM holds WHERE account_id = ?", BigDecimal.class, accountId);
    }

    private static BigDecimal cost(long promptTokens, long completionTokens) {
        return INPUT.multiply(BigDecimal.valueOf(promptTokens)).add(OUTPUT.multiply(BigDecimal.valueOf(completionTokens)))
                .movePointLeft(6);
    }
}
