package dev.caravan.dashboard;

import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

import dev.caravan.api.GatewayException;
import dev.caravan.auth.ApiKeyFormat;
import dev.caravan.billing.Accounts;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.crypto.argon2.Argon2PasswordEncoder;
import org.springframework.security.crypto.password.DelegatingPasswordEncoder;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * People who sign in to the dashboard, each the owner of one account. Passwords are kept as Argon2id
 * hashes (Spring Security's encoder; the stored form names its algorithm, so a later encoder can take
 * over). Emails are compared lower-cased.
 */
@Component
public class Users {

    public record User(String id, String email, String accountId, Instant emailVerifiedAt, Instant createdAt) {
        public boolean verified() {
            return emailVerifiedAt != null;
        }
    }

    static final int MIN_PASSWORD = 10;
    static final int MAX_PASSWORD = 200;
    private static final Pattern EMAIL = Pattern.compile("[^\\s@\\p{Cntrl}<>\"]{1,64}@[^\\s@\\p{Cntrl}<>\"]+\\.[^\\s@\\p{Cntrl}<>\"]+");

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final Accounts accounts;
    private final OneTimeTokens tokens;
    private final PasswordEncoder passwords = new DelegatingPasswordEncoder("argon2",
            Map.of("argon2", Argon2PasswordEncoder.defaultsForSpringSecurity_v5_8()));
    /** Checked against when the email is unknown, so that a miss takes as long as a wrong password. */
    private final String decoyHash = passwords.encode("decoy password for timing");

