package dev.caravan.support;

import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.caravan.payments.RazorpaySignatures;

/**
 * A fake Razorpay over real HTTP, one per test JVM: the REST API the gateway calls (orders, payments,
 * refunds under /v1, Basic auth with the test key, Razorpay's entity shapes and its error format
 * {@code {"error":{"code":"BAD_REQUEST_ERROR","description"}}}), a fake Checkout script
 * ({@code /checkout.js}) that "pays" an order and calls the page's handler as Razorpay's does, and a
 * webhook sender that signs like Razorpay.
 */
public final class FakeRazorpay {

    public static final String KEY_ID = "rzp_test_Caravan0000001";
    public static final String KEY_SECRET = "fake-razorpay-key-secret-0123456789";
    public static final String WEBHOOK_SECRET = "fake-razorpay-webhook-secret-0123456789";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private static final FakeRazorpay INSTANCE = new FakeRazorpay();

    private final Map<String, ObjectNode> orders = new ConcurrentHashMap<>();
    private final Map<String, ObjectNode> payments = new ConcurrentHashMap<>();
    private final Map<String, ObjectNode> refunds = new ConcurrentHashMap<>();
    /** Payments whose refunds Razorpay refuses (400). */
    private final Set<String> refusingRefunds = ConcurrentHashMap.newKeySet();
    /** Payments whose refunds Razorpay makes but answers with a 500: the gateway cannot know it made them. */
    private final Set<String> failingAfterRefund = ConcurrentHashMap.newKeySet();
    private final List<String> calls = new CopyOnWriteArrayList<>();
    private final HttpServer server;

    private FakeRazorpay() {
        server = FakeServer.start(this::handle);
    }

    public static FakeRazorpay get() {
        return INSTANCE;
    }

    public String origin() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public String baseUrl() {
        return origin() + "/v1";
    }

    public String checkoutUrl() {
        return origin() + "/checkout.js";
    }

    /** "METHOD /path" of every API call, in order. */
    public List<String> calls() {
        return calls;
    }

    public JsonNode order(String orderId) {
        return orders.get(orderId);
    }

    /** The refunds made of a payment. */
    public List<JsonNode> refundsOf(String paymentId) {
        return refunds.values().stream().filter(r -> r.path("payment_id").asText().equals(paymentId))
                .map(r -> (JsonNode) r).toList();
    }

    public void refuseRefundsOf(String paymentId) {
        refusingRefunds.add(paymentId);
    }

    public void answerRefundsOfWithServerError(String paymentId) {
        failingAfterRefund.add(paymentId);
    }

    /** Pays the order in full: a captured payment, as Checkout would make. */
    public String pay(String orderId) {
        return pay(orderId, orders.get(orderId).path("amount").asLong());
    }

    /** Pays the order with {@code amount} (a tampered or partial payment when it is not the order's). */
    public String pay(String orderId, long amount) {
        ObjectNode order = orders.get(orderId);
        String id = newId("pay");
        ObjectNode payment = JSON.createObjectNode().put("id", id).put("entity", "payment").put("amount", amount)
                .put("currency", order.path("currency").asText()).put("status", "captured").put("order_id", orderId)
                .put("method", "card").put("amount_refunded", 0).put("captured", true)
                .put("created_at", System.currentTimeMillis() / 1000);
        payments.put(id, payment);
        order.put("status", "paid").put("amount_paid", amount).put("amount_due", 0);
        return id;
    }

    /** The Checkout handler's signature: HMAC-SHA256 hex of order_id|payment_id with the key secret. */
    public static String checkoutSignature(String orderId, String paymentId) {
        return RazorpaySignatures.hmacHex(KEY_SECRET, (orderId + "|" + paymentId).getBytes(StandardCharsets.UTF_8));
    }

    // ---- webhooks ----

    public static String paymentCapturedEvent(JsonNode payment) {
        ObjectNode event = event("payment.captured");
        event.withObject("/payload").putObject("payment").set("entity", payment);
        return event.toString();
    }

    public static String orderPaidEvent(JsonNode order, JsonNode payment) {
        ObjectNode event = event("order.paid");
        event.withObject("/payload").putObject("payment").set("entity", payment);
        event.withObject("/payload").putObject("order").set("entity", order);
        return event.toString();
    }

    public static String refundEvent(String type, JsonNode refund) {
        ObjectNode event = event(type);
        event.withObject("/payload").putObject("refund").set("entity", refund);
        return event.toString();
    }

    public JsonNode payment(String paymentId) {
        return payments.get(paymentId);
    }

    public JsonNode refund(String refundId) {
        return refunds.get(refundId);
    }

    /** Sets a refund's status here, as Razorpay would before sending its webhook. */
    public JsonNode settleRefund(String refundId, String status) {
        return refunds.get(refundId).put("status", status);
    }

