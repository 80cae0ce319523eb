package dev.caravan.admin;

import dev.caravan.api.GatewayException;
import dev.caravan.auth.OperatorToken;
import org.springframework.beans.factory.annotation.Value;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.HandlerInterceptor;

/**
 * The admin API's bearer token, {@code CARAVAN_ADMIN_TOKEN}; without it configured the admin API is off.
 * Checked for every handler under {@code /admin/} (see {@link AdminWebConfig}), so that no admin
 * endpoint can forget it. The rules of the configured value (trimmed, at least 32 characters) are
 * {@link OperatorToken}'s.
 */
@Component
public class AdminToken implements HandlerInterceptor {

    private final OperatorToken token;

    public AdminToken(@Value("${caravan.admin.token:}") String token) {
        this.token = OperatorToken.of(token, "caravan.admin.token", "CARAVAN_ADMIN_TOKEN");
    }

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
        check(request.getHeader("Authorization"));
        return true;
    }

    /** Refuses (403 when the admin API is off, 401 on a missing or wrong token) unless the header carries the token. */
    public void check(String authorization) {
        if (!token.configured()) {
            throw new GatewayException(403, "permission_error", "admin_api_disabled", null,
                    "The admin API is off: set CARAVAN_ADMIN_TOKEN to turn it on.", null);
        }
        if (!token.matches(authorization)) {
            throw new GatewayException(401, "invalid_request_error", "invalid_admin_token", null,
                    "Missing or wrong admin token: send 'Authorization: Bearer <CARAVAN_ADMIN_TOKEN>'.", null);
        }
    }
}
