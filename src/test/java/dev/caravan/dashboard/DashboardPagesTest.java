package dev.caravan.dashboard;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import dev.caravan.support.Browser;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;

import static org.assertj.core.api.Assertions.assertThat;

/** The dashboard pages in a real browser: public catalogue, redirects, inert user text, phone screens, form errors. */
class DashboardPagesTest extends BrowserTest {

    @Test
    void theModelsPageShowsTheCatalogueWithoutLogin() {
        open("/models");

        WebElement chat = visible("#models tr[data-model='chat']");
        // test-models.yaml: chat costs $2.50 in, $10 out, $1.25 cached per 1M tokens
        assertThat(chat.findElement(By.cssSelector(".price-input")).getText()).isEqualTo("$2.50");
        assertThat(chat.findElement(By.cssSelector(".price-output")).getText()).isEqualTo("$10.00");
        assertThat(chat.findElement(By.cssSelector(".price-cached")).getText()).isEqualTo("$1.25");
        assertThat(chat.getText()).contains("128,000", "text, image → text", "vision");
        assertThat(visible("#models tr[data-model='spill']").getText()).contains("free · free tier");
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#site-nav li")));
        assertThat(texts("#site-nav a")).contains("Log in", "Sign up").doesNotContain("API keys");
        assertThat(browser.findElements(By.id("logout"))).isEmpty();
    }

    @Test
    void theDashboardWithoutASessionSendsToTheLoginForm() {
        open("/");

        wait.until(driver -> path().equals("/login"));
        assertThat(browser.findElement(By.cssSelector("#login-form input[type=email]")).isDisplayed()).isTrue();
        assertThat(browser.findElement(By.cssSelector("#login-form input[type=password]")).isDisplayed()).isTrue();
        assertThat(browser.findElement(By.cssSelector("#login-form button[type=submit]")).isDisplayed()).isTrue();
    }

    @Test
    void loggingInReturnsToTheAskedPageButNeverToAnotherSite() {
        String email = signUp();
        browser = Browser.fresh();
        open("/keys");
        wait.until(driver -> path().equals("/login"));
        logIn(email);
        wait.until(driver -> path().equals("/keys"));

        browser = Browser.fresh();
        open("/login?next=" + URLEncoder.encode("//evil.example/keys", StandardCharsets.UTF_8));
        logIn(email);
        wait.until(driver -> path().equals("/"));
        assertThat(URI.create(browser.getCurrentUrl()).getHost()).isEqualTo("127.0.0.1");
    }

    private void logIn(String email) {
        fill("#email", email);
        fill("#password", PASSWORD);
        browser.findElement(By.cssSelector("#login-form button[type=submit]")).click();
    }

    @Test
    void aKeyNamedLikeAScriptRendersAsText() {
        String name = "<script>window.pwned=1</script><img src=x onerror=\"window.pwned=2\">";
        signUp();

        createKey(name);

        assertThat(keyRow(name).findElement(By.cssSelector(".key-name")).getText()).isEqualTo(name);
        open("/usage"); // the key filter lists it too
        wait.until(driver -> !driver.findElements(By.cssSelector("#key_id option[value]:not([value=''])")).isEmpty());
        assertThat(texts("#key_id option")).anyMatch(option -> option.startsWith(name));
        assertThat(script("return typeof window.pwned")).isEqualTo("undefined");
    }

    @Test
    void formsShowTheirErrorsInWordsNextToTheField() {
        String email = signUp();
        browser.manage().deleteAllCookies();
        open("/signup");

        // the browser's own check: too short
        fill("#email", email);
        fill("#password", "short");
        browser.findElement(By.cssSelector("#signup-form button[type=submit]")).click();
        assertThat(visible("#password-error").getText()).isNotBlank();
        assertThat(browser.findElement(By.id("password")).getAttribute("aria-invalid")).isEqualTo("true");
        assertThat(browser.findElement(By.id("password")).getAttribute("aria-describedby")).contains("password-error");

        // the server's: the email has a user already (409, param email)
        fill("#password", PASSWORD);
        browser.findElement(By.cssSelector("#signup-form button[type=submit]")).click();
        assertThat(visible("#email-error").getText()).isNotBlank();
        assertThat(browser.findElement(By.id("password-error")).getText()).isEmpty();
        assertThat(path()).isEqualTo("/signup");
    }

