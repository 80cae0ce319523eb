package dev.caravan.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caravan.api.ClientJson;
import dev.caravan.api.GatewayException;
import dev.caravan.billing.Accounts;
import dev.caravan.dashboard.DashboardMail;
import dev.caravan.dashboard.DashboardSettings;
import dev.caravan.dashboard.OneTimeTokens;
import dev.caravan.dashboard.Users;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The operator's side of dashboard users: invite a person to own an account the admin API made, and
 * hand out a password-reset link (the way to reset without an SMTP server). Both answers hold the
 * link, which is a secret: it goes to the operator, never to a log. With SMTP configured the link is
 * also mailed to the person.
 */
@RestController
@RequestMapping(path = "/admin", produces = "application/json")
public class UsersAdminController {

    private final Accounts accounts;
    private final Users users;
    private final OneTimeTokens tokens;
    private final DashboardMail mail;
    private final DashboardSettings settings;
    private final ClientJson clientJson;
    private final ObjectMapper json;

    public UsersAdminController(Accounts accounts, Users users, OneTimeTokens tokens, DashboardMail mail,
                                DashboardSettings settings, ClientJson clientJson, ObjectMapper json) {
        this.accounts = accounts;
        this.users = users;
        this.tokens = tokens;
        this.mail = mail;
        this.settings = settings;
        this.clientJson = clientJson;
        this.json = json;
    }

    /** {@code {email}}: a one-time sign-up link that makes the person with that email the account's owner. */
    @PostMapping("/accounts/{id}/invite")
    public ResponseEntity<ObjectNode> invite(@PathVariable("id") String accountId, @RequestBody(required = false) byte[] body) {
        accounts.get(accountId);
        accounts.requireOpen(accountId);
        String email = Users.email(AdminRequests.requiredText(object(body), "email", 320), "email");
        if (users.accountHasOwner(accountId)) {
            throw new GatewayException(409, "invalid_request_error", "account_has_owner", null,
                    "This account already has an owner.", null);
        }
        String token = tokens.issue(OneTimeTokens.Purpose.INVITE, null, accountId, email, settings.inviteLifetime());
        String link = mail.link("/signup?invite=" + token);
        mail.invitation(email, link);
        ObjectNode node = json.createObjectNode().put("object", "invitation").put("account_id", accountId)
                .put("email", email).put("link", link).put("mailed", mail.configured())
                .put("expires_in_seconds", settings.inviteLifetime().toSeconds());
        return ResponseEntity.status(HttpStatus.CREATED).body(node);
    }

    /** {@code {email}}: a one-time password-reset link for that user (404 if there is none). */
    @PostMapping("/password-resets")
    public ResponseEntity<ObjectNode> passwordReset(@RequestBody(required = false) byte[] body) {
        String email = Users.email(AdminRequests.requiredText(object(body), "email", 320), "email");
        Users.User user = users.openByEmail(email);
        if (user == null) {
            throw new GatewayException(404, "invalid_request_error", "user_not_found", "email",
                    "No dashboard user has this email.", null);
        }
        String token = tokens.issue(OneTimeTokens.Purpose.PASSWORD_RESET, user.id(), null, user.email(),
                settings.resetLinkLifetime());
        String link = mail.link("/reset-password?token=" + token);
        ObjectNode node = json.createObjectNode().put("object", "password_reset").put("email", user.email())
                .put("link", link).put("expires_in_seconds", settings.resetLinkLifetime().toSeconds());
        return ResponseEntity.status(HttpStatus.CREATED).body(node);
    }

    private JsonNode object(byte[] body) {
        return AdminRequests.object(clientJson, body);
    }
}
