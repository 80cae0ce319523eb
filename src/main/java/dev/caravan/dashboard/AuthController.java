package dev.caravan.dashboard;

import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caravan.api.GatewayException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Sign-up, login, logout, session refresh, password reset and email verification ({@code /auth},
 * docs/dashboard.md). Public, but every POST carries the CSRF token like any other.
 */
@RestController
@RequestMapping(path = "/auth", produces = "application/json")
public class AuthController {

    private static final Logger log = LoggerFactory.getLogger(AuthController.class);

    private final Users users;
    private final WebSessions sessions;
    private final SessionCookies cookies;
    private final OneTimeTokens tokens;
    private final LoginThrottle throttle;
    private final DashboardMail mail;
    private final DashboardSettings settings;
    private final JsonBody jsonBody;
    private final JwtDecoder sessionJwtDecoder;
    private final ObjectMapper json;

    public AuthController(Users users, WebSessions sessions, SessionCookies cookies, OneTimeTokens tokens,
                          LoginThrottle throttle, DashboardMail mail, DashboardSettings settings, JsonBody jsonBody,
                          JwtDecoder sessionJwtDecoder, ObjectMapper json) {
        this.users = users;
        this.sessions = sessions;
        this.cookies = cookies;
        this.tokens = tokens;
        this.throttle = throttle;
        this.mail = mail;
        this.settings = settings;
        this.jsonBody = jsonBody;
        this.sessionJwtDecoder = sessionJwtDecoder;
        this.json = json;
    }

    /** {@code {email, password, invite?}}: 201 and a session, or 202 when the email must be verified first. */
    @PostMapping("/signup")
    public ResponseEntity<ObjectNode> signUp(HttpServletRequest request, HttpServletResponse response) {
        JsonNode body = jsonBody.object(request);
        String email = Users.email(JsonBody.text(body, "email"), "email");
        String password = JsonBody.text(body, "password");
        String invite = JsonBody.text(body, "invite");
        throttle.mailOrSignup(request.getRemoteAddr());
        Users.User user;
        try {
            user = users.signUp(email, password, invite, !mail.verificationRequired());
        } catch (GatewayException taken) {
            if (!mail.verificationRequired() || invite != null || !"email_taken".equals(taken.code())) {
                throw taken;
            }
            // with verification on, a sign-up never tells whether the email has an account (the answer is
            // the same as for a new one), and never changes one: the mailbox's owner gets a mail with a
            // reset link, which is how an address someone else signed up with is taken back
            Users.User owner = users.byEmail(email);
            String token = tokens.issue(OneTimeTokens.Purpose.PASSWORD_RESET, owner.id(), null, owner.email(),
                    settings.resetLinkLifetime());
            mail.accountExists(owner.email(), mail.link("/reset-password?token=" + token));
            return ResponseEntity.status(HttpStatus.ACCEPTED).body(pendingVerification(owner.email()));
        }
        if (!user.verified()) {
            sendVerification(user);
            return ResponseEntity.status(HttpStatus.ACCEPTED).body(pendingVerification(user.email()));
        }
        cookies.issue(request, response, sessions.start(user.id(), request.getHeader("User-Agent")), user);
        return ResponseEntity.status(HttpStatus.CREATED).body(userBody(user));
    }

    @PostMapping("/login")
    public ObjectNode login(HttpServletRequest request, HttpServletResponse response) {
        JsonNode body = jsonBody.object(request);
        String email = JsonBody.text(body, "email");
        String password = JsonBody.text(body, "password");
        if (email == null || email.isBlank()) {
            throw GatewayException.invalidRequest("email", "Enter your email address.");
        }
        if (password == null || password.isEmpty()) {
            throw GatewayException.invalidRequest("password", "Enter your password.");
        }
        String address = request.getRemoteAddr();
        LoginThrottle.Attempt attempt = throttle.begin(email, address);
        Users.User user = users.authenticate(email, password);
        if (user == null) {
            // who and from where, never the email typed (it may be a password typed in the wrong field)
            log.info("Dashboard login refused: wrong email or password, from {}", address);
            throw new GatewayException(401, "invalid_request_error", "invalid_credentials", "password",
                    "The email or the password is not correct.", null);
        }
        throttle.succeeded(attempt);
        log.info("Dashboard login: user {} from {}", user.id(), address);
        if (!user.verified() && mail.verificationRequired()) {
            throttle.mailOrSignup(address);
            sendVerification(user);
            throw new GatewayException(403, "invalid_request_error", "email_not_verified", "email",
                    "Confirm your email first: we sent a new link to " + user.email() + ".", null);
        }
        cookies.issue(request, response, sessions.start(user.id(), request.getHeader("User-Agent")), user);
        return userBody(user);
    }

