package dev.caravan.dashboard;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import dev.caravan.api.GatewayException;
import dev.caravan.auth.ApiKeyFormat;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The tokens of mailed links (password reset, email verification, invitation): random, stored as
 * SHA-256, usable once before they expire. Issuing a new one for the same user and purpose voids the
 * older ones, so only the latest mail works.
 */
@Component
public class OneTimeTokens {

    public enum Purpose { PASSWORD_RESET, VERIFY_EMAIL, INVITE }

    /** What a used token was for: the user (reset, verify) or the account to own (invite). */
    public record Redeemed(String userId, String accountId, String email) {
    }

    private final JdbcTemplate jdbc;

    public OneTimeTokens(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    public String issue(Purpose purpose, String userId, String accountId, String email, Duration lifetime) {
        Instant now = Instant.now();
        if (userId != null) {
            voidAll(purpose, userId);
        }
        String token = WebSessions.randomToken();
        jdbc.update("""
                INSERT INTO user_tokens (token_hash, purpose, user_id, account_id, email, created_at, expires_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)""", ApiKeyFormat.sha256(token), column(purpose), userId, accountId, email,
                Timestamp.from(now), Timestamp.from(now.plus(lifetime)));
        return token;
    }

    /** Uses the token, once; an unknown, used or expired token is a 400 on {@code param}. */
    public Redeemed redeem(Purpose purpose, String token, String param) {
        if (token == null || token.isBlank() || token.length() > 100) {
            throw invalid(param);
        }
        String hash = ApiKeyFormat.sha256(token.trim());
        Timestamp now = Timestamp.from(Instant.now());
        int used = jdbc.update("""
                UPDATE user_tokens SET used_at = ?
                WHERE token_hash = ? AND purpose = ? AND used_at IS NULL AND expires_at > ?""",
                now, hash, column(purpose), now);
        if (used == 0) {
            throw invalid(param);
        }
        List<Redeemed> found = jdbc.query("SELECT user_id, account_id, email FROM user_tokens WHERE token_hash = ?",
                (rs, i) -> new Redeemed(rs.getString(1), rs.getString(2), rs.getString(3)), hash);
        return found.get(0);
    }

    /** Whether the token would redeem now, without using it (a sign-up form checking its invitation). */
    public Redeemed peek(Purpose purpose, String token) {
        if (token == null || token.isBlank() || token.length() > 100) {
            return null;
        }
        List<Redeemed> found = jdbc.query("""
                SELECT user_id, account_id, email FROM user_tokens
                WHERE token_hash = ? AND purpose = ? AND used_at IS NULL AND expires_at > ?""",
                (rs, i) -> new Redeemed(rs.getString(1), rs.getString(2), rs.getString(3)),
                ApiKeyFormat.sha256(token.trim()), column(purpose), Timestamp.from(Instant.now()));
        return found.isEmpty() ? null : found.get(0);
    }

    /** Voids the user's unused tokens of that purpose (a new link sent, the password changed). */
    public void voidAll(Purpose purpose, String userId) {
        jdbc.update("UPDATE user_tokens SET used_at = ? WHERE user_id = ? AND purpose = ? AND used_at IS NULL",
                Timestamp.from(Instant.now()), userId, column(purpose));
    }

    private static String column(Purpose purpose) {
        return purpose.name().toLowerCase(java.util.Locale.ROOT);
    }

    private static GatewayException invalid(String param) {
        return new GatewayException(400, "invalid_request_error", "invalid_token", param,
                "This link is not valid: it was used already, it expired, or a newer one was sent. Ask for a new one.", null);
    }
}
