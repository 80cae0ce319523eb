package dev.caravan.support;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * One headless Chromium for the whole test JVM, shared by the browser tests and quit when the JVM
 * ends: starting a browser costs about a second of a shared CPU, a test class should not pay it.
 *
 * <p>Debian's {@code chromium} and {@code chromium-driver} (bin/test installs them), named by path:
 * with both the driver and the browser given, Selenium never runs Selenium Manager, so nothing is
 * downloaded at run time and the tests work offline.
 *
 * <p>{@code -Dcaravan.screenshots=<dir>} makes {@link #screenshot} write PNGs there (bin/screenshots).
 */
public final class Browser {

    public static final String CHROMIUM = "/usr/bin/chromium";
    public static final String CHROMEDRIVER = "/usr/bin/chromedriver";
    public static final Dimension DESKTOP = new Dimension(1280, 900);
    public static final Dimension SCREENSHOT = new Dimension(1280, 800);
    public static final Dimension PHONE = new Dimension(390, 844);

    private static ChromeDriver driver;

    private Browser() {
    }

    /**
     * The browser on a blank page, with no cookie left from an earlier test and the desktop window
     * size: each test starts logged out.
     */
    public static synchronized WebDriver fresh() {
        if (driver == null) {
            driver = start();
            Runtime.getRuntime().addShutdownHook(new Thread(Browser::quit, "browser-quit"));
        }
        driver.get("about:blank");
        // every cookie of every path: WebDriver's deleteAllCookies() spares those of other paths, such
        // as a refresh cookie scoped to /auth, which would log the next test in again
        driver.executeCdpCommand("Network.clearBrowserCookies", Map.of());
        driver.manage().window().setSize(DESKTOP);
        return driver;
    }

    /**
     * Sizes the window so that the page itself (the viewport) has {@code size}: a window's size
     * includes whatever the browser draws around the page.
     */
    public static void viewport(WebDriver browser, Dimension size) {
        browser.manage().window().setSize(size);
        @SuppressWarnings("unchecked")
        List<Long> inner = (List<Long>) ((JavascriptExecutor) browser)
                .executeScript("return [window.innerWidth, window.innerHeight];");
        browser.manage().window().setSize(new Dimension(2 * size.width - inner.get(0).intValue(),
                2 * size.height - inner.get(1).intValue()));
    }

    /** A short explicit wait: the pages answer within milliseconds, a few seconds is already a failure. */
    public static WebDriverWait waiting(WebDriver browser) {
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(5), Duration.ofMillis(50));
        // a page that draws a list again replaces its elements: look again rather than fail
        wait.ignoring(StaleElementReferenceException.class);
        return wait;
    }

    /** Saves the viewport as {@code <name>.png} when screenshots are asked for; returns whether it did. */
    public static boolean screenshot(WebDriver browser, String name) throws IOException {
        String directory = System.getProperty("caravan.screenshots");
        if (directory == null || directory.isBlank()) {
            return false;
        }
        Path target = Path.of(directory).resolve(name + ".png");
        Files.createDirectories(target.getParent());
        Files.write(target, ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
        return true;
    }

    /** What the browser's console said since last asked that mentions the Content-Security-Policy. */
    public static List<String> policyViolations(WebDriver browser) {
        return browser.manage().logs().get(LogType.BROWSER).getAll().stream().map(LogEntry::getMessage)
                .filter(message -> message.contains("Content Security Policy")).toList();
    }

    private static ChromeDriver start() {
        if (!new File(CHROMEDRIVER).canExecute() || !new File(CHROMIUM).canExecute()) {
            throw new IllegalStateException("The browser tests need Debian's chromium and chromium-driver ("
                    + CHROMIUM + ", " + CHROMEDRIVER + "): bin/test installs them, or apt-get install chromium chromium-driver");
        }
        System.setProperty("webdriver.chrome.driver", CHROMEDRIVER);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER))
                .usingAnyFreePort()
                .build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                "--window-size=" + DESKTOP.width + "," + DESKTOP.height,
                // no first-run, sync, translation or component update traffic: the tests run offline
                "--no-first-run", "--disable-sync", "--disable-extensions", "--disable-component-update",
                "--disable-background-networking", "--disable-features=Translate,OptimizationHints,MediaRouter");
        // the console, so that tests can see what the Content-Security-Policy refused
        options.setCapability("goog:loggingPrefs", Map.of(LogType.BROWSER, "ALL"));
        return new ChromeDriver(service, options);
    }

    private static synchronized void quit() {
        if (driver != null) {
            driver.quit();
            driver = null;
        }
    }
}
