package dev.caravan.payments;

import java.math.BigDecimal;
import java.util.List;

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
}
