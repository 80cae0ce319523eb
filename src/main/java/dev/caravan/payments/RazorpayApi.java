package dev.caravan.payments;

import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.springframework.stereotype.Component;

/**
 * Razorpay's REST API as the payments service uses it: each operation is a route
 * ({@code create-razorpay-order}, {@code fetch-razorpay-payment}, {@code create-razorpay-refund}),
 * so integrators can see and change the calls without recompiling.
 */
@Component
public class RazorpayApi {

    /** A Razorpay order, payment or refund, as far as the gateway reads it. */
    public record Entity(String id, String orderId, String paymentId, long amount, String currency, String status) {
        static Entity of(JsonNode node) {
            return new Entity(node.path("id").asText(null), node.path("order_id").asText(null),
                    node.path("payment_id").asText(null), node.path("amount").asLong(-1),
                    node.path("currency").asText(null), node.path("status").asText(null));
        }
    }

    private final ProducerTemplate producer;
    private final ObjectMapper json;

    public RazorpayApi(ProducerTemplate producer, ObjectMapper json) {
        this.producer = producer;
        this.json = json;
    }

    public Entity createOrder(long amountMinor, String currency, String receipt, String accountId) {
        ObjectNode order = json.createObjectNode().put("amount", amountMinor).put("currency", currency).put("receipt", receipt);
        order.putObject("notes").put("account_id", accountId);
        return call("direct:create-razorpay-order", exchange -> exchange.setVariable(RazorpayRequests.REQUEST, order));
    }

    public Entity fetchPayment(String paymentId) {
        return call("direct:fetch-razorpay-payment", exchange -> exchange.setVariable(RazorpayRequests.PAYMENT_ID, paymentId));
    }

    /** {@code receipt}: our refund id, which the refund webhooks carry back. */
    public Entity createRefund(String paymentId, long amountMinor, String receipt) {
        ObjectNode refund = json.createObjectNode().put("amount", amountMinor).put("speed", "normal").put("receipt", receipt);
        refund.putObject("notes").put("caravan_refund_id", receipt);
        return call("direct:create-razorpay-refund", exchange -> {
            exchange.setVariable(RazorpayRequests.PAYMENT_ID, paymentId);
            exchange.setVariable(RazorpayRequests.REQUEST, refund);
        });
    }

    private Entity call(String route, Consumer<Exchange> input) {
        Exchange done = producer.send(route, input::accept);
        Exception failure = done.getException();
        if (failure instanceof RazorpayException refused) {
            throw refused;
        }
        if (failure != null) {
            // the class only: a message may quote the address
            throw new RazorpayException(0, "unreachable", "Razorpay could not be reached (" + failure.getClass().getSimpleName() + ")");
        }
        return Entity.of(done.getMessage().getBody(JsonNode.class));
    }
}
