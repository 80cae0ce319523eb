package dev.caravan.dashboard;

import jakarta.mail.internet.InternetAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.web.context.WebServerInitializedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.mail.SimpleMailMessage;
import org.springframework.mail.javamail.JavaMailSender;
import org.springframework.stereotype.Component;

/**
 * The dashboard's mail: password-reset, verification and invitation links, through Spring Mail to the
 * SMTP server of {@code spring.mail.*}. Without one, nothing is sent and nothing secret is logged: the
 * operator hands out links through the admin API (docs/dashboard.md). Mail goes out on its own thread,
 * so a request that sends mail takes as long as one that does not (a reset request must not tell
 * whether the email has an account).
 */
@Component
public class DashboardMail {

    private static final Logger log = LoggerFactory.getLogger(DashboardMail.class);

    private final JavaMailSender sender;
    private final DashboardSettings settings;
    private volatile int localPort = 8080;

    public DashboardMail(ObjectProvider<JavaMailSender> sender, DashboardSettings settings) {
        this.sender = sender.getIfAvailable();
        this.settings = settings;
    }

    @EventListener
    void serverStarted(WebServerInitializedEvent event) {
        if (event.getApplicationContext().getServerNamespace() == null) {
            localPort = event.getWebServer().getPort();
        }
    }

    public boolean configured() {
        return sender != null;
    }

    /** Whether a new user must click the mailed link before logging in. */
    public boolean verificationRequired() {
        return switch (settings.emailVerification()) {
            case ON -> true;
            case OFF -> false;
            case AUTO -> configured();
        };
    }

    /** The gateway's address for links in mail: configured, never from a request's Host header. */
    public String link(String pathAndQuery) {
        String base = settings.publicUrl() == null || settings.publicUrl().isBlank()
                ? "http://localhost:" + localPort : settings.publicUrl().replaceAll("/+$", "");
        return base + pathAndQuery;
    }

    public void passwordReset(String to, String link) {
        send(to, "Reset your Caravan password", """
                Someone (we hope you) asked to reset the password of your Caravan account.

                Open this link within %d minutes to choose a new password. It works once:
                %s

                If you did not ask for this, ignore this mail: your password stays as it is.
                """.formatted(settings.resetLinkLifetime().toMinutes(), link), "password reset");
    }

    /** A sign-up for an email that has an account: the owner learns of it, and how to get in. */
    public void accountExists(String to, String resetLink) {
        send(to, "Your Caravan account", """
                Someone (we hope you) tried to sign up for Caravan with this email address, which has an
                account already. Log in with its password, or, if you do not know it, open this link within
                %d minutes to choose a new one (it works once):
                %s

                If you did not try to sign up, ignore this mail: nothing was changed.
                """.formatted(settings.resetLinkLifetime().toMinutes(), resetLink), "account exists");
    }

    public void verifyEmail(String to, String link) {
        send(to, "Confirm your email for Caravan", """
                Welcome to Caravan. Confirm that this is your email address by opening this link (it works once):
                %s

                If you did not sign up, ignore this mail.
                """.formatted(link), "email verification");
    }

    public void invitation(String to, String link) {
        send(to, "You are invited to a Caravan account", """
                An operator of Caravan made an account for you. Open this link to choose your password and
                sign in (it works once):
                %s
                """.formatted(link), "invitation");
    }

    private void send(String to, String subject, String text, String kind) {
        if (sender == null) {
            log.info("A {} mail was due; no SMTP server is configured (spring.mail.host), so none was sent. "
                    + "The operator can hand out the link through the admin API (docs/dashboard.md).", kind);
            return;
        }
        SimpleMailMessage message = new SimpleMailMessage();
        message.setFrom(settings.mailFrom());
        message.setTo(to);
        message.setSubject(subject);
        message.setText(text);
        Thread.ofVirtual().name("dashboard-mail").start(() -> {
            try {
                new InternetAddress(to, true);
                sender.send(message);
            } catch (Exception e) {
                // neither the address nor the link: both are personal or secret
                log.warn("A {} mail could not be sent: {}", kind, e.getClass().getName());
            }
        });
    }
}
