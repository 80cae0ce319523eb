package dev.caravan.payments;

import java.io.IOException;
import java.io.InputStream;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caravan.api.GatewayException;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /webhooks/razorpay}: server to server, so outside the dashboard's security chain (no
 * session, no CSRF); what stands in for them is the {@code X-Razorpay-Signature} over the raw body,
 * checked before anything is parsed, on a body read up to {@code webhook-max-bytes}.
 */
@RestController
public class RazorpayWebhookController {

    private final PaymentVerification verification;
    private final PaymentSettings settings;
    private final ObjectMapper json;

    public RazorpayWebhookController(PaymentVerification verification, PaymentSettings settings, ObjectMapper json) {
        this.verification = verification;
        this.settings = settings;
        this.json = json;
    }

    @PostMapping(path = "/webhooks/razorpay", produces = "application/json")
    public ObjectNode receive(HttpServletRequest request) {
        if (!settings.webhookEnabled()) {
            throw Payments.notConfigured();
        }
        int max = settings.razorpay().webhookMaxBytes();
        byte[] body;
        try (InputStream in = request.getInputStream()) {
            body = in.readNBytes(max + 1);
        } catch (IOException e) {
            throw GatewayException.invalidRequest(null, "The request body could not be read.");
        }
        if (body.length > max) {
            throw GatewayException.tooLarge(max);
        }
        String outcome = verification.handleWebhook(body, request.getHeader("X-Razorpay-Signature"));
        return json.createObjectNode().put("status", outcome);
    }
}
