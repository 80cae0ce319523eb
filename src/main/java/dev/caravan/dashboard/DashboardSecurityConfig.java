package dev.caravan.dashboard;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;

import javax.crypto.SecretKey;

import com.nimbusds.jose.jwk.source.ImmutableSecret;
import dev.caravan.api.GatewayException;
import dev.caravan.api.OpenAiErrors;
import dev.caravan.billing.DatabaseFailures;
import dev.caravan.payments.PaymentSettings;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.MediaType;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidatorResult;
import org.springframework.security.oauth2.jose.jws.MacAlgorithm;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtEncoder;
import org.springframework.security.oauth2.jwt.JwtIssuerValidator;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.jwt.NimbusJwtEncoder;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.AccessDeniedHandler;
import org.springframework.security.web.authentication.DelegatingAuthenticationEntryPoint;
import org.springframework.security.web.csrf.CookieCsrfTokenRepository;
import org.springframework.security.web.csrf.CsrfFilter;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.security.web.csrf.CsrfTokenRequestAttributeHandler;
import org.springframework.security.web.header.writers.ReferrerPolicyHeaderWriter;
import org.springframework.security.web.util.matcher.RequestMatcher;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.UrlPathHelper;

/**
 * The dashboard's security: one Spring Security chain for the pages, {@code /auth} and {@code /api},
 * and nothing else. {@code /v1} (API keys), {@code /admin} (operator token) and the actuator keep their
 * own checks and never see a session: the chain does not match them, and the session is read only
 * from its cookie, never from an {@code Authorization} header, so an API key cannot open the dashboard
 * and a session cookie cannot call {@code /v1}.
 * <ul>
 *   <li>Sessions: the {@code caravan_session} cookie's JWT, verified by Nimbus (HS256, issuer, audience,
 *   expiry without leeway beyond 5 s) and by its session still being on ({@link WebSessions}).</li>
 *   <li>CSRF: Spring Security's cookie convention, every response sets {@code XSRF-TOKEN} and every
 *   state-changing request must echo it in {@code X-XSRF-TOKEN}.</li>
 *   <li>Headers: a strict Content-Security-Policy (no inline script), no referrer (reset links carry
 *   their token in the address), no framing.</li>
 * </ul>
 */
@Configuration(proxyBeanMethods = false)
public class DashboardSecurityConfig {

    /** Every path this chain answers for; other paths are not the dashboard's. */
    static final String[] DASHBOARD_PATHS = {"/", "/login", "/signup", "/models", "/keys", "/usage", "/account", "/credits",
            "/forgot-password", "/reset-password", "/auth/**", "/api/**", "/pages/**", "/assets/**", "/favicon.ico"};
    /** Pages that need a session: without one, the browser is sent to /login. */
    static final Set<String> SESSION_PAGES = Set.of("/", "/keys", "/usage", "/account", "/credits");
    /** The Credits page, which alone loads Razorpay's Checkout script (and its frames). */
    static final Set<String> CHECKOUT_PAGES = Set.of("/credits", "/pages/credits.html");
    private static final UrlPathHelper PATHS = new UrlPathHelper();
    private static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'";

    /**
     * The Credits page's policy: the one above, plus the Checkout script's origin (only that one) for
     * scripts, and for the frames Checkout opens that origin and the API's.
     */
    static String checkoutPolicy(PaymentSettings payments) {
        return CSP.replace("script-src 'self';", "script-src 'self' " + payments.checkoutOrigin() + ";")
                + "; frame-src " + payments.checkoutOrigin()
                + (payments.apiOrigin().equals(payments.checkoutOrigin()) ? "" : " " + payments.apiOrigin());
    }

    @Bean
    SecretKey sessionSigningKey(DashboardSettings settings) {
        return SessionSigningKey.load(settings);
    }

    @Bean
    JwtEncoder sessionJwtEncoder(SecretKey sessionSigningKey) {
        return new NimbusJwtEncoder(new ImmutableSecret<>(sessionSigningKey));
    }

