package dev.caravan.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * A bearer token an operator configures (the admin token, the metrics token). Trimmed on both sides:
 * a token pasted into an environment file or a secret often carries a newline that no client sends.
 * Empty means not configured; anything else must be at least {@value #MIN_LENGTH} characters, checked
 * at start, since these tokens guard money and data and are worth guessing.
 */
public final class OperatorToken {

    public static final int MIN_LENGTH = 32;

    private final byte[] token;

    private OperatorToken(byte[] token) {
        this.token = token;
    }

    /**
     * @param property    the setting, named in the start-up failure
     * @param environment the environment variable that sets it, named too
     */
    public static OperatorToken of(String configured, String property, String environment) {
        String trimmed = configured == null ? "" : configured.strip();
        if (trimmed.isEmpty()) {
            return new OperatorToken(null);
        }
        if (trimmed.length() < MIN_LENGTH) {
            throw new IllegalStateException(property + " (" + environment + ") must be at least " + MIN_LENGTH
                    + " characters, got " + trimmed.length() + ". Generate one with: openssl rand -hex 32");
        }
        return new OperatorToken(trimmed.getBytes(StandardCharsets.UTF_8));
    }

    public boolean configured() {
        return token != null;
    }

    /** Whether an {@code Authorization} header value is {@code Bearer <this token>}; compared in constant time. */
    public boolean matches(String authorization) {
        if (token == null || authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        return MessageDigest.isEqual(token, authorization.substring(7).strip().getBytes(StandardCharsets.UTF_8));
    }
}
