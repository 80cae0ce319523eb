package dev.caravan.dashboard;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The web dashboard's settings ({@code caravan.dashboard}, docs/dashboard.md). Defaults are in the
 * gateway's built-in application.yaml.
 *
 * @param sessionKey          the key that signs session JWTs, base64 of at least 32 random bytes (env
 *                            {@code CARAVAN_SESSION_KEY}); every instance behind one address needs the same.
 *                            Empty: generated once into {@code sessionKeyFile}
 * @param sessionKeyFile      where a generated key is kept (readable by its owner only)
 * @param sessionLifetime     how long a session JWT is valid; the pages renew it with the refresh token
 * @param refreshLifetime     how long a refresh token is valid: a browser unused this long must log in again
 * @param secureCookies       {@code auto}: cookies are {@code Secure} when the request came over HTTPS or
 *                            {@code publicUrl} is https
 *                            (behind a proxy: set server.forward-headers-strategy); {@code always}; {@code never}
 * @param publicUrl           the address in mailed links (https://gateway.example.com); empty: http://localhost:{port}.
 *                            Never taken from the request's Host header, which a caller chooses
 * @param emailVerification  {@code auto} (on when spring.mail.host is set), {@code on}, {@code off}
 * @param mailFrom            the From of the mails
 * @param loginFailures       failed logins one email may take from one client address per {@code loginWindow}
 * @param accountLoginFailures failed logins one email may take per {@code loginWindow}, from any address
 * @param addressLoginFailures failed logins a client address may make per {@code loginWindow}
 * @param loginWindow         the window of the login throttle
 * @param signupsPerAddress   sign-ups and reset requests a client address may make per hour
 * @param resetLinkLifetime   how long a password-reset link works (once)
 * @param verifyLinkLifetime  how long an email-verification link works (once)
 * @param inviteLifetime      how long an invitation link works (once)
 * @param maxKeysPerAccount   keys (live or revoked) a person may create for their account
 * @param livePollInterval    how often the live usage feed looks for new usage rows (all instances' rows)
 * @param liveStreamsPerAccount live usage streams (browser tabs) one account may hold open at once
 * @param liveStreamLifetime  how long one live stream lasts; the browser reconnects by itself
 */
@ConfigurationProperties("caravan.dashboard")
public record DashboardSettings(
        String sessionKey,
        String sessionKeyFile,
        Duration sessionLifetime,
        Duration refreshLifetime,
        CookieSecurity secureCookies,
        String publicUrl,
        EmailVerification emailVerification,
        String mailFrom,
        int loginFailures,
        int accountLoginFailures,
        int addressLoginFailures,
        Duration loginWindow,
        int signupsPerAddress,
        Duration resetLinkLifetime,
        Duration verifyLinkLifetime,
        Duration inviteLifetime,
        int maxKeysPerAccount,
        Duration livePollInterval,
        int liveStreamsPerAccount,
        Duration liveStreamLifetime) {

    public enum CookieSecurity { AUTO, ALWAYS, NEVER }

    public enum EmailVerification { AUTO, ON, OFF }

    public DashboardSettings {
        positive(sessionLifetime, "session-lifetime");
        positive(refreshLifetime, "refresh-lifetime");
        positive(loginWindow, "login-window");
        positive(resetLinkLifetime, "reset-link-lifetime");
        positive(verifyLinkLifetime, "verify-link-lifetime");
        positive(inviteLifetime, "invite-lifetime");
        positive(livePollInterval, "live-poll-interval");
        positive(liveStreamLifetime, "live-stream-lifetime");
        if (loginFailures < 1 || accountLoginFailures < 1 || addressLoginFailures < 1 || signupsPerAddress < 1 || maxKeysPerAccount < 1
                || liveStreamsPerAccount < 1) {
            throw new IllegalArgumentException("caravan.dashboard: login-failures, account-login-failures, address-login-failures, "
                    + "signups-per-address, max-keys-per-account and live-streams-per-account must be at least 1");
        }
        if (publicUrl != null && !publicUrl.isBlank() && !publicUrl.matches("https?://[^\\s/?#]+(/[^\\s?#]*)?")) {
            throw new IllegalArgumentException("caravan.dashboard.public-url: must be an http(s) address without query, got '"
                    + publicUrl + "'");
        }
        secureCookies = secureCookies == null ? CookieSecurity.AUTO : secureCookies;
        emailVerification = emailVerification == null ? EmailVerification.AUTO : emailVerification;
    }

    /** Whether mailed links say https: the gateway is then reached over TLS, whatever the hop to it. */
    public boolean publicUrlIsHttps() {
        return publicUrl != null && publicUrl.regionMatches(true, 0, "https://", 0, 8);
    }

    private static void positive(Duration value, String key) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException("caravan.dashboard." + key + ": must be a positive duration, got " + value);
        }
    }
}
