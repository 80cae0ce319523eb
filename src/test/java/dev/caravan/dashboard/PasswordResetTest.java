package dev.caravan.dashboard;

import java.net.URI;
import java.net.http.HttpResponse;

import com.fasterxml.jackson.databind.JsonNode;
import dev.caravan.support.DashboardClient;
import dev.caravan.support.GatewayTest;
import dev.caravan.support.TestMail;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Forgotten passwords and invitations through a real SMTP server (GreenMail): links that work once. */
class PasswordResetTest extends GatewayTest {

    private static final String PASSWORD = "correct horse battery";

    @Test
    void theMailedResetLinkWorksOnceThenNeverAgain() throws Exception {
        String email = DashboardSessionTest.newEmail();
        DashboardClient oldBrowser = new DashboardClient(port);
        oldBrowser.signUp(email, PASSWORD);

        int before = TestMail.count();
        DashboardClient forgetful = new DashboardClient(port);
        HttpResponse<String> asked = forgetful.post("/auth/password-reset", "{\"email\":\"" + email.toUpperCase() + "\"}");
        assertThat(asked.statusCode()).isEqualTo(202);
        MimeMessage mail = TestMail.awaitMail(email, before);
        assertThat(mail.getSubject()).contains("Reset");
        String link = TestMail.link(mail, "http://localhost:" + port + "/reset-password?token=");
        String token = URI.create(link).getQuery().substring("token=".length());

        // a too-short password does not use the link up
        HttpResponse<String> weak = forgetful.post("/auth/password-reset/confirm",
                "{\"token\":\"" + token + "\",\"password\":\"short\"}");
        assertThat(weak.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(weak.body()).path("error").path("param").asText()).isEqualTo("password");

        HttpResponse<String> reset = forgetful.post("/auth/password-reset/confirm",
                "{\"token\":\"" + token + "\",\"password\":\"a new long password\"}");
        assertThat(reset.statusCode()).as(reset.body()).isEqualTo(204);
        HttpResponse<String> again = forgetful.post("/auth/password-reset/confirm",
                "{\"token\":\"" + token + "\",\"password\":\"yet another password\"}");
        assertThat(again.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(again.body()).path("error").path("code").asText()).isEqualTo("invalid_token");

        // the reset ended the sessions signed in with the old password
        assertThat(oldBrowser.get("/api/account").statusCode()).isEqualTo(401);
        assertThat(new DashboardClient(port).logIn(email, PASSWORD).statusCode()).isEqualTo(401);
        assertThat(new DashboardClient(port).logIn(email, "a new long password").statusCode()).isEqualTo(200);
        // a mail, never a secret in the answer
        assertThat(asked.body()).doesNotContain(token);
    }

    @Test
    void anUnknownEmailGetsTheSameAnswerAndNoMail() throws Exception {
        String email = DashboardSessionTest.newEmail();
        int before = TestMail.count();
        HttpResponse<String> asked = new DashboardClient(port).post("/auth/password-reset", "{\"email\":\"" + email + "\"}");
        assertThat(asked.statusCode()).isEqualTo(202);
        String known = DashboardSessionTest.newEmail();
        new DashboardClient(port).signUp(known, PASSWORD);
        HttpResponse<String> askedKnown = new DashboardClient(port).post("/auth/password-reset", "{\"email\":\"" + known + "\"}");
        assertThat(askedKnown.body()).isEqualTo(asked.body());
        TestMail.awaitMail(known, before);
        assertThat(TestMail.mailsTo(email, before)).isZero();
    }

    @Test
    void onlyTheNewestResetLinkWorks() throws Exception {
        String email = DashboardSessionTest.newEmail();
        new DashboardClient(port).signUp(email, PASSWORD);
        DashboardClient browser = new DashboardClient(port);
        int before = TestMail.count();
        browser.post("/auth/password-reset", "{\"email\":\"" + email + "\"}");
        String first = token(TestMail.awaitMail(email, before));
        int between = TestMail.count();
        browser.post("/auth/password-reset", "{\"email\":\"" + email + "\"}");
        String second = token(TestMail.awaitMail(email, between));
        assertThat(browser.post("/auth/password-reset/confirm", "{\"token\":\"" + first + "\",\"password\":\"first new password\"}")
                .statusCode()).isEqualTo(400);
        assertThat(browser.post("/auth/password-reset/confirm", "{\"token\":\"" + second + "\",\"password\":\"second new password\"}")
                .statusCode()).isEqualTo(204);
    }