    public Users(JdbcTemplate jdbc, TransactionTemplate tx, Accounts accounts, OneTimeTokens tokens) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.accounts = accounts;
        this.tokens = tokens;
    }

    /**
     * A new user with a new, empty account; or, with an invitation token, as the owner of the account
     * the operator made (the invitation came by mail to that email, so the email counts as verified).
     * The invitation is used up only if the user is made.
     */
    public User signUp(String email, String password, String invitation, boolean verified) {
        String normalized = email(email, "email");
        checkNewPassword(password, "password");
        String hash = passwords.encode(password);
        String id = ApiKeyFormat.newId("usr");
        Timestamp now = Timestamp.from(Instant.now());
        try {
            tx.executeWithoutResult(status -> {
                String accountId;
                boolean proven = verified;
                if (invitation != null) {
                    OneTimeTokens.Redeemed invited = tokens.redeem(OneTimeTokens.Purpose.INVITE, invitation, "invite");
                    if (!invited.email().equals(normalized)) {
                        throw GatewayException.invalidRequest("email", "This invitation is for another email address.");
                    }
                    accountId = invited.accountId();
                    proven = true;
                } else {
                    accountId = accounts.create(normalized, normalized).id();
                }
                jdbc.update("""
                        INSERT INTO users (id, email, password_hash, account_id, email_verified_at, created_at)
                        VALUES (?, ?, ?, ?, ?, ?)""", id, normalized, hash, accountId, proven ? now : null, now);
            });
        } catch (DuplicateKeyException taken) {
            boolean emailTaken = byEmail(normalized) != null;
            throw new GatewayException(409, "invalid_request_error", emailTaken ? "email_taken" : "account_has_owner",
                    "email", emailTaken ? "An account with this email exists already: log in instead."
                            : "The invited account already has an owner.", null);
        }
        return get(id);
    }

    /** The user whose password this is, or null; as slow for an unknown email as for a wrong password. */
    public User authenticate(String email, String password) {
        if (email == null || password == null || password.length() > MAX_PASSWORD) {
            passwords.matches("x", decoyHash);
            return null;
        }
        // an account being deleted is closed: its owner is as unknown as an email without an account
        List<String[]> found = jdbc.query("""
                        SELECT u.id, u.password_hash FROM users u JOIN accounts a ON a.id = u.account_id
                        WHERE u.email = ? AND a.deletion_requested_at IS NULL""",
                (rs, i) -> new String[] {rs.getString(1), rs.getString(2)}, email.trim().toLowerCase(Locale.ROOT));
        if (found.isEmpty()) {
            passwords.matches(password, decoyHash);
            return null;
        }
        return passwords.matches(password, found.get(0)[1]) ? get(found.get(0)[0]) : null;
    }

    public void changePassword(String userId, String current, String next) {
        String stored = jdbc.queryForObject("SELECT password_hash FROM users WHERE id = ?", String.class, userId);
        if (current == null || current.length() > MAX_PASSWORD || !passwords.matches(current, stored)) {
            throw new GatewayException(400, "invalid_request_error", "wrong_password", "current_password",
                    "The current password is not correct.", null);
        }
        setPassword(userId, next, "new_password");
    }

    public void setPassword(String userId, String password, String param) {
        checkNewPassword(password, param);
        jdbc.update("UPDATE users SET password_hash = ? WHERE id = ?", passwords.encode(password), userId);
    }

    public void markVerified(String userId) {
        jdbc.update("UPDATE users SET email_verified_at = ? WHERE id = ? AND email_verified_at IS NULL",
                Timestamp.from(Instant.now()), userId);
    }

    public User get(String id) {
        return jdbc.query("SELECT id, email, account_id, email_verified_at, created_at FROM users WHERE id = ?",
                (rs, i) -> new User(rs.getString(1), rs.getString(2), rs.getString(3),
                        rs.getTimestamp(4) == null ? null : rs.getTimestamp(4).toInstant(), rs.getTimestamp(5).toInstant()),
                id).stream().findFirst().orElse(null);
    }

    public User byEmail(String email) {
        if (email == null || email.length() > 320) {
            return null;
        }
        List<String> ids = jdbc.queryForList("SELECT id FROM users WHERE email = ?", String.class,
                email.trim().toLowerCase(Locale.ROOT));
        return ids.isEmpty() ? null : get(ids.get(0));
    }

    /** The user with this email, or null, also when the account is deleted or being deleted. */
    public User openByEmail(String email) {
        User user = byEmail(email);
        if (user == null) {
            return null;
        }
        Integer open = jdbc.queryForObject("SELECT COUNT(*) FROM accounts WHERE id = ? AND deletion_requested_at IS NULL",
                Integer.class, user.accountId());
        return open != null && open > 0 ? user : null;
    }

    public boolean accountHasOwner(String accountId) {
        Integer owners = jdbc.queryForObject("SELECT COUNT(*) FROM users WHERE account_id = ?", Integer.class, accountId);
        return owners != null && owners > 0;
    }

    /** The email as stored (trimmed, lower-case), or a 400 on {@code param}. */
    public static String email(String value, String param) {
        String trimmed = value == null ? "" : value.trim();
        if (trimmed.isEmpty()) {
            throw GatewayException.invalidRequest(param, "Enter your email address.");
        }
        if (trimmed.length() > 320 || !EMAIL.matcher(trimmed).matches()) {
            throw GatewayException.invalidRequest(param, "Enter a valid email address, like name@example.com.");
        }
        return trimmed.toLowerCase(Locale.ROOT);
    }

    /** A 400 on {@code param} unless the password may be set. */
    static void checkNewPassword(String password, String param) {
        if (password == null || password.length() < MIN_PASSWORD) {
            throw GatewayException.invalidRequest(param, "Choose a password of at least " + MIN_PASSWORD + " characters.");
        }
        if (password.length() > MAX_PASSWORD || password.getBytes(StandardCharsets.UTF_8).length > 4 * MAX_PASSWORD) {
            throw GatewayException.invalidRequest(param, "A password may have at most " + MAX_PASSWORD + " characters.");
        }
        if (password.isBlank()) {
            throw GatewayException.invalidRequest(param, "A password cannot be only spaces.");
        }
    }
}
