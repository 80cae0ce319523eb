package dev.caravan.support;

import java.io.IOException;
import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.HttpCookie;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * One browser's worth of the dashboard over real HTTP: its own cookie jar, and the CSRF header echoed
 * from the XSRF-TOKEN cookie as the pages do. Each client comes from its own loopback address, so the
 * per-address throttles of one test never reach another's.
 */
public final class DashboardClient {

    private static final AtomicInteger NEXT_ADDRESS = new AtomicInteger(10);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String base;
    private final CookieManager cookies = new CookieManager(null, CookiePolicy.ACCEPT_ALL);
    private final HttpClient http;
    private final String address;

    public DashboardClient(int port) {
        this(port, nextAddress());
    }

    public DashboardClient(int port, String address) {
        this.base = "http://127.0.0.1:" + port;
        this.address = address;
        try {
            this.http = HttpClient.newBuilder().cookieHandler(cookies).localAddress(InetAddress.getByName(address))
                    .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(5)).build();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** A loopback address no other client of this JVM uses. */
    public static String nextAddress() {
        int n = NEXT_ADDRESS.getAndIncrement();
        return "127.0." + (n / 250 + 1) + "." + (n % 250 + 1);
    }

    public String address() {
        return address;
    }

    public HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return send(request(path).GET());
    }

    public HttpResponse<String> post(String path, String json) throws IOException, InterruptedException {
        return send(withCsrf(request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json))));
    }

    public HttpResponse<String> delete(String path) throws IOException, InterruptedException {
        return send(withCsrf(request(path).DELETE()));
    }

    /** Sends as given: no CSRF header added. */
    public HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest.Builder request, HttpResponse.BodyHandler<T> body) {
        return http.sendAsync(request.build(), body);
    }

    public <T> HttpResponse<T> send(HttpRequest.Builder request, HttpResponse.BodyHandler<T> body)
            throws IOException, InterruptedException {
        return http.send(request.build(), body);
    }

    public HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
    }

    /** Signs up (fetching the CSRF cookie first, as the page load would) and expects a session. */
    public JsonNode signUp(String email, String password) throws IOException, InterruptedException {
        HttpResponse<String> response = post("/auth/signup", body(email, password));
        if (response.statusCode() != 201) {
            throw new AssertionError("sign-up failed: " + response.statusCode() + " " + response.body());
        }
        return JSON.readTree(response.body());
    }

    public HttpResponse<String> logIn(String email, String password) throws IOException, InterruptedException {
        return post("/auth/login", body(email, password));
    }

    public JsonNode json(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = get(path);
        if (response.statusCode() != 200) {
            throw new AssertionError(path + ": " + response.statusCode() + " " + response.body());
        }
        return JSON.readTree(response.body());
    }

    public String cookie(String name) {
        return cookies.getCookieStore().getCookies().stream().filter(c -> c.getName().equals(name))
                .map(HttpCookie::getValue).findFirst().orElse(null);
    }

    /** Puts a cookie in the jar as a browser holding it would send it. */
    public void setCookie(String name, String value, String path) {
        cookies.getCookieStore().getCookies().stream().filter(c -> c.getName().equals(name)).toList()
                .forEach(c -> cookies.getCookieStore().remove(URI.create(base), c));
        HttpCookie cookie = new HttpCookie(name, value);
        cookie.setPath(path);
        cookie.setVersion(0);
        cookies.getCookieStore().add(URI.create(base + path), cookie);
    }

    private HttpRequest.Builder withCsrf(HttpRequest.Builder request) throws IOException, InterruptedException {
        if (cookie("XSRF-TOKEN") == null) {
            get("/login");
        }
        return request.header("X-XSRF-TOKEN", cookie("XSRF-TOKEN"));
    }

    public static String body(String email, String password) {
        return JSON.createObjectNode().put("email", email).put("password", password).toString();
    }
}
