package dev.caravan.dashboard;

import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import dev.caravan.auth.ApiKeyFormat;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Signed-in browsers and their single-use refresh tokens. A session JWT names its session, so ending
 * the session here ends the JWT at its next use, on every instance. Tokens are kept as SHA-256 only.
 */
@Component
public class WebSessions {

    /** How often a session's last_used_at is written: a page makes several calls a second. */
    private static final Duration TOUCH_INTERVAL = Duration.ofMinutes(1);
    /**
     * How long a used refresh token still renews the session JWT, without a new refresh token: two tabs
     * that refresh at once send the same cookie, and the second must not end the session as a theft.
     */
    static final Duration REFRESH_GRACE = Duration.ofSeconds(20);
    private static final SecureRandom RANDOM = new SecureRandom();

    /**
     * A session just started or renewed: the refresh token is for the cookie, never stored as it is.
     * Null when a concurrent refresh already rotated it (the browser keeps the cookie that one set).
     */
    public record Issued(String sessionId, String userId, String refreshToken) {
    }

    public record SessionView(String id, Instant createdAt, Instant lastUsedAt, String userAgent) {
    }

    /** Why a refresh failed; {@code REUSED} ended the session. */
    public enum RefreshFailure { UNKNOWN, EXPIRED, REUSED, ENDED }

    public static final class RefreshRefused extends RuntimeException {
        private final RefreshFailure reason;
        private final transient String sessionId;

        RefreshRefused(RefreshFailure reason) {
            this(reason, null);
        }

        RefreshRefused(RefreshFailure reason, String sessionId) {
            super(reason.name(), null, false, false);
            this.reason = reason;
            this.sessionId = sessionId;
        }

        public RefreshFailure reason() {
            return reason;
        }
    }

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final Duration refreshLifetime;

