package dev.caravan.dashboard;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.caravan.support.Browser;
import dev.caravan.support.GatewayTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Base of the dashboard's browser tests: the real gateway (GatewayTest's shared context) driven by
 * the one headless Chromium of {@link Browser}, starting every test logged out.
 */
abstract class BrowserTest extends GatewayTest {

    static final String PASSWORD = "correct horse battery";

    WebDriver browser;
    WebDriverWait wait;

    @BeforeEach
    void openBrowser() {
        browser = Browser.fresh();
        wait = Browser.waiting(browser);
        Browser.policyViolations(browser); // reading the console empties it: start from nothing
    }

    /** No page of the test broke its Content-Security-Policy (inline script or style, another origin). */
    @AfterEach
    void nothingRefusedByThePolicy() {
        assertThat(Browser.policyViolations(browser)).isEmpty();
    }

    void open(String path) {
        browser.get(url(path));
    }

    /** The path the browser is on now. */
    String path() {
        return URI.create(browser.getCurrentUrl()).getPath();
    }

    WebElement visible(String css) {
        return wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(css)));
    }

    /** Signs a new user up through the form; returns its email. The browser ends logged in, on the overview. */
    String signUp() {
        String email = "pages-" + UUID.randomUUID() + "@example.test";
        open("/signup");
        fill("#email", email);
        fill("#password", PASSWORD);
        browser.findElement(By.cssSelector("#signup-form button[type=submit]")).click();
        wait.until(driver -> path().equals("/"));
        return email;
    }

    void fill(String css, String text) {
        WebElement field = visible(css);
        field.clear();
        field.sendKeys(text);
    }

    /** Creates a key on the keys page; returns the secret the page shows once, when the list shows the key. */
    String createKey(String name) {
        open("/keys");
        fill("#name", name);
        browser.findElement(By.cssSelector("#create-form button[type=submit]")).click();
        String key = visible("#new-key-value").getText();
        keyRow(name);
        return key;
    }

    /**
     * The keys table's row of the key named {@code name}, once there. Found in one script, so that
     * the table being drawn again meanwhile cannot leave the search holding a removed row.
     */
    WebElement keyRow(String name) {
        return wait.until(driver -> (WebElement) script("return [...document.querySelectorAll('#keys tr[data-key-id]')]"
                + ".find(row => row.querySelector('.key-name').textContent === arguments[0]) || null", name));
    }

    /** A JSON API call from the page, with the browser's session: what the pages themselves see. */
    @SuppressWarnings("unchecked")
    Map<String, Object> fromPage(String apiPath) {
        return (Map<String, Object>) ((JavascriptExecutor) browser).executeAsyncScript(
                "const done = arguments[arguments.length - 1];"
                        + "fetch(arguments[0], {credentials: 'same-origin'}).then(r => r.json()).then(done, e => done(null));",
                apiPath);
    }

    /** Tops the signed-in user's account up through the admin API (a new account has no credit). */
    String topUp(String amount) throws Exception {
        String accountId = String.valueOf(fromPage("/api/account").get("id"));
        int status = addCredits(accountId, amount, "pages-" + UUID.randomUUID()).statusCode();
        if (status != 200 && status != 201) {
            throw new AssertionError("top-up of account " + accountId + " answered " + status);
        }
        return accountId;
    }

    Object script(String script, Object... args) {
        return ((JavascriptExecutor) browser).executeScript(script, args);
    }

    List<String> texts(String css) {
        return browser.findElements(By.cssSelector(css)).stream().map(WebElement::getText).toList();
    }
}
