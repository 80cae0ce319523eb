package dev.caravan.admin;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import dev.caravan.api.GatewayException;
import dev.caravan.support.GatewayTest;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The admin API refuses bad input with clear OpenAI-shaped 4xx errors. */
class AdminApiTest extends GatewayTest {

    @Test
    void createsAnAccountAndShowsAKeyOnlyOnce() throws Exception {
        HttpResponse<String> created = admin("POST", "/admin/accounts", "{\"name\":\"Lin\",\"email\":\"lin@example.com\"}");
        assertThat(created.statusCode()).isEqualTo(201);
        String id = json(created).path("id").asText();
        assertThat(json(created).path("balance").decimalValue()).isZero();

        HttpResponse<String> key = admin("POST", "/admin/accounts/" + id + "/keys",
                "{\"name\":\"ci\",\"rpm_limit\":60,\"spend_limit\":\"12.5\",\"expires_at\":\"2099-01-01T00:00:00Z\"}");
        assertThat(key.statusCode()).isEqualTo(201);
        JsonNode body = json(key);
        String secret = body.path("key").asText();
        assertThat(secret).startsWith("cvn-").hasSizeGreaterThan(40);
        assertThat(secret).startsWith(body.path("prefix").asText());
        assertThat(body.path("spend_limit").decimalValue()).isEqualByComparingTo("12.5");

        String listed = admin("GET", "/admin/accounts/" + id + "/keys", null).body();
        assertThat(listed).contains(body.path("id").asText()).doesNotContain(secret);
    }

