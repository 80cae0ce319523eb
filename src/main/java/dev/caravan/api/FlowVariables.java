package dev.caravan.api;

import java.math.BigDecimal;
import java.util.List;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caravan.auth.Caller;
import dev.caravan.catalog.Backend;
import dev.caravan.metering.UsageRecord;
import dev.caravan.routing.OutputLimit;
import dev.caravan.routing.Plan;

/**
 * The exchange contract: every variable the request flow's steps hand each other, in one place, with
 * the step that writes it. docs/routes.md lists them with their readers (a test keeps the two in
 * step). A route of an integrator's may read any of them ({@code ${variable.plan.model().id()}}); it
 * should write only its own names.
 */
public final class FlowVariables {

    public static final FlowVariable<String> REQUEST_ID = new FlowVariable<>("requestId", String.class,
            "requestContext.begin", "the request's id, as in X-Request-Id");
    public static final FlowVariable<Long> STARTED_NANOS = new FlowVariable<>("startedNanos", Long.class,
            "requestContext.begin", "System.nanoTime() when the request arrived, for latency");
    public static final FlowVariable<Caller> CALLER = new FlowVariable<>("caller", Caller.class,
            "apiKeys.authenticate", "the API key and its account, limits and model scope");
    public static final FlowVariable<ClientRequest> CLIENT_REQUEST = new FlowVariable<>("clientRequest",
            ClientRequest.class, "clientRequests.parseChatCompletion / parseEmbeddings (or the Responses and Messages readers)",
            "the parsed request: model, body, stream, limits");
    public static final FlowVariable<ObjectNode> RESPONSES_REQUEST = new FlowVariable<>("responsesRequest",
            ObjectNode.class, "responsesApi.read", "a /v1/responses request as the client sent it");
    public static final FlowVariable<ObjectNode> MESSAGES_REQUEST = new FlowVariable<>("messagesRequest",
            ObjectNode.class, "messagesApi.read", "a /v1/messages request as the client sent it");
    public static final FlowVariable<Plan> PLAN = new FlowVariable<>("plan", Plan.class, "planner.plan",
            "the model and its candidate backends, cheapest first; the prompt's token bound");
    public static final FlowVariable<String> MODEL_ID = new FlowVariable<>("modelId", String.class, "planner.plan",
            "the catalog model's id, for metrics");
    public static final FlowVariable<BigDecimal> HOLD = new FlowVariable<>("hold", BigDecimal.class,
            "credits.reserve", "the credit held for the request (USD); removed when released");
    public static final FlowVariable<OutputLimit> OUTPUT_LIMIT = new FlowVariable<>("outputLimit", OutputLimit.class,
            "credits.reserve", "the output tokens the hold covers, sent upstream as the output limit");
    public static final FlowVariable<Long> MAX_TOKENS_CAPPED = new FlowVariable<>("maxTokensCapped", Long.class,
            "credits.reserve", "set when the credit covered only a shorter answer: the limit sent");
    public static final FlowVariable<Backend> BACKEND = new FlowVariable<>("backend", Backend.class,
            "dispatcher.dispatch (each attempt)", "the backend being called, then the one that answered");
    public static final FlowVariable<String> BACKEND_ID = new FlowVariable<>("backendId", String.class,
            "dispatcher.dispatch (each attempt)", "that backend's id, as in X-Caravan-Backend");
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static final FlowVariable<List<UsageRecord.Attempt>> ATTEMPTS = new FlowVariable<>("attempts",
            (Class) List.class, "dispatcher.dispatch", "every upstream call made for the request");
    public static final FlowVariable<String> ATTEMPTS_SUMMARY = new FlowVariable<>("attemptsSummary", String.class,
            "dispatcher.dispatch", "the same as text, as in X-Caravan-Attempts");
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static final FlowVariable<List<dev.caravan.metering.HedgeCharge>> HEDGE_CHARGES = new FlowVariable<>(
            "hedgeCharges", (Class) List.class, "dispatcher.dispatch", "abandoned hedges the request pays for");
    public static final FlowVariable<String> UPSTREAM_URL = new FlowVariable<>("upstreamUrl", String.class,
            "upstreamCalls.prepare (call-provider)", "the URL the attempt calls");
    public static final FlowVariable<Long> CONNECT_TIMEOUT_MILLIS = new FlowVariable<>("connectTimeoutMillis",
            Long.class, "upstreamCalls.prepare (call-provider)", "the provider's connect timeout");
    public static final FlowVariable<Long> RESPONSE_TIMEOUT_MILLIS = new FlowVariable<>("responseTimeoutMillis",
            Long.class, "upstreamCalls.prepare (call-provider)", "the provider's response timeout");
    public static final FlowVariable<UsageRecord> USAGE = new FlowVariable<>("usage", UsageRecord.class,
            "metering.meterResponse (a stream: when it ends)", "the request's usage record, metadata only");

    /** Every variable above, in the order the flow sets them. */
    public static final List<FlowVariable<?>> ALL = List.of(REQUEST_ID, STARTED_NANOS, CALLER, CLIENT_REQUEST,
            RESPONSES_REQUEST, MESSAGES_REQUEST, PLAN, MODEL_ID, HOLD, OUTPUT_LIMIT, MAX_TOKENS_CAPPED, BACKEND,
            BACKEND_ID, ATTEMPTS, ATTEMPTS_SUMMARY, HEDGE_CHARGES, UPSTREAM_URL, CONNECT_TIMEOUT_MILLIS,
            RESPONSE_TIMEOUT_MILLIS, USAGE);

    private FlowVariables() {
    }
}