    /** Posts the event to the gateway's webhook, signed like Razorpay (or with {@code signature} when given). */
    public static HttpResponse<String> sendWebhook(String gatewayBase, String body, String signature) throws Exception {
        String signed = signature != null ? signature
                : RazorpaySignatures.hmacHex(WEBHOOK_SECRET, body.getBytes(StandardCharsets.UTF_8));
        return GatewayTest.HTTP.send(HttpRequest.newBuilder(URI.create(gatewayBase + "/webhooks/razorpay"))
                .header("Content-Type", "application/json").header("X-Razorpay-Signature", signed)
                .header("X-Razorpay-Event-Id", newId("evt"))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static ObjectNode event(String type) {
        ObjectNode event = JSON.createObjectNode().put("entity", "event").put("account_id", "acc_Fake0000000001")
                .put("event", type);
        event.putArray("contains");
        event.putObject("payload");
        event.put("created_at", System.currentTimeMillis() / 1000);
        return event;
    }

    // ---- the server ----

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            if (path.equals("/checkout.js")) {
                FakeServer.send(exchange, 200, "application/javascript", Fixtures.bytes("razorpay/checkout.js"));
                return;
            }
            if (path.equals("/checkout/pay.js")) {
                checkoutPay(exchange);
                return;
            }
            calls.add(method + " " + path);
            String expected = "Basic " + Base64.getEncoder().encodeToString((KEY_ID + ":" + KEY_SECRET).getBytes(StandardCharsets.UTF_8));
            if (!expected.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                error(exchange, 401, "BAD_REQUEST_ERROR", "Authentication failed");
                return;
            }
            FakeServer.Request request = FakeServer.read(exchange);
            if (method.equals("POST") && path.equals("/v1/orders")) {
                createOrder(exchange, request.body());
            } else if (method.equals("GET") && path.startsWith("/v1/payments/") && path.split("/").length == 4) {
                ObjectNode payment = payments.get(path.substring("/v1/payments/".length()));
                if (payment == null) {
                    error(exchange, 400, "BAD_REQUEST_ERROR", "The id provided does not exist");
                } else {
                    FakeServer.sendJson(exchange, 200, payment);
                }
            } else if (method.equals("POST") && path.startsWith("/v1/payments/") && path.endsWith("/refund")) {
                createRefund(exchange, path.split("/")[3], request.body());
            } else {
                error(exchange, 400, "BAD_REQUEST_ERROR", "The requested URL was not found on the server.");
            }
        }
    }

    private void createOrder(HttpExchange exchange, JsonNode body) throws IOException {
        long amount = body.path("amount").asLong();
        if (amount < 100) {
            error(exchange, 400, "BAD_REQUEST_ERROR", "The amount must be atleast INR 1.00");
            return;
        }
        String id = newId("order");
        ObjectNode order = JSON.createObjectNode().put("id", id).put("entity", "order").put("amount", amount)
                .put("amount_paid", 0).put("amount_due", amount).put("currency", body.path("currency").asText())
                .put("receipt", body.path("receipt").asText()).putNull("offer_id").put("status", "created")
                .put("attempts", 0).put("created_at", System.currentTimeMillis() / 1000);
        order.set("notes", body.path("notes"));
        orders.put(id, order);
        FakeServer.sendJson(exchange, 200, order);
    }

    private synchronized void createRefund(HttpExchange exchange, String paymentId, JsonNode body) throws IOException {
        ObjectNode payment = payments.get(paymentId);
        if (payment == null) {
            error(exchange, 400, "BAD_REQUEST_ERROR", "The id provided does not exist");
            return;
        }
        long amount = body.path("amount").asLong();
        long refunded = payment.path("amount_refunded").asLong();
        if (refusingRefunds.contains(paymentId)) {
            error(exchange, 400, "BAD_REQUEST_ERROR", "The refund could not be processed for this payment.");
            return;
        }
        if (amount <= 0 || refunded + amount > payment.path("amount").asLong()) {
            error(exchange, 400, "BAD_REQUEST_ERROR", "The refund amount provided is greater than amount captured");
            return;
        }
        payment.put("amount_refunded", refunded + amount);
        String id = newId("rfnd");
        ObjectNode refund = JSON.createObjectNode().put("id", id).put("entity", "refund").put("amount", amount)
                .put("currency", payment.path("currency").asText()).put("payment_id", paymentId)
                .put("receipt", body.path("receipt").asText(null)).put("status", "pending")
                .put("speed_requested", "normal").put("created_at", System.currentTimeMillis() / 1000);
        refund.set("notes", body.path("notes"));
        refunds.put(id, refund);
        if (failingAfterRefund.contains(paymentId)) {
            error(exchange, 500, "SERVER_ERROR", "We are facing some trouble completing your request at the moment.");
            return;
        }
        FakeServer.sendJson(exchange, 200, refund);
    }

    /** The fake Checkout's "payment": pays the order and calls the page's handler with what Razorpay's gives it. */
    private void checkoutPay(HttpExchange exchange) throws IOException {
        Map<String, String> query = new HashMap<>();
        for (String pair : exchange.getRequestURI().getRawQuery().split("&")) {
            String[] parts = pair.split("=", 2);
            query.put(URLDecoder.decode(parts[0], StandardCharsets.UTF_8), URLDecoder.decode(parts[1], StandardCharsets.UTF_8));
        }
        String orderId = query.get("order_id");
        String callback = query.get("callback");
        if (!orders.containsKey(orderId) || !KEY_ID.equals(query.get("key")) || !callback.matches("[A-Za-z0-9_]+")) {
            FakeServer.send(exchange, 400, "application/javascript", "/* unknown order or key */".getBytes(StandardCharsets.UTF_8));
            return;
        }
        String paymentId = pay(orderId);
        ObjectNode response = JSON.createObjectNode().put("razorpay_payment_id", paymentId).put("razorpay_order_id", orderId)
                .put("razorpay_signature", checkoutSignature(orderId, paymentId));
        FakeServer.send(exchange, 200, "application/javascript",
                ("window." + callback + "(" + response + ");").getBytes(StandardCharsets.UTF_8));
    }

    private static void error(HttpExchange exchange, int status, String code, String description) throws IOException {
        ObjectNode body = JSON.createObjectNode();
        body.putObject("error").put("code", code).put("description", description).put("source", "business")
                .put("step", "payment_initiation").put("reason", "input_validation_failed").putObject("metadata");
        FakeServer.sendJson(exchange, status, body);
    }

    static String newId(String prefix) {
        StringBuilder id = new StringBuilder(prefix).append('_');
        for (int i = 0; i < 14; i++) {
            id.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return id.toString();
    }
}
