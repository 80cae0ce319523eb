package dev.caravan.dashboard;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caravan.api.GatewayException;
import dev.caravan.billing.Accounts;
import dev.caravan.billing.BillingJson;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The signed-in person's account: overview figures, spend per day and model, password, sessions,
 * and the request to delete the account. Every account id comes from the session ({@link SessionUser}).
 */
@RestController
@RequestMapping(path = "/api", produces = "application/json")
public class AccountApiController {

    private final Accounts accounts;
    private final Users users;
    private final WebSessions sessions;
    private final SessionCookies cookies;
    private final DashboardQueries queries;
    private final BillingJson billingJson;
    private final JsonBody jsonBody;
    private final OneTimeTokens tokens;
    private final ObjectMapper json;
    private final LoginThrottle throttle;
    private final AccountDeletions deletions;

    public AccountApiController(Accounts accounts, Users users, WebSessions sessions, SessionCookies cookies,
                                DashboardQueries queries, BillingJson billingJson, JsonBody jsonBody, OneTimeTokens tokens,
                                ObjectMapper json, LoginThrottle throttle, AccountDeletions deletions) {
        this.throttle = throttle;
        this.tokens = tokens;
        this.accounts = accounts;
        this.users = users;
        this.sessions = sessions;
        this.cookies = cookies;
        this.queries = queries;
        this.billingJson = billingJson;
        this.jsonBody = jsonBody;
        this.json = json;
        this.deletions = deletions;
    }

    @GetMapping("/account")
    public ObjectNode account() {
        SessionUser me = SessionUser.current();
        Accounts.Account account = accounts.get(me.accountId());
        ObjectNode node = billingJson.account(account);
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        BillingJson.money(node, "spent_today", queries.spentSince(me.accountId(), today.atStartOfDay(ZoneOffset.UTC).toInstant()));
        BillingJson.money(node, "spent_this_month", queries.spentSince(me.accountId(),
                today.withDayOfMonth(1).atStartOfDay(ZoneOffset.UTC).toInstant()));
        Instant deletion = queries.deletionRequestedAt(me.accountId());
        node.put("deletion_requested_at", deletion == null ? null : deletion.toString());
        node.set("user", DashboardJson.user(json, users.get(me.userId())));
        return node;
    }

    /** {@code ?days=1..366} (30): cost and requests per UTC day and model, oldest first. */
    @GetMapping("/spend")
    public ObjectNode spend(@RequestParam Map<String, String> query) {
        SessionUser me = SessionUser.current();
        int days = days(query.get("days"));
        Instant since = LocalDate.now(ZoneOffset.UTC).minusDays(days - 1L).atStartOfDay(ZoneOffset.UTC).toInstant();
        ObjectNode node = json.createObjectNode().put("object", "list").put("days", days);
        ArrayNode data = node.putArray("data");
        for (DashboardQueries.DaySpend day : queries.spendByDayAndModel(me.accountId(), since)) {
            ObjectNode entry = data.addObject().put("date", day.date()).put("model", day.model());
            BillingJson.money(entry, "cost", day.cost());
            entry.put("requests", day.requests());
        }
        return node;
    }

    /**
     * {@code {current_password, new_password}}: every other session ends; this one is renewed. The
     * current password is guessed against the login throttle's budgets: a stolen session cookie must not
     * become an unthrottled way to find the password.
     */
    @PostMapping("/account/password")
    public ResponseEntity<Void> changePassword(HttpServletRequest request, HttpServletResponse response) {
        SessionUser me = SessionUser.current();
        JsonNode body = jsonBody.object(request);
        String next = JsonBody.text(body, "new_password");
        // a too-short new password is not a guess of the current one
        Users.checkNewPassword(next, "new_password");
        LoginThrottle.Attempt attempt = throttle.begin(users.get(me.userId()).email(), request.getRemoteAddr());
        users.changePassword(me.userId(), JsonBody.text(body, "current_password"), next);
        throttle.succeeded(attempt);
        sessionsAfterPasswordChange(me, request, response);
        return ResponseEntity.noContent().build();
    }

    private void sessionsAfterPasswordChange(SessionUser me, HttpServletRequest request, HttpServletResponse response) {
        // a reset link mailed before the change must not undo it
        tokens.voidAll(OneTimeTokens.Purpose.PASSWORD_RESET, me.userId());
        sessions.endAll(me.userId(), null);
        cookies.issue(request, response, sessions.start(me.userId(), request.getHeader("User-Agent")), users.get(me.userId()));
    }

    @GetMapping("/sessions")
    public ObjectNode sessions() {
        SessionUser me = SessionUser.current();
        ObjectNode node = json.createObjectNode().put("object", "list");
        ArrayNode data = node.putArray("data");
        for (WebSessions.SessionView session : sessions.active(me.userId())) {
            data.addObject().put("id", session.id()).put("created_at", session.createdAt().toString())
                    .put("last_used_at", session.lastUsedAt().toString()).put("user_agent", session.userAgent())
                    .put("current", session.id().equals(me.sessionId()));
        }
        return node;
    }

    /** Logs out everywhere, this browser included. */
    @PostMapping("/sessions/logout-all")
    public ResponseEntity<Void> logoutEverywhere(HttpServletRequest request, HttpServletResponse response) {
        sessions.endAll(SessionUser.current().userId(), null);
        cookies.clear(request, response);
        return ResponseEntity.noContent().build();
    }

    /**
     * Closes the account at once (keys revoked, every session ended, this one too) and schedules the
     * erasure of its personal data (AccountDeletions).
     */
    @PostMapping("/account/deletion")
    public ResponseEntity<ObjectNode> requestDeletion(HttpServletRequest request, HttpServletResponse response) {
        SessionUser me = SessionUser.current();
        Instant requested = deletions.request(me.accountId());
        cookies.clear(request, response);
        return ResponseEntity.status(HttpStatus.ACCEPTED)
                .body(json.createObjectNode().put("deletion_requested_at", requested.toString()));
    }

    private static int days(String value) {
        if (value == null || value.isBlank()) {
            return 30;
        }
        try {
            int days = Integer.parseInt(value.trim());
            if (days >= 1 && days <= 366) {
                return days;
            }
        } catch (NumberFormatException e) {
            // the message below
        }
        throw GatewayException.invalidRequest("days", "'days' must be an integer from 1 to 366.");
    }
}