    @Test
    void listsAndSearchesAccountsNewestFirstPageByPage() throws Exception {
        String tag = "find-" + System.nanoTime();
        List<String> made = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            HttpResponse<String> created = admin("POST", "/admin/accounts",
                    "{\"name\":\"Team " + i + "\",\"email\":\"ops" + i + "@" + tag + ".example\"}");
            made.add(json(created).path("id").asText());
            Thread.sleep(2);
        }
        // part of the email, in another case: the five, newest first, two a page
        List<String> seen = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode page = json(admin("GET", "/admin/accounts?limit=2&q=" + tag.toUpperCase()
                    + (cursor == null ? "" : "&cursor=" + cursor), null));
            page.path("data").forEach(a -> seen.add(a.path("id").asText()));
            cursor = page.path("has_more").asBoolean() ? page.path("next_cursor").asText() : null;
        } while (cursor != null);
        assertThat(seen).containsExactlyElementsOf(made.reversed());

        // a wildcard in the search is a character, not a pattern
        assertThat(json(admin("GET", "/admin/accounts?q=%25", null)).path("data")).isEmpty();
        assertThat(json(admin("GET", "/admin/accounts?q=_", null)).path("data")).isEmpty();
        assertError(admin("GET", "/admin/accounts?limit=0", null), 400, "limit");
        assertError(admin("GET", "/admin/accounts?limit=abc", null), 400, "limit");
        assertError(admin("GET", "/admin/accounts?cursor=acct_nonexistent", null), 400, "cursor");
        assertError(admin("GET", "/admin/accounts?cursor=a%27b", null), 400, "cursor");
        assertThat(HTTP.send(HttpRequest.newBuilder(URI.create(url("/admin/accounts"))).GET().build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
    }

    @Test
    void refusesBadInputWithClearErrors() throws Exception {
        String account = createAccount("Bad Input");
        assertError(admin("POST", "/admin/accounts", "{\"name\":"), 400, null);
        assertError(admin("POST", "/admin/accounts", "[]"), 400, null);
        assertError(admin("POST", "/admin/accounts", "{}"), 400, "name");
        assertError(admin("POST", "/admin/accounts", "{\"name\":42}"), 400, "name");
        assertError(addCredits(account, "-5", "neg"), 400, "amount");
        assertError(addCredits(account, "0", "zero"), 400, "amount");
        assertError(addCredits(account, "\"ten\"", "text"), 400, "amount");
        assertError(addCredits(account, "0.0000000000001", "too-precise"), 400, "amount");
        assertError(admin("POST", "/admin/accounts/" + account + "/credits", "{\"amount\":5}"), 400, "Idempotency-Key");
        assertError(addCredits("acct_nope", "5", "unknown"), 404, null);
        assertError(admin("GET", "/admin/accounts/acct_nope", null), 404, null);
        assertError(admin("POST", "/admin/accounts/acct_nope/keys", "{\"name\":\"x\"}"), 404, null);
        assertError(admin("POST", "/admin/accounts/" + account + "/keys", "{\"name\":\"x\",\"rpm_limit\":0}"), 400, "rpm_limit");
        assertError(admin("POST", "/admin/accounts/" + account + "/keys", "{\"name\":\"x\",\"spend_limit\":-1}"), 400, "spend_limit");
        assertError(admin("POST", "/admin/accounts/" + account + "/keys", "{\"name\":\"x\",\"expires_at\":\"soon\"}"), 400, "expires_at");
        assertError(admin("DELETE", "/admin/keys/key_nope", null), 404, null);
        assertError(admin("GET", "/admin/accounts/" + account + "/usage?limit=0", null), 400, "limit");
        assertError(admin("GET", "/admin/accounts/" + account + "/usage?from=yesterday", null), 400, "from");
        assertThat(json(admin("GET", "/admin/accounts/" + account, null)).path("balance").decimalValue()).isZero();
    }

    @Test
    void refusesValuesThatCannotFitBeforeTheDatabase() throws Exception {
        String account = createAccount("Long Values");
        String longId = "acct_" + "x".repeat(300);
        String key = "{\"name\":\"x\"}";

        // an id that cannot exist is simply not found
        assertError(admin("GET", "/admin/accounts/" + longId, null), 404, null);
        assertError(addCredits(longId, "5", "long-id"), 404, null);
        assertError(admin("POST", "/admin/accounts/" + longId + "/keys", key), 404, null);
        assertError(admin("GET", "/admin/accounts/" + longId + "/keys", null), 404, null);
        assertError(admin("GET", "/admin/accounts/" + longId + "/usage", null), 404, null);
        assertError(admin("DELETE", "/admin/keys/key_" + "x".repeat(300), null), 404, null);
        // Tomcat itself refuses an encoded NUL in a path (400) before the application sees it
        assertThat(admin("GET", "/admin/accounts/acct%00x", null).statusCode()).isIn(400, 404);

        assertError(admin("POST", "/admin/accounts", "{\"name\":\"" + "n".repeat(201) + "\"}"), 400, "name");
        assertError(admin("POST", "/admin/accounts", "{\"name\":\"nul\\u0000name\"}"), 400, "name");
        assertError(admin("POST", "/admin/accounts", "{\"name\":\"x\",\"email\":\"" + "e".repeat(321) + "\"}"), 400, "email");
        assertError(addCredits(account, "5", "k".repeat(201)), 400, "Idempotency-Key");
        assertError(HTTP.send(HttpRequest.newBuilder(URI.create(url("/admin/accounts/" + account + "/credits")))
                .header("Authorization", "Bearer " + ADMIN_TOKEN).header("Content-Type", "application/json")
                .header("Idempotency-Key", "long-reference").POST(HttpRequest.BodyPublishers.ofString(
                        "{\"amount\":5,\"reference\":\"" + "r".repeat(201) + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString()), 400, "reference");
        assertError(admin("POST", "/admin/accounts/" + account + "/keys", "{\"name\":\"" + "n".repeat(201) + "\"}"), 400, "name");
        assertError(admin("POST", "/admin/accounts/" + account + "/keys", "{\"name\":\"x\",\"max_concurrent_requests\":0}"),
                400, "max_concurrent_requests");
        assertError(admin("POST", "/admin/accounts/" + account + "/keys", "{\"name\":\"x\",\"max_concurrent_requests\":\"many\"}"),
                400, "max_concurrent_requests");
        assertError(admin("GET", "/admin/accounts/" + account + "/usage?model=" + "m".repeat(201), null), 400, "model");
        assertThat(json(admin("GET", "/admin/accounts/" + account, null)).path("balance").decimalValue()).isZero();
    }

    @Test
    void aKeyCanHaveItsOwnConcurrencyLimit() throws Exception {
        String account = createAccount("Concurrency");

        HttpResponse<String> created = admin("POST", "/admin/accounts/" + account + "/keys",
                "{\"name\":\"x\",\"max_concurrent_requests\":3}");

        assertThat(created.statusCode()).isEqualTo(201);
        assertThat(json(created).path("max_concurrent_requests").asInt()).isEqualTo(3);
    }

    @Test
    void refusesAWrongOrMissingAdminToken() throws Exception {
        HttpResponse<String> wrong = HTTP.send(HttpRequest.newBuilder(URI.create(url("/admin/accounts")))
                .header("Authorization", "Bearer not-the-token").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"x\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertError(wrong, 401, null);
        HttpResponse<String> missing = HTTP.send(HttpRequest.newBuilder(URI.create(url("/admin/accounts/x"))).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertError(missing, 401, null);
        // an API key is not an admin token
        HttpResponse<String> apiKeyAsAdmin = HTTP.send(HttpRequest.newBuilder(URI.create(url("/admin/accounts/x")))
                .header("Authorization", "Bearer " + apiKey()).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertError(apiKeyAsAdmin, 401, null);
    }

    @Test
    void isOffWithoutAnAdminToken() {
        AdminToken off = new AdminToken("");

        assertThatThrownBy(() -> off.check("Bearer "))
                .isInstanceOfSatisfying(GatewayException.class, e -> {
                    assertThat(e.status()).isEqualTo(403);
                    assertThat(e.getMessage()).contains("CARAVAN_ADMIN_TOKEN");
                });
    }

    private static void assertError(HttpResponse<String> response, int status, String param) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        JsonNode error = json(response).path("error");
        assertThat(error.path("message").asText()).isNotBlank();
        assertThat(error.path("type").asText()).isNotBlank();
        if (param != null) {
            assertThat(error.path("param").asText()).isEqualTo(param);
        }
        assertThat(response.body()).doesNotContain("Exception", "at dev.");
    }
}