    @Test
    void theOperatorCanHandOutAResetLinkWithoutMail() throws Exception {
        String email = DashboardSessionTest.newEmail();
        new DashboardClient(port).signUp(email, PASSWORD);
        HttpResponse<String> created = admin("POST", "/admin/password-resets", "{\"email\":\"" + email + "\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String token = URI.create(JSON.readTree(created.body()).path("link").asText()).getQuery().substring("token=".length());
        DashboardClient browser = new DashboardClient(port);
        assertThat(browser.post("/auth/password-reset/confirm", "{\"token\":\"" + token + "\",\"password\":\"operator given pw\"}")
                .statusCode()).isEqualTo(204);
        assertThat(browser.logIn(email, "operator given pw").statusCode()).isEqualTo(200);
        assertThat(admin("POST", "/admin/password-resets", "{\"email\":\"nobody@example.com\"}").statusCode()).isEqualTo(404);
        assertThat(HTTP.send(java.net.http.HttpRequest.newBuilder(URI.create(url("/admin/password-resets")))
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"email\":\"" + email + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
    }

    @Test
    void anInvitationMakesThePersonTheOwnerOfTheOperatorsAccount() throws Exception {
        String accountId = createAccount("invited team");
        assertThat(addCredits(accountId, "7.5", "invite-credit-" + accountId).statusCode()).isEqualTo(200);
        String email = DashboardSessionTest.newEmail();
        int before = TestMail.count();
        HttpResponse<String> invited = admin("POST", "/admin/accounts/" + accountId + "/invite", "{\"email\":\"" + email + "\"}");
        assertThat(invited.statusCode()).as(invited.body()).isEqualTo(201);
        String link = TestMail.link(TestMail.awaitMail(email, before), "http://localhost:" + port + "/signup?invite=");
        assertThat(JSON.readTree(invited.body()).path("link").asText()).isEqualTo(link);
        String invite = URI.create(link).getQuery().substring("invite=".length());

        // another email cannot use it
        DashboardClient stranger = new DashboardClient(port);
        HttpResponse<String> wrongEmail = stranger.post("/auth/signup", "{\"email\":\"" + DashboardSessionTest.newEmail()
                + "\",\"password\":\"" + PASSWORD + "\",\"invite\":\"" + invite + "\"}");
        assertThat(wrongEmail.statusCode()).isEqualTo(400);

        DashboardClient owner = new DashboardClient(port);
        HttpResponse<String> signedUp = owner.post("/auth/signup", "{\"email\":\"" + email + "\",\"password\":\"" + PASSWORD
                + "\",\"invite\":\"" + invite + "\"}");
        assertThat(signedUp.statusCode()).as(signedUp.body()).isEqualTo(201);
        JsonNode account = owner.json("/api/account");
        assertThat(account.path("id").asText()).isEqualTo(accountId);
        assertThat(account.path("balance").decimalValue()).isEqualByComparingTo("7.5");
        assertThat(account.path("user").path("email_verified").asBoolean()).isTrue();

        // used once; and the account has its owner now
        assertThat(new DashboardClient(port).post("/auth/signup", "{\"email\":\"" + DashboardSessionTest.newEmail()
                + "\",\"password\":\"" + PASSWORD + "\",\"invite\":\"" + invite + "\"}").statusCode()).isEqualTo(400);
        assertThat(admin("POST", "/admin/accounts/" + accountId + "/invite", "{\"email\":\"x@example.com\"}").statusCode())
                .isEqualTo(409);
    }

    private static String token(MimeMessage mail) {
        String link = TestMail.link(mail, "http://localhost:");
        return link.substring(link.indexOf("token=") + "token=".length());
    }
}
