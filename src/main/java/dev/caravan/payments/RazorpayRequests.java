package dev.caravan.payments;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.springframework.stereotype.Component;

/**
 * The steps the Razorpay routes share ({@code routes/*-razorpay-*.camel.yaml}): the key as Basic auth
 * and the JSON body on the way out, Razorpay's answer or error on the way back. The key secret is set
 * as a header here, never in an endpoint URI, which Camel may log.
 */
@Component("razorpayRequests")
public class RazorpayRequests {

    /** The request's JSON (a JsonNode), for the calls that send one. */
    public static final String REQUEST = "razorpayRequest";
    /** The payment a call is about, already checked to be a plain id. */
    public static final String PAYMENT_ID = "razorpayPaymentId";
    /** Razorpay's answers are small: an order, a payment, a refund. */
    private static final int MAX_ANSWER_BYTES = 1024 * 1024;

    private final PaymentSettings settings;
    private final ObjectMapper json;

    public RazorpayRequests(PaymentSettings settings, ObjectMapper json) {
        this.settings = settings;
        this.json = json;
    }

    public void withKeyAndBody(Exchange exchange) throws IOException {
        Message message = exchange.getMessage();
        String credentials = settings.razorpay().keyId() + ":" + settings.razorpay().keySecret();
        message.setHeader("Authorization",
                "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
        message.setHeader("Accept", "application/json");
        JsonNode request = exchange.getVariable(REQUEST, JsonNode.class);
        if (request == null) {
            message.setBody(null);
        } else {
            message.setHeader(Exchange.CONTENT_TYPE, "application/json");
            message.setBody(json.writeValueAsBytes(request));
        }
    }

    /** Razorpay's JSON on 2xx; otherwise a {@link RazorpayException} with its error code and description. */
    public JsonNode answer(Exchange exchange) throws IOException {
        Message message = exchange.getMessage();
        Integer status = message.getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        byte[] body = read(message.getBody());
        // what was sent must not linger on the exchange
        message.removeHeader("Authorization");
        JsonNode answer;
        try {
            answer = body.length == 0 ? json.createObjectNode() : json.readTree(body);
        } catch (IOException notJson) {
            throw new RazorpayException(status == null ? 0 : status, "bad_answer", "Razorpay answered something that is not JSON");
        }
        if (status == null || status < 200 || status >= 300) {
            JsonNode error = answer.path("error");
            throw new RazorpayException(status == null ? 0 : status, error.path("code").asText("unknown"),
                    error.path("description").asText("Razorpay answered " + status));
        }
        return answer;
    }

    private static byte[] read(Object body) throws IOException {
        if (body == null) {
            return new byte[0];
        }
        if (body instanceof InputStream in) {
            try (in) {
                return in.readNBytes(MAX_ANSWER_BYTES);
            }
        }
        if (body instanceof byte[] bytes) {
            return bytes;
        }
        return body.toString().getBytes(StandardCharsets.UTF_8);
    }
}
