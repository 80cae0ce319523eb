package dev.caravan.dashboard;

import java.nio.file.Files;
import java.nio.file.Path;

import dev.caravan.support.Browser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.ExpectedConditions;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The screenshots of docs/dashboard.md: {@code bin/screenshots} runs this with
 * {@code -Dcaravan.screenshots=docs/images}; the suite skips it. An account with some traffic, then
 * one 1280x800 PNG per page.
 */
@EnabledIfSystemProperty(named = "caravan.screenshots", matches = ".+")
class DashboardScreenshotsTest extends BrowserTest {

    @Test
    void takesOneScreenshotPerPage() throws Exception {
        open("/login");
        Browser.viewport(browser, Browser.SCREENSHOT);
        visible("#login-form");
        shoot("login");
        open("/models"); // as a visitor sees it: the page is public
        visible("#models tr[data-model]");
        shoot("models");

        signUp();
        topUp("25");
        String production = createKey("production");
        String staging = createKey("staging");
        for (int i = 0; i < 6; i++) {
            assertThat(post("/v1/chat/completions", chat(i % 3 == 0 ? "claude" : "chat", ""), production).statusCode()).isEqualTo(200);
        }
        assertThat(post("/v1/chat/completions", chat("gemini", ""), staging).statusCode()).isEqualTo(200);
        assertThat(post("/v1/chat/completions", chat("demo", ""), staging).statusCode()).isEqualTo(200);
        settledCredits(production);
        settledCredits(staging);

        open("/");
        wait.until(driver -> !driver.findElements(By.cssSelector("#chart rect")).isEmpty());
        shoot("overview");
        open("/keys");
        visible("#keys tr[data-key-id]");
        shoot("keys");
        open("/usage");
        visible("#live.is-live");
        visible("#usage tr[data-request-id]");
        shoot("usage");
        open("/account");
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#sessions tbody tr")));
        visible("#email");
        shoot("account");
    }

    private void shoot(String page) throws Exception {
        assertThat(Browser.screenshot(browser, page)).isTrue();
        Path file = Path.of(System.getProperty("caravan.screenshots"), page + ".png");
        assertThat(Files.size(file)).isPositive();
    }
}
