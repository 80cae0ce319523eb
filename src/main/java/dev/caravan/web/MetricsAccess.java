package dev.caravan.web;

import java.io.IOException;

import dev.caravan.api.GatewayException;
import dev.caravan.auth.OperatorToken;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The actuator on the API port: health is public (load balancers and probes need it), everything else
 * (metrics: spend per model, quotas, breaker states) needs {@code Authorization: Bearer <caravan.metrics.token>}
 * and is refused when no token is configured. On a management port of its own
 * ({@code management.server.port}) the actuator is outside this filter: that port is the operator's
 * network, not the clients'.
 */
final class MetricsAccess extends OncePerRequestFilter {

    private final OperatorToken token;
    private final String basePath;

    MetricsAccess(OperatorToken token, String basePath) {
        this.token = token;
        this.basePath = basePath;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        // the container's decoded, normalised path, which is what Spring MVC matches: /actuator/%70rometheus
        // is /actuator/prometheus here too
        String path = request.getServletPath() + (request.getPathInfo() == null ? "" : request.getPathInfo());
        String health = basePath + "/health";
        if (path.equals(health) || path.startsWith(health + "/")) {
            chain.doFilter(request, response);
            return;
        }
        if (!token.configured()) {
            ErrorResponses.write(response, new GatewayException(403, "permission_error", "metrics_disabled", null,
                    "Metrics are not served on this port without a token: set CARAVAN_METRICS_TOKEN, or put the "
                            + "actuator on a port of its own (management.server.port).", null), false);
            return;
        }
        if (!token.matches(request.getHeader("Authorization"))) {
            response.setHeader("WWW-Authenticate", "Bearer");
            ErrorResponses.write(response, new GatewayException(401, "invalid_request_error", "invalid_metrics_token",
                    null, "Missing or wrong metrics token: send 'Authorization: Bearer <CARAVAN_METRICS_TOKEN>'.", null),
                    false);
            return;
        }
        chain.doFilter(request, response);
    }
}
