package dev.caravan.dashboard;

import java.math.BigDecimal;
import java.net.http.HttpResponse;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The journey in a real browser: sign up, create a key, call the API with it and watch the
 * request arrive live on the Usage page with its cost, revoke the key, see it refused, log out.
 */
class DashboardJourneyTest extends BrowserTest {

    @Test
    void signUpCreateAKeySeeItsRequestLiveRevokeItAndLogOut() throws Exception {
        signUp();
        assertThat(visible("#balance").getText()).isEqualTo("$0.00");
        topUp("10");
        String key = createKey("journey key");
        // how to use it: no public URL is configured here, so the page's own origin
        assertThat(visible("#base-url").getText()).isEqualTo(url("/v1"));
        assertThat(visible("#usage-snippet").getText())
                .contains("curl " + url("/v1") + "/chat/completions", "Bearer " + key, "base_url=\"" + url("/v1") + "\"");
        browser.findElement(By.id("copy-key")).click();
        // copied, or (clipboard refused, as a headless browser may) selected for Ctrl+C: either way it says so
        wait.until(driver -> !driver.findElement(By.id("copy-status")).getText().isBlank());
        WebElement row = keyRow("journey key");
        assertThat(key).startsWith(row.findElement(By.cssSelector("code")).getText().replace("…", ""));
        assertThat(row.findElement(By.cssSelector(".key-status")).getText()).isEqualTo("active");

        open("/usage");
        visible("#live.is-live"); // listening before the request is made
        HttpResponse<String> answered = post("/v1/chat/completions", chat("chat", ""), key);
        assertThat(answered.statusCode()).isEqualTo(200);
        String requestId = answered.headers().firstValue("X-Request-Id").orElseThrow();
        BigDecimal cost = json(answered).path("usage").path("cost").decimalValue();

        // live: within the wait, without a reload (the page's own rows are not reloaded by anything else)
        WebElement usage = visible("#usage tr[data-request-id='" + requestId + "']");
        String shownCost = usage.findElement(By.cssSelector(".cost")).getText();
        assertThat(shownCost).matches("\\$0\\.\\d+");
        assertThat(new BigDecimal(shownCost.substring(1))).isEqualByComparingTo(cost);
        assertThat(usage.getText()).contains("chat", "fake/ok");

        open("/keys");
        keyRow("journey key").findElement(By.cssSelector("button.revoke")).click();
        visible(".confirm-revoke").click();
        wait.until(driver -> keyRow("journey key").findElement(By.cssSelector(".key-status")).getText().equals("revoked"));
        HttpResponse<String> refused = post("/v1/chat/completions", chat("chat", ""), key);
        assertThat(refused.statusCode()).isEqualTo(401);
        JsonNode error = json(refused).path("error");
        assertThat(error.path("message").asText()).isNotBlank();

        visible("#logout").click();
        wait.until(driver -> path().equals("/login"));
        open("/");
        wait.until(driver -> path().equals("/login"));
        assertThat(browser.findElements(By.id("logout"))).isEmpty();
    }
}
