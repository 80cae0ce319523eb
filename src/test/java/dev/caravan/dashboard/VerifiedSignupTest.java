package dev.caravan.dashboard;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import com.fasterxml.jackson.databind.JsonNode;
import dev.caravan.support.DashboardClient;
import dev.caravan.support.GatewayTest;
import dev.caravan.support.TestMail;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/** With email verification on (its own context), a new user logs in only after opening the mailed link. */
@TestPropertySource(properties = {
        "caravan.dashboard.email-verification=on",
        "spring.datasource.url=jdbc:h2:mem:verified-signup-test;DB_CLOSE_DELAY=-1;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH"})
class VerifiedSignupTest extends GatewayTest {

    @Test
    void aNewUserLogsInOnlyAfterOpeningTheVerificationLinkOnce() throws Exception {
        String email = DashboardSessionTest.newEmail();
        DashboardClient browser = new DashboardClient(port);
        int before = TestMail.count();
        HttpResponse<String> signUp = browser.post("/auth/signup", DashboardClient.body(email, "correct horse battery"));
        assertThat(signUp.statusCode()).as(signUp.body()).isEqualTo(202);
        assertThat(JSON.readTree(signUp.body()).path("verification_required").asBoolean()).isTrue();
        assertThat(signUp.headers().allValues("Set-Cookie")).noneMatch(c -> c.startsWith("caravan_session="));
        String prefix = "http://localhost:" + port + "/auth/verify?token=";
        String first = TestMail.link(TestMail.awaitMail(email, before), prefix);

        int beforeResend = TestMail.count();
        HttpResponse<String> early = browser.logIn(email, "correct horse battery");
        assertThat(early.statusCode()).isEqualTo(403);
        assertThat(JSON.readTree(early.body()).path("error").path("code").asText()).isEqualTo("email_not_verified");
        // a wrong password does not reveal that the account waits for verification
        assertThat(browser.logIn(email, "wrong password!").statusCode()).isEqualTo(401);
        // the refused login sent a new link, and only the newest works
        String link = TestMail.link(TestMail.awaitMail(email, beforeResend), prefix);
        assertThat(HTTP.send(HttpRequest.newBuilder(URI.create(first)).GET().build(), HttpResponse.BodyHandlers.ofString())
                .headers().firstValue("Location")).hasValue("/login?verified=0");

        HttpResponse<String> opened = HTTP.send(HttpRequest.newBuilder(URI.create(link)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(opened.statusCode()).isEqualTo(302);
        assertThat(opened.headers().firstValue("Location")).hasValue("/login?verified=1");
        HttpResponse<String> reopened = HTTP.send(HttpRequest.newBuilder(URI.create(link)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(reopened.headers().firstValue("Location")).hasValue("/login?verified=0");

        HttpResponse<String> login = browser.logIn(email, "correct horse battery");
        assertThat(login.statusCode()).as(login.body()).isEqualTo(200);
        JsonNode user = JSON.readTree(login.body()).path("user");
        assertThat(user.path("email_verified").asBoolean()).isTrue();
    }

    @Test
    void aSignUpForATakenEmailAnswersAsANewOneAndMailsTheOwnerAResetLink() throws Exception {
        String email = DashboardSessionTest.newEmail();
        HttpResponse<String> first = new DashboardClient(port).post("/auth/signup", DashboardClient.body(email, "the owner's password"));
        assertThat(first.statusCode()).isEqualTo(202);
        String verify = TestMail.link(TestMail.awaitMail(email, 0), "http://localhost:" + port + "/auth/verify?token=");

        int before = TestMail.count();
        HttpResponse<String> squatter = new DashboardClient(port).post("/auth/signup",
                DashboardClient.body(email.toUpperCase(), "the squatter's password"));
        // the same answer as for a new email: nothing says the address has an account
        assertThat(squatter.statusCode()).isEqualTo(202);
        assertThat(JSON.readTree(squatter.body())).isEqualTo(JSON.readTree(first.body()));
        // the mailbox's owner hears of it, with a way in
        String reset = TestMail.link(TestMail.awaitMail(email, before), "http://localhost:" + port + "/reset-password?token=");
        assertThat(reset).contains("token=");

        // and nothing changed: the owner's link and password work, the squatter's password does not
        assertThat(HTTP.send(HttpRequest.newBuilder(URI.create(verify)).GET().build(), HttpResponse.BodyHandlers.ofString())
                .headers().firstValue("Location")).hasValue("/login?verified=1");
        assertThat(new DashboardClient(port).logIn(email, "the squatter's password").statusCode()).isEqualTo(401);
        assertThat(new DashboardClient(port).logIn(email, "the owner's password").statusCode()).isEqualTo(200);
    }
}
