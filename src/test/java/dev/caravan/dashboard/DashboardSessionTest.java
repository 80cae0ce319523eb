package dev.caravan.dashboard;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.caravan.auth.ApiKeyFormat;
import dev.caravan.support.DashboardClient;
import dev.caravan.support.DatabaseOutage;
import dev.caravan.support.GatewayTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/** Sessions through real HTTP: cookie flags, JWT checks, refresh, logout, password change, CSRF, throttling. */
class DashboardSessionTest extends GatewayTest {

    private static final String PASSWORD = "correct horse battery";

    @Autowired
    private JdbcTemplate jdbc;

    static String newEmail() {
        return "user-" + UUID.randomUUID() + "@example.com";
    }

    @Test
    void signUpSetsHttpOnlySessionCookiesAndTheCsrfCookie() throws Exception {
        DashboardClient browser = new DashboardClient(port);
        HttpResponse<String> page = browser.get("/login");
        assertThat(page.statusCode()).isEqualTo(200);
        String xsrf = setCookie(page, "XSRF-TOKEN");
        assertThat(xsrf).doesNotContainIgnoringCase("HttpOnly").containsIgnoringCase("SameSite=Lax").contains("Path=/");

        String email = newEmail();
        HttpResponse<String> signUp = browser.post("/auth/signup", DashboardClient.body(email, PASSWORD));
        assertThat(signUp.statusCode()).as(signUp.body()).isEqualTo(201);
        String session = setCookie(signUp, "caravan_session");
        assertThat(session).contains("HttpOnly").contains("SameSite=Lax").contains("Path=/").contains("Max-Age=900")
                .doesNotContain("Secure");
        String refresh = setCookie(signUp, "caravan_refresh");
        assertThat(refresh).contains("HttpOnly").contains("SameSite=Strict").contains("Path=/auth");
        assertThat(JSON.readTree(signUp.body()).path("user").path("email").asText()).isEqualTo(email);

        JsonNode account = browser.json("/api/account");
        assertThat(account.path("email").asText()).isEqualTo(email);
        assertThat(account.path("balance").decimalValue()).isZero();
        assertThat(account.path("user").path("email").asText()).isEqualTo(email);
    }

