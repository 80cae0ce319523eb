package dev.caravan.dashboard;

import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import dev.caravan.support.DashboardClient;
import dev.caravan.support.GatewayTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Deleting an account from the dashboard and through the admin API: closed at once, then erased by
 * the job (run here as it would run 30 days later), with no personal data left in any table and the
 * ledger still adding up.
 */
class AccountDeletionTest extends GatewayTest {

    private static final String PASSWORD = "a long enough password";

    @Autowired
    JdbcTemplate jdbc;
    @Autowired
    AccountDeletions deletions;

    @Test
    void theOwnerDeletesTheAccountItIsClosedAtOnceAndErasedByTheJob() throws Exception {
        String email = "leaving-" + UUID.randomUUID() + "@example.com";
        DashboardClient browser = new DashboardClient(port);
        JsonNode signedUp = browser.signUp(email, PASSWORD);
        String accountId = browser.json("/api/account").path("id").asText();
        String keyName = "laptop of " + email;
        HttpResponse<String> created = browser.post("/api/keys", "{\"name\":\"" + keyName + "\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String key = json(created).path("key").asText();
        addCredits(accountId, "5", "deletion-" + UUID.randomUUID());
        assertThat(post("/v1/chat/completions", chat("chat", ""), key).statusCode()).isEqualTo(200);
        settledCredits(key);
        DashboardClient otherBrowser = new DashboardClient(port);
        assertThat(otherBrowser.logIn(email, PASSWORD).statusCode()).isEqualTo(200);

        HttpResponse<String> deletion = browser.post("/api/account/deletion", "{}");
        assertThat(deletion.statusCode()).as(deletion.body()).isEqualTo(202);

        // closed at once: keys, both sessions, the password, a new key from the operator
        assertThat(post("/v1/chat/completions", chat("chat", ""), key).statusCode()).isEqualTo(401);
        assertThat(otherBrowser.get("/api/account").statusCode()).isEqualTo(401);
        assertThat(new DashboardClient(port).logIn(email, PASSWORD).statusCode()).isEqualTo(401);
        assertThat(admin("POST", "/admin/accounts/" + accountId + "/keys", "{\"name\":\"again\"}").statusCode())
                .isEqualTo(409);
        assertThat(pendingIds()).contains(accountId);

        assertThat(deletions.eraseDue(Instant.now().plus(Duration.ofDays(30)))).isPositive();

        assertThat(pendingIds()).doesNotContain(accountId);
        assertNowhere(email, keyName, signedUp.path("user").path("email").asText());
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM web_sessions s JOIN users u ON u.id = s.user_id "
                + "WHERE u.account_id = ? AND s.user_agent IS NOT NULL", Integer.class, accountId)).isZero();
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM refresh_tokens r JOIN web_sessions s ON s.id = r.session_id "
                + "JOIN users u ON u.id = s.user_id WHERE u.account_id = ?", Integer.class, accountId)).isZero();
        assertLedgerAddsUp(accountId);
        // still closed, and the email is free for a new account
        assertThat(post("/v1/chat/completions", chat("chat", ""), key).statusCode()).isEqualTo(401);
        DashboardClient newcomer = new DashboardClient(port);
        newcomer.signUp(email, PASSWORD);
        assertThat(newcomer.json("/api/account").path("id").asText()).isNotEqualTo(accountId);
    }

    @Test
    void theOperatorDeletesAnAccountAndListsPendingDeletions() throws Exception {
        String name = "Departing Ltd " + UUID.randomUUID();
        String email = "billing-" + UUID.randomUUID() + "@departing.example";
        HttpResponse<String> created = admin("POST", "/admin/accounts",
                "{\"name\":\"" + name + "\",\"email\":\"" + email + "\"}");
        String accountId = json(created).path("id").asText();
        addCredits(accountId, "3", "deletion-" + UUID.randomUUID());
        String key = newKey(accountId, "{\"name\":\"ci key\"}");
        assertThat(post("/v1/chat/completions", chat("chat", ""), key).statusCode()).isEqualTo(200);
        settledCredits(key);

        HttpResponse<String> deletion = admin("POST", "/admin/accounts/" + accountId + "/deletion", "");
        assertThat(deletion.statusCode()).as(deletion.body()).isEqualTo(202);
        assertThat(json(deletion).path("account_id").asText()).isEqualTo(accountId);
        // asking again changes nothing
        assertThat(json(admin("POST", "/admin/accounts/" + accountId + "/deletion", "")).path("deletion_requested_at"))
                .isEqualTo(json(deletion).path("deletion_requested_at"));
        JsonNode pending = json(admin("GET", "/admin/deletions", null));
        JsonNode listed = null;
        for (JsonNode each : pending.path("data")) {
            if (each.path("account_id").asText().equals(accountId)) {
                listed = each;
            }
        }
        assertThat(listed).isNotNull();
        assertThat(Instant.parse(listed.path("erase_by").asText()))
                .isEqualTo(Instant.parse(listed.path("deletion_requested_at").asText()).plus(Duration.ofDays(30)));
        assertThat(post("/v1/chat/completions", chat("chat", ""), key).statusCode()).isEqualTo(401);
        // nobody can be invited to own it
        assertThat(admin("POST", "/admin/accounts/" + accountId + "/invite", "{\"email\":\"new@departing.example\"}")
                .statusCode()).isEqualTo(409);

        // not due yet: nothing is erased
        deletions.eraseDue(Instant.now());
        assertThat(pendingIds()).contains(accountId);
        deletions.eraseDue(Instant.now().plus(Duration.ofDays(30)));
        assertThat(pendingIds()).doesNotContain(accountId);
        assertNowhere(email, name);
        assertLedgerAddsUp(accountId);
        assertThat(admin("POST", "/admin/accounts/unknown_account/deletion", "").statusCode()).isEqualTo(404);
    }

    private List<String> pendingIds() throws Exception {
        List<String> ids = new ArrayList<>();
        json(admin("GET", "/admin/deletions", null)).path("data").forEach(d -> ids.add(d.path("account_id").asText()));
        return ids;
    }

    /** No row of any table holds any of these strings, in any column (case-insensitive). */
    private void assertNowhere(String... personal) {
        List<String> tables = jdbc.queryForList("SELECT table_name FROM information_schema.tables "
                + "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'", String.class);
        assertThat(tables).contains("users", "accounts", "web_sessions", "api_keys", "usage_records", "ledger_entries");
        for (String table : tables) {
            for (Map<String, Object> row : jdbc.queryForList("SELECT * FROM " + table)) {
                for (Object value : row.values()) {
                    String text = String.valueOf(value).toLowerCase();
                    for (String data : personal) {
                        assertThat(text).as(table).doesNotContain(data.toLowerCase());
                    }
                }
            }
        }
    }

    private void assertLedgerAddsUp(String accountId) {
        BigDecimal balance = jdbc.queryForObject("SELECT balance FROM accounts WHERE id = ?", BigDecimal.class, accountId);
        BigDecimal credits = jdbc.queryForObject(
                "SELECT COALESCE(SUM(amount), 0) FROM credit_purchases WHERE account_id = ?", BigDecimal.class, accountId);
        BigDecimal usage = jdbc.queryForObject(
                "SELECT COALESCE(SUM(cost), 0) FROM usage_records WHERE account_id = ?", BigDecimal.class, accountId);
        assertThat(usage.signum()).isPositive();
        assertThat(balance).isEqualByComparingTo(credits.subtract(usage));
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM usage_records WHERE account_id = ? AND balance_after IS NULL",
                Integer.class, accountId)).isZero();
    }
}