    /** Ends this browser's session, whether its JWT is still good or only its refresh token is left. */
    @PostMapping("/logout")
    public ResponseEntity<Void> logout(HttpServletRequest request, HttpServletResponse response) {
        String sessionId = sessions.sessionOf(SessionCookies.read(request, SessionCookies.REFRESH));
        String jwt = SessionCookies.read(request, SessionCookies.SESSION);
        if (sessionId == null && jwt != null) {
            try {
                sessionId = sessionJwtDecoder.decode(jwt).getClaimAsString(SessionUser.SESSION_CLAIM);
            } catch (JwtException endedOrForged) {
                // nothing to end
            }
        }
        if (sessionId != null) {
            sessions.end(sessionId);
        }
        cookies.clear(request, response);
        return ResponseEntity.noContent().build();
    }

    @PostMapping("/refresh")
    public ObjectNode refresh(HttpServletRequest request, HttpServletResponse response) {
        WebSessions.Issued renewed;
        try {
            renewed = sessions.refresh(SessionCookies.read(request, SessionCookies.REFRESH));
        } catch (WebSessions.RefreshRefused refused) {
            cookies.clear(request, response);
            throw new GatewayException(401, "invalid_request_error", "session_required", null,
                    "The session has ended: log in again.", null);
        }
        Users.User user = users.get(renewed.userId());
        cookies.issue(request, response, renewed, user);
        return userBody(user);
    }

    /** Always 202: the answer never tells whether the email has an account. */
    @PostMapping("/password-reset")
    public ResponseEntity<ObjectNode> requestReset(HttpServletRequest request) {
        JsonNode body = jsonBody.object(request);
        String email = Users.email(JsonBody.text(body, "email"), "email");
        throttle.mailOrSignup(request.getRemoteAddr());
        Users.User user = users.openByEmail(email);
        if (user != null) {
            String token = tokens.issue(OneTimeTokens.Purpose.PASSWORD_RESET, user.id(), null, user.email(),
                    settings.resetLinkLifetime());
            mail.passwordReset(user.email(), mail.link("/reset-password?token=" + token));
        }
        return ResponseEntity.accepted().body(json.createObjectNode().put("status", "sent")
                .put("message", "If an account has this email, a link to reset its password is on its way."));
    }

    /** {@code {token, password}}: sets the password and ends every session of the user. */
    @PostMapping("/password-reset/confirm")
    public ResponseEntity<Void> confirmReset(HttpServletRequest request) {
        JsonNode body = jsonBody.object(request);
        String password = JsonBody.text(body, "password");
        // the password is checked before the token is used up: a too-short password costs no new mail
        Users.checkNewPassword(password, "password");
        OneTimeTokens.Redeemed reset = tokens.redeem(OneTimeTokens.Purpose.PASSWORD_RESET, JsonBody.text(body, "token"),
                "token");
        users.setPassword(reset.userId(), password, "password");
        // the mailbox is proven: a reset also verifies the email
        users.markVerified(reset.userId());
        sessions.endAll(reset.userId(), null);
        throttle.passwordReset(reset.email());
        return ResponseEntity.noContent().build();
    }

    /** The link in the verification mail. */
    @GetMapping("/verify")
    public ResponseEntity<Void> verify(@RequestParam Map<String, String> query) {
        boolean verified;
        try {
            users.markVerified(tokens.redeem(OneTimeTokens.Purpose.VERIFY_EMAIL, query.get("token"), "token").userId());
            verified = true;
        } catch (GatewayException invalid) {
            verified = false;
        }
        return ResponseEntity.status(HttpStatus.FOUND).header("Location", "/login?verified=" + (verified ? 1 : 0)).build();
    }

    private void sendVerification(Users.User user) {
        String token = tokens.issue(OneTimeTokens.Purpose.VERIFY_EMAIL, user.id(), null, user.email(),
                settings.verifyLinkLifetime());
        mail.verifyEmail(user.email(), mail.link("/auth/verify?token=" + token));
    }

    private ObjectNode pendingVerification(String email) {
        return json.createObjectNode().put("verification_required", true).put("email", email);
    }

    ObjectNode userBody(Users.User user) {
        ObjectNode node = json.createObjectNode();
        node.set("user", DashboardJson.user(json, user));
        return node;
    }
}