    @Bean
    JwtDecoder sessionJwtDecoder(SecretKey sessionSigningKey, WebSessions sessions) {
        NimbusJwtDecoder decoder = NimbusJwtDecoder.withSecretKey(sessionSigningKey).macAlgorithm(MacAlgorithm.HS256).build();
        OAuth2TokenValidator<Jwt> sessionOn = jwt -> {
            String sessionId = jwt.getClaimAsString(SessionUser.SESSION_CLAIM);
            return sessionId != null && sessions.isActive(sessionId) ? OAuth2TokenValidatorResult.success()
                    : OAuth2TokenValidatorResult.failure(new OAuth2Error("invalid_token", "The session has ended", null));
        };
        decoder.setJwtValidator(new DelegatingOAuth2TokenValidator<>(List.of(
                new JwtTimestampValidator(Duration.ofSeconds(5)),
                new JwtIssuerValidator(SessionCookies.ISSUER),
                new JwtClaimValidator<List<String>>("aud", aud -> aud != null && aud.contains(SessionCookies.AUDIENCE)),
                // last: the database is asked only about tokens that are otherwise good
                sessionOn)));
        return decoder;
    }

    @Bean
    SecurityFilterChain dashboardChain(HttpSecurity http, JwtDecoder sessionJwtDecoder, DashboardSettings settings,
                                       PaymentSettings payments) throws Exception {
        String checkoutPolicy = checkoutPolicy(payments);
        CookieCsrfTokenRepository csrfTokens = CookieCsrfTokenRepository.withHttpOnlyFalse();
        csrfTokens.setCookieCustomizer(cookie -> {
            cookie.sameSite("Lax").path("/");
            if (settings.secureCookies() == DashboardSettings.CookieSecurity.ALWAYS
                    || settings.secureCookies() == DashboardSettings.CookieSecurity.AUTO && settings.publicUrlIsHttps()) {
                cookie.secure(true);
            } else if (settings.secureCookies() == DashboardSettings.CookieSecurity.NEVER) {
                cookie.secure(false);
            }
        });
        // the token travels as it is (the page reads the cookie); the BREACH masking of the default
        // handler is for tokens rendered into HTML, which these pages never do
        CsrfTokenRequestAttributeHandler csrfHandler = new CsrfTokenRequestAttributeHandler();
        RequestMatcher sessionRequired = request -> {
            String path = pathOf(request);
            return path.startsWith("/api/") ? !path.equals("/api/models") : SESSION_PAGES.contains(path);
        };
        http.securityMatcher(DASHBOARD_PATHS)
                .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .requestCache(cache -> cache.disable())
                .formLogin(form -> form.disable())
                .httpBasic(basic -> basic.disable())
                .logout(logout -> logout.disable())
                .csrf(csrf -> csrf.csrfTokenRepository(csrfTokens).csrfTokenRequestHandler(csrfHandler))
                .addFilterAfter(new CsrfCookieOnEveryResponse(), CsrfFilter.class)
                .authorizeHttpRequests(authorize -> authorize
                        // the end of a live stream re-enters the chain: it was authorized when it began
                        .dispatcherTypeMatchers(DispatcherType.ASYNC).permitAll()
                        .requestMatchers(sessionRequired).authenticated()
                        .anyRequest().permitAll())
                .addFilterAfter(new SessionCookieAuthentication(sessionRequired, sessionJwtDecoder), CsrfFilter.class)
                .exceptionHandling(exceptions -> exceptions
                        .authenticationEntryPoint(entryPoint())
                        .accessDeniedHandler(csrfRefused()))
                .headers(headers -> headers
                        .addHeaderWriter((request, response) -> response.setHeader("Content-Security-Policy",
                                CHECKOUT_PAGES.contains(pathOf(request)) ? checkoutPolicy : CSP))
                        .referrerPolicy(referrer -> referrer.policy(ReferrerPolicyHeaderWriter.ReferrerPolicy.NO_REFERRER)));
        return http.build();
    }

