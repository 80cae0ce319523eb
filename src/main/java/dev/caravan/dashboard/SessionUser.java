package dev.caravan.dashboard;

import dev.caravan.api.GatewayException;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;

/**
 * Who the dashboard request is from: the user, their account and their session, as the verified
 * session JWT says. The account id comes only from here, never from the request, so one person can
 * reach no other account's data.
 */
public record SessionUser(String userId, String accountId, String sessionId) {

    static final String SESSION_CLAIM = "sid";
    static final String ACCOUNT_CLAIM = "acct";

    /**
     * The signed-in user of the current request. The security chain lets only those through to the
     * controllers that ask; should a path ever reach one without a session, it is refused (401), not
     * served to nobody.
     */
    public static SessionUser current() {
        Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
        if (!(authentication instanceof JwtAuthenticationToken token)) {
            throw new GatewayException(401, "invalid_request_error", "session_required", null,
                    "Log in to use this: the dashboard API takes the session cookie (POST /auth/login), not an API key.", null);
        }
        Jwt jwt = token.getToken();
        return new SessionUser(jwt.getSubject(), jwt.getClaimAsString(ACCOUNT_CLAIM), jwt.getClaimAsString(SESSION_CLAIM));
    }
}
