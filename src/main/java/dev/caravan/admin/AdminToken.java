package dev.caravan.admin;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

import dev.caravan.api.GatewayException;
import org.springframework.beans.factory.annotation.Value;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.HandlerInterceptor;

/**
 * The admin API's bearer token, {@code CARAVAN_ADMIN_TOKEN}; without it configured the admin API is off.
 * Checked for every handler under {@code /admin/} (see {@link AdminWebConfig}), so that no admin
 * endpoint can forget it.
 */
@Component
public class AdminToken implements HandlerInterceptor {

    private final byte[] token;

    public AdminToken(@Value("${caravan.admin.token:}") String token) {
        this.token = token.isBlank() ? null : token.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
        check(request.getHeader("Authorization"));
        return true;
    }

    /** Refuses (403 when the admin API is off, 401 on a missing or wrong token) unless the header carries the token. */
    public void check(String authorization) {
        if (token == null) {
            throw new GatewayException(403, "permission_error", "admin_api_disabled", null,
                    "The admin API is off: set CARAVAN_ADMIN_TOKEN to turn it on.", null);
        }
        String presented = authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                ? authorization.substring(7).trim() : "";
        if (!MessageDigest.isEqual(token, presented.getBytes(StandardCharsets.UTF_8))) {
            throw new GatewayException(401, "invalid_request_error", "invalid_admin_token", null,
                    "Missing or wrong admin token: send 'Authorization: Bearer <CARAVAN_ADMIN_TOKEN>'.", null);
        }
    }
}
