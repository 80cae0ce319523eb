package dev.caravan.payments;

import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import dev.caravan.support.FakeRazorpay;
import dev.caravan.support.PostgresTestDatabase;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Exactly-once crediting on PostgreSQL (CARAVAN_TEST_PG_URL, as the billing tests): concurrent webhook
 * deliveries race in separate transactions, where only the database's constraints can decide.
 */
class PostgresPaymentsTest extends TopUpTest {

    @DynamicPropertySource
    static void postgres(DynamicPropertyRegistry registry) {
        PostgresTestDatabase.register(registry);
    }

    @Test
    void runsOnPostgresql() {
        assertThat(jdbc.queryForObject("SELECT version()", String.class)).startsWith("PostgreSQL");
    }

    @Test
    void aWebhookAndItsCallbackRacingTwentyTimesCreditOnce() throws Exception {
        Buyer buyer = new Buyer();
        String orderId = buyer.order("50").path("order_id").asText();
        String paymentId = RAZORPAY.pay(orderId);
        String event = FakeRazorpay.orderPaidEvent(RAZORPAY.order(orderId), RAZORPAY.payment(paymentId));

        List<String> outcomes = replayConcurrently(event, 20);

        assertThat(outcomes).containsOnlyOnce("credited");
        assertThat(buyer.verify(orderId, paymentId, FakeRazorpay.checkoutSignature(orderId, paymentId)).statusCode())
                .isEqualTo(200);
        assertThat(buyer.balance()).isEqualByComparingTo(new BigDecimal("50"));
        assertThat(creditEntries(buyer.accountId)).isEqualTo(1);
        assertLedgerBalances(buyer.accountId);
    }

    @Test
    void refundRequestsRacingRefundOnce() throws Exception {
        Buyer buyer = new Buyer();
        buyer.buy("10");
        buyer.spend("1");
        List<Callable<HttpResponse<String>>> requests = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            requests.add(() -> buyer.refund("{}"));
        }
        List<Integer> statuses = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(6)) {
            for (Future<HttpResponse<String>> answer : pool.invokeAll(requests)) {
                statuses.add(answer.get().statusCode());
            }
        }
        assertThat(statuses).containsOnlyOnce(200);
        assertThat(jdbc.queryForObject("SELECT SUM(credit) FROM payment_refunds WHERE account_id = ?", BigDecimal.class,
                buyer.accountId)).isEqualByComparingTo("9");
        assertLedgerBalances(buyer.accountId);
    }
}
