package dev.caravan.dashboard;

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

    /** The signed-in user of the current request (the security chain let only those through). */
    public static SessionUser current() {
        Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
        if (!(authentication instanceof JwtAuthenticationToken token)) {
            throw new IllegalStateException("No dashboard session on this request: the path is not behind the session chain");
        }
        Jwt jwt = token.getToken();
        return new SessionUser(jwt.getSubject(), jwt.getClaimAsString(ACCOUNT_CLAIM), jwt.getClaimAsString(SESSION_CLAIM));
    }
}