    /** No valid session: a page goes to /login (and comes back after), the JSON API answers 401. */
    private static AuthenticationEntryPoint entryPoint() {
        AuthenticationEntryPoint api = (request, response, e) -> json(response, 401, OpenAiErrors.body(
                "Log in to use this: the dashboard API takes the session cookie (POST /auth/login), not an API key.",
                "invalid_request_error", "session_required", null));
        AuthenticationEntryPoint page = (request, response, e) -> {
            String path = pathOf(request);
            response.sendRedirect(request.getContextPath() + "/login"
                    + ("/".equals(path) ? "" : "?next=" + URLEncoder.encode(path, StandardCharsets.UTF_8)));
        };
        LinkedHashMap<RequestMatcher, AuthenticationEntryPoint> byPath = new LinkedHashMap<>();
        byPath.put(request -> pathOf(request).startsWith("/api/"), api);
        DelegatingAuthenticationEntryPoint entryPoint = new DelegatingAuthenticationEntryPoint(byPath);
        entryPoint.setDefaultEntryPoint(page);
        return entryPoint;
    }

    /** The only access refusal this chain makes once signed in is a missing or wrong CSRF token. */
    private static AccessDeniedHandler csrfRefused() {
        return (request, response, e) -> json(response, 403, OpenAiErrors.body(
                "Missing or wrong CSRF token: send the XSRF-TOKEN cookie's value in the X-XSRF-TOKEN header.",
                "invalid_request_error", "csrf_token_invalid", null));
    }

    private static void json(HttpServletResponse response, int status, byte[] body) throws IOException {
        response.setStatus(status);
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        response.getOutputStream().write(body);
    }

    /**
     * The path as Spring MVC routes it: decoded and normalised. The raw URI would let {@code /ap%69/keys}
     * or {@code /api/../keys} look like a public path here while the controller behind answers it.
     */
    private static String pathOf(HttpServletRequest request) {
        return PATHS.getPathWithinApplication(request);
    }

    /**
     * Signs the request in from the session cookie's JWT, on the paths that need a session only: a stale
     * cookie must not turn a public page or {@code /auth/refresh} (which exists for stale sessions) into
     * a 401. Not Spring's bearer-token resource server: that exempts whatever carries a token from CSRF,
     * which is right for an Authorization header and wrong for a cookie the browser sends by itself.
     */
    private static final class SessionCookieAuthentication extends OncePerRequestFilter {
        private final RequestMatcher sessionRequired;
        private final JwtDecoder decoder;

        SessionCookieAuthentication(RequestMatcher sessionRequired, JwtDecoder decoder) {
            this.sessionRequired = sessionRequired;
            this.decoder = decoder;
        }

        @Override
        protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                throws ServletException, IOException {
            String token = sessionRequired.matches(request) ? SessionCookies.read(request, SessionCookies.SESSION) : null;
            if (token != null) {
                try {
                    Jwt jwt = decoder.decode(token);
                    SecurityContext context = SecurityContextHolder.createEmptyContext();
                    context.setAuthentication(new JwtAuthenticationToken(jwt, List.of()));
                    SecurityContextHolder.setContext(context);
                } catch (JwtException refused) {
                    // not signed in: the entry point answers
                } catch (RuntimeException failure) {
                    // the session could not be looked up: 503 as everywhere else, not a 401 that
                    // would send every signed-in browser to the login page
                    if (!DatabaseFailures.isUnavailable(failure)) {
                        throw failure;
                    }
                    GatewayException unavailable = GatewayException.databaseUnavailable();
                    response.setHeader("Retry-After", String.valueOf(unavailable.retryAfterSeconds()));
                    json(response, unavailable.status(), OpenAiErrors.body(unavailable));
                    return;
                }
            }
            chain.doFilter(request, response);
        }
    }

    /** Loads the deferred CSRF token so its cookie is set on every response, as pages and scripts expect. */
    private static final class CsrfCookieOnEveryResponse extends OncePerRequestFilter {
        @Override
        protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                throws ServletException, IOException {
            CsrfToken token = (CsrfToken) request.getAttribute(CsrfToken.class.getName());
            if (token != null) {
                token.getToken();
            }
            chain.doFilter(request, response);
        }
    }
}