    public WebSessions(JdbcTemplate jdbc, TransactionTemplate tx, DashboardSettings settings) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.refreshLifetime = settings.refreshLifetime();
    }

    public Issued start(String userId, String userAgent) {
        String sessionId = ApiKeyFormat.newId("ses");
        Timestamp now = Timestamp.from(Instant.now());
        return tx.execute(status -> {
            jdbc.update("INSERT INTO web_sessions (id, user_id, created_at, last_used_at, user_agent) VALUES (?, ?, ?, ?, ?)",
                    sessionId, userId, now, now, userAgent == null ? null : cut(userAgent, 200));
            return new Issued(sessionId, userId, newRefreshToken(sessionId));
        });
    }

    /**
     * Trades a refresh token for the next one, once: the conditional update lets exactly one of two
     * concurrent uses through. Within {@link #REFRESH_GRACE} of that use, the token still renews the
     * session JWT, but yields no refresh token of its own. Used later, it ends its session: either it
     * was copied, or the browser that holds it is not the one using it.
     */
    public Issued refresh(String refreshToken) {
        if (refreshToken == null || refreshToken.isBlank() || refreshToken.length() > 100) {
            throw new RefreshRefused(RefreshFailure.UNKNOWN);
        }
        String hash = ApiKeyFormat.sha256(refreshToken);
        Timestamp now = Timestamp.from(Instant.now());
        try {
            return tx.execute(status -> rotate(hash, now));
        } catch (RefreshRefused refused) {
            if (refused.reason == RefreshFailure.REUSED) {
                end(refused.sessionId);
            }
            throw refused;
        }
    }

    private record TokenRow(String sessionId, String userId, Instant expiresAt, boolean sessionEnded, Instant usedAt) {
    }

    private Issued rotate(String hash, Timestamp now) {
        List<TokenRow> found = jdbc.query("""
                SELECT r.session_id, s.user_id, r.expires_at, s.ended_at, r.used_at
                FROM refresh_tokens r JOIN web_sessions s ON s.id = r.session_id WHERE r.token_hash = ?""",
                (rs, i) -> new TokenRow(rs.getString(1), rs.getString(2), rs.getTimestamp(3).toInstant(),
                        rs.getTimestamp(4) != null, rs.getTimestamp(5) == null ? null : rs.getTimestamp(5).toInstant()), hash);
        if (found.isEmpty()) {
            throw new RefreshRefused(RefreshFailure.UNKNOWN);
        }
        TokenRow token = found.get(0);
        if (token.sessionEnded()) {
            throw new RefreshRefused(RefreshFailure.ENDED);
        }
        if (!token.expiresAt().isAfter(now.toInstant())) {
            throw new RefreshRefused(RefreshFailure.EXPIRED);
        }
        if (jdbc.update("UPDATE refresh_tokens SET used_at = ? WHERE token_hash = ? AND used_at IS NULL", now, hash) == 0) {
            // used: the row read above may predate the use that just won, so read its time again
            List<Timestamp> usedAt = jdbc.queryForList("SELECT used_at FROM refresh_tokens WHERE token_hash = ?",
                    Timestamp.class, hash);
            Instant used = usedAt.isEmpty() || usedAt.get(0) == null ? token.usedAt() : usedAt.get(0).toInstant();
            if (used != null && !used.plus(REFRESH_GRACE).isBefore(now.toInstant())) {
                return new Issued(token.sessionId(), token.userId(), null);
            }
            throw new RefreshRefused(RefreshFailure.REUSED, token.sessionId());
        }
        jdbc.update("UPDATE web_sessions SET last_used_at = ? WHERE id = ?", now, token.sessionId());
        return new Issued(token.sessionId(), token.userId(), newRefreshToken(token.sessionId()));
    }

    /** The session a refresh token belongs to, if any: for logout, which needs no valid JWT. */
    public String sessionOf(String refreshToken) {
        if (refreshToken == null || refreshToken.isBlank() || refreshToken.length() > 100) {
            return null;
        }
        List<String> found = jdbc.queryForList("SELECT session_id FROM refresh_tokens WHERE token_hash = ?", String.class,
                ApiKeyFormat.sha256(refreshToken));
        return found.isEmpty() ? null : found.get(0);
    }

    /** Whether the session is still on; records its use at most once a minute. */
    public boolean isActive(String sessionId) {
        List<Timestamp[]> found = jdbc.query("SELECT last_used_at, ended_at FROM web_sessions WHERE id = ?",
                (rs, i) -> new Timestamp[] {rs.getTimestamp(1), rs.getTimestamp(2)}, sessionId);
        if (found.isEmpty() || found.get(0)[1] != null) {
            return false;
        }
        Instant now = Instant.now();
        if (found.get(0)[0].toInstant().plus(TOUCH_INTERVAL).isBefore(now)) {
            jdbc.update("UPDATE web_sessions SET last_used_at = ? WHERE id = ? AND ended_at IS NULL", Timestamp.from(now),
                    sessionId);
        }
        return true;
    }

    /** Which of these sessions are still on: one query for many (the live streams' periodic check). */
    public Set<String> activeAmong(Collection<String> sessionIds) {
        Set<String> active = new HashSet<>();
        List<String> ids = List.copyOf(sessionIds);
        for (int i = 0; i < ids.size(); i += 500) {
            List<String> batch = ids.subList(i, Math.min(ids.size(), i + 500));
            String marks = String.join(", ", Collections.nCopies(batch.size(), "?"));
            active.addAll(jdbc.queryForList("SELECT id FROM web_sessions WHERE ended_at IS NULL AND id IN (" + marks + ")",
                    String.class, batch.toArray()));
        }
        return active;
    }

    public void end(String sessionId) {
        jdbc.update("UPDATE web_sessions SET ended_at = ? WHERE id = ? AND ended_at IS NULL", Timestamp.from(Instant.now()),
                sessionId);
    }

    /** Ends every session of the user, but {@code keep} (null: every one). */
    public void endAll(String userId, String keep) {
        jdbc.update("UPDATE web_sessions SET ended_at = ? WHERE user_id = ? AND ended_at IS NULL AND id <> ?",
                Timestamp.from(Instant.now()), userId, keep == null ? "" : keep);
    }

    public List<SessionView> active(String userId) {
        return jdbc.query("""
                SELECT id, created_at, last_used_at, user_agent FROM web_sessions
                WHERE user_id = ? AND ended_at IS NULL ORDER BY last_used_at DESC, id""",
                (rs, i) -> new SessionView(rs.getString(1), rs.getTimestamp(2).toInstant(), rs.getTimestamp(3).toInstant(),
                        rs.getString(4)), userId);
    }

    private String newRefreshToken(String sessionId) {
        String token = randomToken();
        jdbc.update("INSERT INTO refresh_tokens (token_hash, session_id, expires_at) VALUES (?, ?, ?)",
                ApiKeyFormat.sha256(token), sessionId, Timestamp.from(Instant.now().plus(refreshLifetime)));
        return token;
    }

    /** 32 random bytes, URL-safe: for refresh tokens and mailed links. */
    static String randomToken() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static String cut(String value, int max) {
        String clean = value.replaceAll("\\p{Cntrl}", " ");
        return clean.length() <= max ? clean : clean.substring(0, max);
    }
}
