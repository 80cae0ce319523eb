package dev.caravan.dashboard;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import javax.crypto.spec.SecretKeySpec;

import com.nimbusds.jose.jwk.source.ImmutableSecret;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.security.oauth2.jwt.NimbusJwtEncoder;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Secure flag of the session cookies follows {@code caravan.dashboard.secure-cookies}: the HTTP
 * tests run on plain HTTP, so HTTPS requests are built here (the flag depends only on
 * {@code request.isSecure()}, which a TLS connector or a trusted X-Forwarded-Proto sets).
 */
class SessionCookiesTest {

    @Test
    void autoMarksCookiesSecureExactlyWhenTheRequestCameOverHttps() {
        assertThat(cookies(DashboardSettings.CookieSecurity.AUTO, true)).allMatch(c -> c.contains("; Secure"));
        assertThat(cookies(DashboardSettings.CookieSecurity.AUTO, false)).noneMatch(c -> c.contains("Secure"));
    }

    @Test
    void alwaysAndNeverOverrideTheRequest() {
        assertThat(cookies(DashboardSettings.CookieSecurity.ALWAYS, false)).allMatch(c -> c.contains("; Secure"));
        assertThat(cookies(DashboardSettings.CookieSecurity.NEVER, true)).noneMatch(c -> c.contains("Secure"));
    }

    private static List<String> cookies(DashboardSettings.CookieSecurity security, boolean https) {
        DashboardSettings settings = new DashboardSettings("", "unused", Duration.ofMinutes(15), Duration.ofDays(30),
                security, "", DashboardSettings.EmailVerification.OFF, "x@example.com", 5, 50, 20, Duration.ofMinutes(15), 10,
                Duration.ofHours(1), Duration.ofDays(1), Duration.ofDays(7), 100, Duration.ofMillis(500), 10,
                Duration.ofMinutes(30));
        SessionCookies cookies = new SessionCookies(new NimbusJwtEncoder(new ImmutableSecret<>(
                new SecretKeySpec(new byte[32], "HmacSHA256"))), settings);
        MockHttpServletRequest request = new MockHttpServletRequest();
        request.setSecure(https);
        MockHttpServletResponse response = new MockHttpServletResponse();
        cookies.issue(request, response, new WebSessions.Issued("ses_1", "usr_1", "refresh"),
                new Users.User("usr_1", "a@example.com", "acct_1", Instant.now(), Instant.now()));
        List<String> set = response.getHeaders("Set-Cookie");
        assertThat(set).hasSize(2);
        return set;
    }
}