    @Test
    void aKeyIsCreatedWithItsLimitsAndShowsThem() {
        signUp();
        open("/keys");
        fill("#name", "limited");
        fill("#spend_limit", "5");
        fill("#rpm_limit", "60");
        // a date input takes the digits as typed in its own order (en-US here: month, day, year)
        fill("#expires_at", "12312099");
        browser.findElement(By.cssSelector("#create-form button[type=submit]")).click();

        assertThat(visible("#new-key-value").getText()).isNotBlank();
        WebElement row = keyRow("limited");
        assertThat(row.getText()).contains("$5.00", "60", "active");
        assertThat(row.findElement(By.cssSelector(".expires")).getText()).isNotEqualTo("never");
        // the day picked is the last day the key works: it expires as that day ends (UTC)
        @SuppressWarnings("unchecked")
        Map<String, Object> key = ((List<Map<String, Object>>) fromPage("/api/keys").get("data")).get(0);
        assertThat(key.get("expires_at")).isEqualTo("2100-01-01T00:00:00Z");
    }

    @Test
    void usageFiltersNarrowTheTableAndTheExportAndIncludeTheLastDay() throws Exception {
        signUp();
        topUp("1");
        String key = createKey("filtered");
        assertThat(post("/v1/chat/completions", chat("chat", ""), key).statusCode()).isEqualTo(200);
        String echoId = post("/v1/chat/completions", chat("echo", ""), key).headers().firstValue("X-Request-Id").orElseThrow();
        open("/usage");
        wait.until(driver -> driver.findElements(By.cssSelector("#usage tr[data-request-id]")).size() == 2);

        fill("#model", "echo");
        String today = LocalDate.now(ZoneOffset.UTC).toString();
        script("arguments[0].value = arguments[1]", browser.findElement(By.id("to")), today);
        browser.findElement(By.cssSelector("#filters button[type=submit]")).click();

        wait.until(driver -> driver.findElements(By.cssSelector("#usage tr[data-request-id]")).size() == 1);
        assertThat(browser.findElement(By.cssSelector("#usage tr[data-request-id]")).getAttribute("data-request-id"))
                .isEqualTo(echoId);
        String export = browser.findElement(By.id("export")).getAttribute("href");
        assertThat(export).contains("/api/usage.csv?", "model=echo",
                "to=" + LocalDate.now(ZoneOffset.UTC).plusDays(1));
    }

    @Test
    void theAccountPageChangesThePasswordAndRequestsDeletion() throws Exception {
        String email = signUp();
        String key = createKey("doomed");
        open("/account");
        assertThat(visible("#email").getText()).isEqualTo(email);

        fill("#current_password", "not the password");
        fill("#new_password", "a brand new password");
        browser.findElement(By.cssSelector("#password-form button[type=submit]")).click();
        assertThat(visible("#current_password-error").getText()).isNotBlank();
        fill("#current_password", PASSWORD);
        browser.findElement(By.cssSelector("#password-form button[type=submit]")).click();
        assertThat(visible("#password-status").getText()).contains("Password changed");
        assertThat(browser.findElement(By.id("current_password-error")).getText()).isEmpty();

        visible("#request-deletion").click();
        visible("#confirm-deletion").click(); // the second step: nothing is sent before it
        assertThat(visible("#deletion-status").getText()).contains("Deletion requested");
        assertThat(post("/v1/chat/completions", chat("chat", ""), key).statusCode()).isEqualTo(401);
    }

    @Test
    void everyPageFitsAPhoneScreen() {
        Browser.viewport(browser, Browser.PHONE);
        Map<String, String> publicPages = Map.of("/models", "#models tbody tr", "/login", "#site-nav li",
                "/signup", "#site-nav li");
        publicPages.forEach(this::assertFitsTheScreen);
        signUp();
        createKey("phone key");
        Map<String, String> privatePages = Map.of("/", "#legend li", "/keys", "#keys tbody tr",
                "/usage", "#usage tbody tr", "/account", "#sessions tbody tr");
        privatePages.forEach(this::assertFitsTheScreen);
    }

    /** No sideways scrolling of the page itself: wide tables scroll inside their own box. */
    private void assertFitsTheScreen(String path, String renderedWhen) {
        open(path);
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector(renderedWhen)));
        @SuppressWarnings("unchecked")
        List<Long> widths = (List<Long>) script(
                "return [document.documentElement.scrollWidth, document.documentElement.clientWidth];");
        assertThat(widths.get(0)).as(path + " scroll width vs viewport; too wide: " + script(
                "return [...document.querySelectorAll('body *')].filter(e => !e.closest('.table-scroll') && e.getBoundingClientRect().right > innerWidth)"
                + ".slice(0, 8).map(e => e.tagName + '.' + e.className + '#' + e.id + ' ' + Math.round(e.getBoundingClientRect().right)).join(', ')"))
                .isLessThanOrEqualTo(widths.get(1));
    }
}
