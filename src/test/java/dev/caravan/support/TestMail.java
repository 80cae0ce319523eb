package dev.caravan.support;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.internet.MimeMessage;

/**
 * A real SMTP server (GreenMail) for the whole test JVM, on a free loopback port: the gateway's mail
 * goes through Spring Mail to it, and tests read what arrived.
 */
public final class TestMail {

    private static final GreenMail SERVER = start();

    private TestMail() {
    }

    private static GreenMail start() {
        GreenMail server = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());
        server.start();
        Runtime.getRuntime().addShutdownHook(new Thread(server::stop));
        return server;
    }

    public static int port() {
        return SERVER.getSmtp().getPort();
    }

    /** The newest mail to {@code to} received after {@code before} mails had arrived, waiting up to 10 s. */
    public static MimeMessage awaitMail(String to, int before) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            MimeMessage[] all = SERVER.getReceivedMessages();
            for (int i = all.length - 1; i >= before; i--) {
                if (GreenMailUtil.getAddressList(recipients(all[i])).contains(to)) {
                    return all[i];
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no mail to " + to + " arrived within 10 s");
    }

    /** How many mails have arrived so far (to wait for the next ones). */
    public static int count() {
        return SERVER.getReceivedMessages().length;
    }

    /** Mails to {@code to} among those that arrived after {@code before}. */
    public static long mailsTo(String to, int before) {
        MimeMessage[] all = SERVER.getReceivedMessages();
        long count = 0;
        for (int i = before; i < all.length; i++) {
            if (GreenMailUtil.getAddressList(recipients(all[i])).contains(to)) {
                count++;
            }
        }
        return count;
    }

    /** The first link in the mail's text that starts with {@code prefix}. */
    public static String link(MimeMessage mail, String prefix) {
        Matcher matcher = Pattern.compile(Pattern.quote(prefix) + "\\S+").matcher(GreenMailUtil.getBody(mail));
        if (!matcher.find()) {
            throw new AssertionError("no link " + prefix + "... in the mail");
        }
        return matcher.group();
    }

    private static jakarta.mail.Address[] recipients(MimeMessage mail) {
        try {
            return mail.getAllRecipients();
        } catch (jakarta.mail.MessagingException e) {
            throw new AssertionError(e);
        }
    }
}