    @Test
    void aStateChangingRequestWithoutTheCsrfTokenIsRefused() throws Exception {
        DashboardClient browser = new DashboardClient(port);
        browser.signUp(newEmail(), PASSWORD);
        HttpResponse<String> noHeader = browser.send(browser.request("/api/keys").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"k\"}")));
        assertThat(noHeader.statusCode()).isEqualTo(403);
        assertThat(JSON.readTree(noHeader.body()).path("error").path("code").asText()).isEqualTo("csrf_token_invalid");
        HttpResponse<String> wrongHeader = browser.send(browser.request("/api/keys").header("Content-Type", "application/json")
                .header("X-XSRF-TOKEN", "not-the-token").POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"k\"}")));
        assertThat(wrongHeader.statusCode()).isEqualTo(403);
        HttpResponse<String> loginWithout = browser.send(browser.request("/auth/login").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(DashboardClient.body("a@example.com", PASSWORD))));
        assertThat(loginWithout.statusCode()).isEqualTo(403);
        assertThat(browser.json("/api/keys").path("data")).isEmpty();

        assertThat(browser.post("/api/keys", "{\"name\":\"k\"}").statusCode()).isEqualTo(201);
    }

    @Test
    void aTamperedForgedOrExpiredSessionJwtIsRefused() throws Exception {
        DashboardClient victim = new DashboardClient(port);
        victim.signUp(newEmail(), PASSWORD);
        String victimAccount = victim.json("/api/account").path("id").asText();
        DashboardClient attacker = new DashboardClient(port);
        attacker.signUp(newEmail(), PASSWORD);
        String jwt = attacker.cookie("caravan_session");
        String[] parts = jwt.split("\\.");

        // the attacker's own token with the victim's account in it, signature kept
        JsonNode claims = JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
        ((com.fasterxml.jackson.databind.node.ObjectNode) claims).put("acct", victimAccount);
        String tampered = parts[0] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(claims.toString().getBytes())
                + "." + parts[2];
        assertThat(withSession(tampered)).isEqualTo(401);
        // unsigned
        String none = Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"none\"}".getBytes()) + "."
                + parts[1] + ".";
        assertThat(withSession(none)).isEqualTo(401);
        // signed with a key of the attacker's choosing
        JWTClaimsSet good = SignedJWT.parse(jwt).getJWTClaimsSet();
        assertThat(withSession(sign(good, new byte[32]))).isEqualTo(401);
        // signed with the gateway's own key, but expired a minute ago
        byte[] realKey = Base64.getDecoder().decode(Files.readString(Path.of(SESSION_KEY_FILE)).trim());
        JWTClaimsSet expired = new JWTClaimsSet.Builder(good).issueTime(Date.from(Instant.now().minusSeconds(1000)))
                .expirationTime(Date.from(Instant.now().minusSeconds(60))).build();
        assertThat(withSession(sign(expired, realKey))).isEqualTo(401);
        // the control: the same claims, signed with the real key and not expired, are accepted
        JWTClaimsSet fresh = new JWTClaimsSet.Builder(good).expirationTime(Date.from(Instant.now().plusSeconds(60))).build();
        assertThat(withSession(sign(fresh, realKey))).isEqualTo(200);
        // a page without a good session goes to /login
        HttpResponse<String> page = HTTP.send(HttpRequest.newBuilder(java.net.URI.create(url("/")))
                .header("Cookie", "caravan_session=" + tampered).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(302);
        assertThat(page.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).endsWith("/login"));
    }

    @Test
    void aRefreshTokenWorksOnceAndItsLaterReuseEndsTheSession() throws Exception {
        DashboardClient browser = new DashboardClient(port);
        browser.signUp(newEmail(), PASSWORD);
        String first = browser.cookie("caravan_refresh");
        HttpResponse<String> refreshed = browser.post("/auth/refresh", "{}");
        assertThat(refreshed.statusCode()).as(refreshed.body()).isEqualTo(200);
        String second = browser.cookie("caravan_refresh");
        assertThat(second).isNotEqualTo(first);
        String renewedJwt = browser.cookie("caravan_session");
        assertThat(withSession(renewedJwt)).isEqualTo(200);

        // a copy of the first token, used again (by a thief or a stale tab) once its grace has passed
        jdbc.update("UPDATE refresh_tokens SET used_at = ? WHERE token_hash = ?",
                Timestamp.from(Instant.now().minus(WebSessions.REFRESH_GRACE).minusSeconds(1)), ApiKeyFormat.sha256(first));
        DashboardClient thief = new DashboardClient(port);
        thief.get("/login");
        thief.setCookie("caravan_refresh", first, "/auth");
        assertThat(thief.post("/auth/refresh", "{}").statusCode()).isEqualTo(401);
        // the whole session ended: the JWT and the newest refresh token with it
        assertThat(withSession(renewedJwt)).isEqualTo(401);
        assertThat(browser.post("/auth/refresh", "{}").statusCode()).isEqualTo(401);
        assertThat(browser.get("/api/account").statusCode()).isEqualTo(401);
    }

    @Test
    void twoTabsRefreshingAtOnceBothStaySignedIn() throws Exception {
        DashboardClient browser = new DashboardClient(port);
        browser.signUp(newEmail(), PASSWORD);
        String shared = browser.cookie("caravan_refresh");
        DashboardClient otherTab = new DashboardClient(port);
        otherTab.get("/login");
        otherTab.setCookie("caravan_refresh", shared, "/auth");
        assertThat(browser.post("/auth/refresh", "{}").statusCode()).isEqualTo(200);
        // the second tab sent the same cookie a moment later: a new JWT, and no refresh token of its own
        HttpResponse<String> late = otherTab.post("/auth/refresh", "{}");
        assertThat(late.statusCode()).as(late.body()).isEqualTo(200);
        assertThat(late.headers().allValues("Set-Cookie")).noneMatch(c -> c.startsWith("caravan_refresh="));
        assertThat(withSession(otherTab.cookie("caravan_session"))).isEqualTo(200);
        assertThat(browser.get("/api/account").statusCode()).isEqualTo(200);
        assertThat(browser.post("/auth/refresh", "{}").statusCode()).isEqualTo(200);
    }

    @Test
    void twoSessionCookiesAreNeitherTaken() throws Exception {
        // a site under the same parent domain can plant its own session cookie beside the browser's
        DashboardClient victim = new DashboardClient(port);
        victim.signUp(newEmail(), PASSWORD);
        DashboardClient planter = new DashboardClient(port);
        planter.signUp(newEmail(), PASSWORD);
        String both = "caravan_session=" + planter.cookie("caravan_session") + "; caravan_session="
                + victim.cookie("caravan_session");
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(java.net.URI.create(url("/api/account")))
                .header("Cookie", both).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(401);
        // the same cookie twice is one cookie
        String twice = "caravan_session=" + victim.cookie("caravan_session") + "; caravan_session="
                + victim.cookie("caravan_session");
        assertThat(HTTP.send(HttpRequest.newBuilder(java.net.URI.create(url("/api/account"))).header("Cookie", twice).GET()
                .build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
    }

    @Test
    void anEncodedPathIsTheSamePathToTheSessionCheck() throws Exception {
        for (String path : List.of("/ap%69/account", "/api/%6beys", "/pages/../api/account")) {
            HttpResponse<String> anonymous = HTTP.send(HttpRequest.newBuilder(java.net.URI.create(url(path))).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(anonymous.statusCode()).as(path).isIn(400, 401);
        }
    }

    @Test
    void aSessionCheckWithTheDatabaseDownIs503NotALogout() throws Exception {
        DashboardClient browser = new DashboardClient(port);
        browser.signUp(newEmail(), PASSWORD);
        DatabaseOutage.down();
        try {
            HttpResponse<String> down = browser.get("/api/account");
            assertThat(down.statusCode()).as(down.body()).isEqualTo(503);
            assertThat(down.headers().firstValue("Retry-After")).isPresent();
            assertThat(JSON.readTree(down.body()).path("error").path("code").asText()).isEqualTo("database_unavailable");
            assertThat(down.headers().allValues("Set-Cookie")).noneMatch(c -> c.startsWith("caravan_session="));
        } finally {
            DatabaseOutage.up();
        }
        assertThat(browser.get("/api/account").statusCode()).isEqualTo(200);
    }

    @Test
    void logoutEndsTheSessionEvenForACopiedJwt() throws Exception {
        DashboardClient browser = new DashboardClient(port);
        browser.signUp(newEmail(), PASSWORD);
        String jwt = browser.cookie("caravan_session");
        HttpResponse<String> logout = browser.post("/auth/logout", "{}");
        assertThat(logout.statusCode()).isEqualTo(204);
        assertThat(setCookie(logout, "caravan_session")).contains("Max-Age=0");
        assertThat(withSession(jwt)).isEqualTo(401);
        assertThat(browser.get("/api/account").statusCode()).isEqualTo(401);
    }

    @Test
    void aPasswordChangeEndsEveryOtherSessionAndTheOldPassword() throws Exception {
        String email = newEmail();
        DashboardClient laptop = new DashboardClient(port);
        laptop.signUp(email, PASSWORD);
        DashboardClient phone = new DashboardClient(port);
        assertThat(phone.logIn(email, PASSWORD).statusCode()).isEqualTo(200);
        String phoneJwt = phone.cookie("caravan_session");
        assertThat(laptop.json("/api/sessions").path("data")).hasSize(2);

        HttpResponse<String> wrong = laptop.post("/api/account/password",
                "{\"current_password\":\"not it at all\",\"new_password\":\"a brand new secret\"}");
        assertThat(wrong.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(wrong.body()).path("error").path("param").asText()).isEqualTo("current_password");
        HttpResponse<String> tooShort = laptop.post("/api/account/password",
                "{\"current_password\":\"" + PASSWORD + "\",\"new_password\":\"short\"}");
        assertThat(JSON.readTree(tooShort.body()).path("error").path("param").asText()).isEqualTo("new_password");

        HttpResponse<String> changed = laptop.post("/api/account/password",
                "{\"current_password\":\"" + PASSWORD + "\",\"new_password\":\"a brand new secret\"}");
        assertThat(changed.statusCode()).as(changed.body()).isEqualTo(204);
        assertThat(withSession(phoneJwt)).isEqualTo(401);
        assertThat(phone.post("/auth/refresh", "{}").statusCode()).isEqualTo(401);
        // the browser that changed it stays signed in, on a new session
        assertThat(laptop.get("/api/account").statusCode()).isEqualTo(200);
        assertThat(laptop.json("/api/sessions").path("data")).hasSize(1);
        assertThat(new DashboardClient(port).logIn(email, PASSWORD).statusCode()).isEqualTo(401);
        assertThat(new DashboardClient(port).logIn(email, "a brand new secret").statusCode()).isEqualTo(200);
    }

    @Test
    void guessingTheCurrentPasswordWithASessionIsThrottledLikeALogin() throws Exception {
        DashboardClient stolen = new DashboardClient(port);
        stolen.signUp(newEmail(), PASSWORD);
        for (int i = 0; i < 5; i++) {
            assertThat(stolen.post("/api/account/password",
                    "{\"current_password\":\"guess " + i + "\",\"new_password\":\"a brand new secret\"}").statusCode())
                    .isEqualTo(400);
        }
        HttpResponse<String> throttled = stolen.post("/api/account/password",
                "{\"current_password\":\"" + PASSWORD + "\",\"new_password\":\"a brand new secret\"}");
        assertThat(throttled.statusCode()).isEqualTo(429);
        assertThat(JSON.readTree(throttled.body()).path("error").path("code").asText()).isEqualTo("too_many_attempts");
    }

    @Test
    void logOutEverywhereEndsEverySession() throws Exception {
        String email = newEmail();
        DashboardClient one = new DashboardClient(port);
        one.signUp(email, PASSWORD);
        DashboardClient two = new DashboardClient(port);
        two.logIn(email, PASSWORD);
        assertThat(two.post("/api/sessions/logout-all", "{}").statusCode()).isEqualTo(204);
        assertThat(one.get("/api/account").statusCode()).isEqualTo(401);
        assertThat(two.get("/api/account").statusCode()).isEqualTo(401);
    }

    @Test
    void anApiKeyNeverOpensTheDashboardAndASessionNeverCallsV1() throws Exception {
        DashboardClient browser = new DashboardClient(port);
        browser.signUp(newEmail(), PASSWORD);
        HttpResponse<String> created = browser.post("/api/keys", "{\"name\":\"laptop\"}");
        assertThat(created.statusCode()).isEqualTo(201);
        String key = JSON.readTree(created.body()).path("key").asText();

        HttpResponse<String> keyOnDashboard = HTTP.send(HttpRequest.newBuilder(java.net.URI.create(url("/api/account")))
                .header("Authorization", "Bearer " + key).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(keyOnDashboard.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(keyOnDashboard.body()).path("error").path("code").asText()).isEqualTo("session_required");

        String cookie = "caravan_session=" + browser.cookie("caravan_session");
        for (HttpRequest request : List.of(
                HttpRequest.newBuilder(java.net.URI.create(url("/v1/chat/completions"))).header("Cookie", cookie)
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(chat("chat", ""))).build(),
                HttpRequest.newBuilder(java.net.URI.create(url("/v1/credits"))).header("Cookie", cookie).GET().build(),
                HttpRequest.newBuilder(java.net.URI.create(url("/v1/usage"))).header("Cookie", cookie).GET().build(),
                HttpRequest.newBuilder(java.net.URI.create(url("/admin/accounts"))).header("Cookie", cookie)
                        .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"x\"}")).build())) {
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(request.uri().getPath()).isEqualTo(401);
        }
    }

    @Test
    void failedLoginsAreThrottledPerAccountFromAnAddressPerAccountAndPerAddress() throws Exception {
        String email = newEmail();
        new DashboardClient(port).signUp(email, PASSWORD);
        // five wrong passwords from one address: that address may not try this account any more...
        DashboardClient guesser = new DashboardClient(port);
        for (int i = 0; i < 5; i++) {
            assertThat(guesser.logIn(email, "wrong password " + i).statusCode()).isEqualTo(401);
        }
        HttpResponse<String> throttled = guesser.logIn(email, PASSWORD);
        assertThat(throttled.statusCode()).isEqualTo(429);
        assertThat(throttled.headers().firstValue("Retry-After")).isPresent();
        assertThat(JSON.readTree(throttled.body()).path("error").path("code").asText()).isEqualTo("too_many_attempts");
        // ...while the owner, elsewhere, still logs in
        assertThat(new DashboardClient(port).logIn(email, PASSWORD).statusCode()).isEqualTo(200);

        // a correct password forgives the address its earlier failures on that account
        DashboardClient forgetful = new DashboardClient(port);
        for (int i = 0; i < 4; i++) {
            assertThat(forgetful.logIn(email, "wrong password " + i).statusCode()).isEqualTo(401);
        }
        assertThat(forgetful.logIn(email, PASSWORD).statusCode()).isEqualTo(200);
        for (int i = 0; i < 4; i++) {
            assertThat(forgetful.logIn(email, "wrong again " + i).statusCode()).isEqualTo(401);
        }
        assertThat(forgetful.logIn(email, PASSWORD).statusCode()).isEqualTo(200);

        // one address trying many accounts: twenty failures, then even an unknown email is refused unchecked
        DashboardClient sprayer = new DashboardClient(port);
        for (int i = 0; i < 20; i++) {
            assertThat(sprayer.logIn(newEmail(), "guess " + i).statusCode()).isEqualTo(401);
        }
        assertThat(sprayer.logIn(newEmail(), "guess").statusCode()).isEqualTo(429);
    }

    @Test
    void concurrentGuessesCannotOutrunTheThrottle() throws Exception {
        String email = newEmail();
        new DashboardClient(port).signUp(email, PASSWORD);
        DashboardClient guesser = new DashboardClient(port);
        guesser.get("/login");
        List<CompletableFuture<Integer>> guesses = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 30; i++) {
                String guess = "guess " + i;
                guesses.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return guesser.logIn(email, guess).statusCode();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }, threads));
            }
        }
        List<Integer> statuses = guesses.stream().map(CompletableFuture::join).toList();
        // the password was checked five times at most: every other guess was refused before it
        assertThat(statuses.stream().filter(s -> s == 401).count()).isLessThanOrEqualTo(5);
        assertThat(statuses).containsOnly(401, 429);
    }

    @Test
    void guessesFromManyAddressesLockTheAccountUntilItsPasswordIsReset() throws Exception {
        String email = newEmail();
        new DashboardClient(port).signUp(email, PASSWORD);
        // 50 failures spread over ten addresses (five each, the most one address may make)
        for (int address = 0; address < 10; address++) {
            DashboardClient guesser = new DashboardClient(port);
            for (int i = 0; i < 5; i++) {
                assertThat(guesser.logIn(email, "guess " + address + "-" + i).statusCode()).isEqualTo(401);
            }
        }
        assertThat(new DashboardClient(port).logIn(email, PASSWORD).statusCode()).isEqualTo(429);
        // the owner proves the mailbox: the lock is lifted
        HttpResponse<String> reset = admin("POST", "/admin/password-resets", "{\"email\":\"" + email + "\"}");
        String token = java.net.URI.create(JSON.readTree(reset.body()).path("link").asText()).getQuery()
                .substring("token=".length());
        DashboardClient owner = new DashboardClient(port);
        assertThat(owner.post("/auth/password-reset/confirm", "{\"token\":\"" + token + "\",\"password\":\"a new password\"}")
                .statusCode()).isEqualTo(204);
        assertThat(owner.logIn(email, "a new password").statusCode()).isEqualTo(200);
    }

    @Test
    void signUpAndLoginRefuseBadInputWithTheFieldNamed() throws Exception {
        DashboardClient browser = new DashboardClient(port);
        assertThat(param(browser.post("/auth/signup", DashboardClient.body("not-an-email", PASSWORD)))).isEqualTo("email");
        assertThat(param(browser.post("/auth/signup", DashboardClient.body(newEmail(), "short")))).isEqualTo("password");
        assertThat(param(browser.post("/auth/signup", "{\"email\":[1],\"password\":\"x\"}"))).isEqualTo("email");
        assertThat(browser.post("/auth/signup", "[]").statusCode()).isEqualTo(400);
        assertThat(browser.post("/auth/signup", "{" + "\"a\":".repeat(1) + "\"" + "x".repeat(20_000) + "\"}").statusCode())
                .isEqualTo(413);
        String email = newEmail();
        browser.signUp(email, PASSWORD);
        HttpResponse<String> again = new DashboardClient(port).post("/auth/signup", DashboardClient.body(email.toUpperCase(), PASSWORD));
        assertThat(again.statusCode()).isEqualTo(409);
        assertThat(param(new DashboardClient(port).logIn(email, ""))).isEqualTo("password");
        // the same answer for an unknown email and a wrong password
        HttpResponse<String> unknown = new DashboardClient(port).logIn(newEmail(), PASSWORD);
        HttpResponse<String> wrong = new DashboardClient(port).logIn(email, "not the password");
        assertThat(unknown.statusCode()).isEqualTo(401);
        assertThat(unknown.body()).isEqualTo(wrong.body());
    }

    private int withSession(String jwt) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(java.net.URI.create(url("/api/account")))
                .header("Cookie", "caravan_session=" + jwt).GET().build(), HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    private static String sign(JWTClaimsSet claims, byte[] key) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
        jwt.sign(new MACSigner(key));
        return jwt.serialize();
    }

    private static String param(HttpResponse<String> response) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        return JSON.readTree(response.body()).path("error").path("param").asText();
    }

    static String setCookie(HttpResponse<String> response, String name) {
        return response.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith(name + "="))
                .reduce((first, last) -> last)
                .orElseThrow(() -> new AssertionError("no Set-Cookie " + name + " in " + response.headers().map()));
    }
}
