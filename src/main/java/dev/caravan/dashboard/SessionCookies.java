package dev.caravan.dashboard;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseCookie;
import org.springframework.security.oauth2.jose.jws.MacAlgorithm;
import org.springframework.security.oauth2.jwt.JwsHeader;
import org.springframework.security.oauth2.jwt.JwtClaimsSet;
import org.springframework.security.oauth2.jwt.JwtEncoder;
import org.springframework.security.oauth2.jwt.JwtEncoderParameters;
import org.springframework.stereotype.Component;

/**
 * The two session cookies. {@code caravan_session}: the short-lived JWT (HS256, signed by Nimbus
 * through Spring Security), HttpOnly, SameSite=Lax, on every path. {@code caravan_refresh}: the
 * single-use refresh token, HttpOnly, SameSite=Strict, sent only to {@code /auth}. Both {@code Secure}
 * as {@code caravan.dashboard.secure-cookies} says.
 */
@Component
public class SessionCookies {

    public static final String SESSION = "caravan_session";
    public static final String REFRESH = "caravan_refresh";
    public static final String ISSUER = "caravan";
    public static final String AUDIENCE = "caravan-dashboard";

    private final JwtEncoder encoder;
    private final DashboardSettings settings;

    public SessionCookies(JwtEncoder encoder, DashboardSettings settings) {
        this.encoder = encoder;
        this.settings = settings;
    }

    public void issue(HttpServletRequest request, HttpServletResponse response, WebSessions.Issued session,
                      Users.User user) {
        Instant now = Instant.now();
        JwtClaimsSet claims = JwtClaimsSet.builder().issuer(ISSUER).audience(List.of(AUDIENCE)).subject(user.id())
                .claim(SessionUser.SESSION_CLAIM, session.sessionId()).claim(SessionUser.ACCOUNT_CLAIM, user.accountId())
                .issuedAt(now).expiresAt(now.plus(settings.sessionLifetime())).build();
        String jwt = encoder.encode(JwtEncoderParameters.from(JwsHeader.with(MacAlgorithm.HS256).build(), claims))
                .getTokenValue();
        add(response, cookie(request, SESSION, jwt, "/", "Lax", settings.sessionLifetime()));
        if (session.refreshToken() != null) {
            add(response, cookie(request, REFRESH, session.refreshToken(), "/auth", "Strict", settings.refreshLifetime()));
        }
    }

    public void clear(HttpServletRequest request, HttpServletResponse response) {
        add(response, cookie(request, SESSION, "", "/", "Lax", Duration.ZERO));
        add(response, cookie(request, REFRESH, "", "/auth", "Strict", Duration.ZERO));
    }

    /**
     * The cookie's value, or null when there is none or more than one. Two cookies of one name are what
     * a neighbouring site under the same parent domain can plant (Domain=.example.com, a longer Path):
     * taking either could sign the browser into the planter's account, so neither is taken, and the
     * person logs in again.
     */
    public static String read(HttpServletRequest request, String name) {
        Cookie[] cookies = request.getCookies();
        if (cookies == null) {
            return null;
        }
        String value = null;
        for (Cookie cookie : cookies) {
            if (name.equals(cookie.getName()) && !cookie.getValue().isEmpty()) {
                if (value != null && !value.equals(cookie.getValue())) {
                    return null;
                }
                value = cookie.getValue();
            }
        }
        return value;
    }

    /** Whether cookies set in answer to this request are {@code Secure}. */
    boolean secure(HttpServletRequest request) {
        return switch (settings.secureCookies()) {
            case ALWAYS -> true;
            case NEVER -> false;
            case AUTO -> request.isSecure() || settings.publicUrlIsHttps();
        };
    }

    private ResponseCookie cookie(HttpServletRequest request, String name, String value, String path, String sameSite,
                                  Duration maxAge) {
        return ResponseCookie.from(name, value).httpOnly(true).secure(secure(request)).sameSite(sameSite).path(path)
                .maxAge(maxAge).build();
    }

    private static void add(HttpServletResponse response, ResponseCookie cookie) {
        response.addHeader(HttpHeaders.SET_COOKIE, cookie.toString());
    }
}
