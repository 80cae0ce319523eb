package dev.caravan.dashboard;

import java.net.http.HttpResponse;

import dev.caravan.support.DashboardClient;
import dev.caravan.support.FakeRazorpay;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Credits page in Chromium: a top-up through the fake Razorpay Checkout (loaded from its
 * configured address, which the page's policy allows), the balance rising, a refund asked and listed.
 */
class CreditsPageTest extends BrowserTest {

    @Test
    void aTopUpThroughCheckoutRaisesTheBalanceAndARefundIsListed() {
        signUp();
        open("/credits");
        visible("#packs button.pack[data-amount='10']").click();
        browser.findElement(By.cssSelector("#topup-form button[type=submit]")).click();

        wait.until(driver -> visible("#balance").getText().equals("$10.00"));
        assertThat(visible("#status").getText()).contains("$10.00 added");
        assertThat(texts("#purchases tbody tr[data-order-id] td")).contains("$10.00", "paid");
        visible("#purchases tbody tr[data-order-id] button").click();
        assertThat(visible("#receipt-payment").getText()).startsWith("pay_");
        assertThat(visible("#receipt-rate").getText()).isEqualTo("90 INR per USD");
        assertThat(visible("#refundable").getText()).isEqualTo("$10.00");

        visible("#request-refund").click();
        wait.until(driver -> !browser.findElements(By.cssSelector("#refunds tbody tr[data-refund-id]")).isEmpty());
        wait.until(driver -> visible("#balance").getText().equals("$0.00"));
        assertThat(texts("#refunds tbody .refund-status")).containsExactly("pending");
        assertThat(visible("#refund-status").getText()).contains("Refund of $10.00 requested");
    }

    @Test
    void onlyTheCreditsPageAllowsTheCheckoutOrigin() throws Exception {
        String origin = FakeRazorpay.get().origin();
        HttpResponse<String> credits = new DashboardClient(port).get("/pages/credits.html");
        assertThat(credits.headers().firstValue("Content-Security-Policy").orElseThrow())
                .contains("script-src 'self' " + origin + ";").contains("frame-src " + origin);
        HttpResponse<String> account = new DashboardClient(port).get("/login");
        assertThat(account.headers().firstValue("Content-Security-Policy").orElseThrow())
                .doesNotContain(origin).contains("script-src 'self';");
    }
}
