package dev.caravan.metering;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caravan.api.ClientRequest;
import dev.caravan.api.FlowVariables;
import dev.caravan.api.Operation;
import dev.caravan.auth.Caller;
import dev.caravan.catalog.Backend;
import dev.caravan.catalog.Price;
import dev.caravan.provider.ProviderAdapters;
import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;

/**
 * The metering step of a flow: prices the answer and produces its {@link UsageRecord}. A complete
 * answer is priced here at once; a stream is wrapped in a {@link MeteredStream} that prices it when
 * it ends and hands the record to {@link UsageSink}.
 */
@Component("metering")
public class Metering {

    private final ObjectMapper json;
    private final TokenCounter tokens;
    private final ProviderAdapters adapters;
    private final UsageSink sink;

    public Metering(ObjectMapper json, TokenCounter tokens, ProviderAdapters adapters, UsageSink sink) {
        this.json = json;
        this.tokens = tokens;
        this.adapters = adapters;
        this.sink = sink;
    }

    /** Non-stream: body is the translated OpenAI response; it leaves as bytes with usage.cost and provider. */
    public void meterResponse(Exchange exchange) throws Exception {
        ClientRequest request = FlowVariables.CLIENT_REQUEST.require(exchange, "metering.meterResponse / meterStream");
        Backend backend = FlowVariables.BACKEND.require(exchange, "metering.meterResponse / meterStream");
        ObjectNode response = exchange.getMessage().getMandatoryBody(ObjectNode.class);
        TokenUsage usage = reportedUsage(response.get("usage"));
        if (usage == null) {
            usage = request.operation() == Operation.EMBEDDINGS
                    ? new TokenUsage(tokens.countEmbeddingInput(request.body().get("input")), 0, 0, true)
                    : new TokenUsage(tokens.countPrompt(request.body()), tokens.count(completionText(response)), 0, true);
        }
        BigDecimal hedges = hedgeCost(exchange, request);
        BigDecimal cost = CostCalculator.cost(price(backend, request), usage).add(hedges);
        ObjectNode usageNode = usageJson(usage, cost, hedges, response.get("usage"));
        if (request.operation() == Operation.EMBEDDINGS) {
            usageNode.remove("completion_tokens"); // not part of OpenAI's embeddings usage
        }
        response.set("usage", usageNode);
        response.put("provider", backend.providerName());
        String finishReason = response.path("choices").path(0).path("finish_reason").asText(null);
        FlowVariables.USAGE.set(exchange, RequestFacts.of(exchange).record(usage, cost, false, false, finishReason));
        exchange.getMessage().setBody(json.writeValueAsBytes(response));
    }

    /** Stream: body is the live upstream stream; it leaves wrapped in the metering tap, unread. */
    public void meterStream(Exchange exchange) {
        ClientRequest request = FlowVariables.CLIENT_REQUEST.require(exchange, "metering.meterResponse / meterStream");
        Backend backend = FlowVariables.BACKEND.require(exchange, "metering.meterResponse / meterStream");
        InputStream upstream = exchange.getMessage().getBody(InputStream.class);
        RequestFacts requestFacts = RequestFacts.of(exchange);
        Price price = price(backend, request);
        BigDecimal hedges = hedgeCost(exchange, request);
        MeteredStream.Pricer pricer = facts -> {
            TokenUsage usage = streamUsage(request, facts);
            return usageJson(usage, CostCalculator.cost(price, usage).add(hedges), hedges, facts.reportedUsage());
        };
        MeteredStream tap = new MeteredStream(upstream,
                adapters.forProtocol(backend.provider().protocol()).newStreamTranslator(request), json,
                request.includeUsage(), backend.providerName(), pricer, outcome -> {
                    TokenUsage usage = streamUsage(request, outcome.facts());
                    BigDecimal cost = CostCalculator.cost(price, usage).add(hedges);
                    sink.publish(requestFacts.record(usage, cost, true, outcome.cancelled(), outcome.finishReason()));
                });
        exchange.getMessage().setBody(tap);
    }

    /** The backend's prices for the request's service tier, which the planner made sure it lists. */
    private static Price price(Backend backend, ClientRequest request) {
        return Objects.requireNonNull(backend.price().forTier(request.priced().serviceTier()),
                () -> backend.id() + " lists no service tier '" + request.priced().serviceTier() + "'");
    }

    /** The prompts of the hedged attempts the client asked for and the gateway abandoned (Dispatch). */
    private static BigDecimal hedgeCost(Exchange exchange, ClientRequest request) {
        List<?> charges = FlowVariables.HEDGE_CHARGES.get(exchange);
        BigDecimal cost = BigDecimal.ZERO;
        for (Object charge : charges == null ? List.of() : charges) {
            HedgeCharge hedge = (HedgeCharge) charge;
            cost = cost.add(CostCalculator.cost(price(hedge.backend(), request),
                    new TokenUsage(hedge.promptTokens(), 0, 0, true)));
        }
        return cost;
    }

    private TokenUsage streamUsage(ClientRequest request, MeteredStream.ChunkFacts facts) {
        TokenUsage reported = reportedUsage(facts.reportedUsage());
        return reported != null ? reported
                : new TokenUsage(tokens.countPrompt(request.body()), tokens.count(facts.generatedText()), 0, true);
    }

    private static TokenUsage reportedUsage(JsonNode usage) {
        if (usage == null || !usage.isObject() || !usage.has("prompt_tokens")) {
            return null;
        }
        long prompt = usage.path("prompt_tokens").asLong();
        long completion = usage.path("completion_tokens").asLong();
        JsonNode promptDetails = usage.path("prompt_tokens_details");
        long cached = Math.min(promptDetails.path("cached_tokens").asLong(), prompt);
        long cacheWrite = Math.min(promptDetails.path("cache_write_tokens").asLong(), prompt - cached);
        long audioPrompt = Math.min(promptDetails.path("audio_tokens").asLong(), prompt - cached - cacheWrite);
        long audioCompletion = Math.min(usage.path("completion_tokens_details").path("audio_tokens").asLong(), completion);
        return new TokenUsage(prompt, completion, cached, cacheWrite, false, audioPrompt, audioCompletion);
    }

    private ObjectNode usageJson(TokenUsage usage, BigDecimal cost, BigDecimal hedges, JsonNode reported) {
        ObjectNode node = json.createObjectNode();
        node.put("prompt_tokens", usage.promptTokens());
        node.put("completion_tokens", usage.completionTokens());
        node.put("total_tokens", usage.totalTokens());
        if (usage.cachedTokens() > 0 || usage.cacheWriteTokens() > 0 || usage.audioPromptTokens() > 0) {
            ObjectNode details = node.putObject("prompt_tokens_details");
            details.put("cached_tokens", usage.cachedTokens());
            if (usage.cacheWriteTokens() > 0) {
                details.put("cache_write_tokens", usage.cacheWriteTokens());
            }
            if (usage.audioPromptTokens() > 0) {
                details.put("audio_tokens", usage.audioPromptTokens());
            }
        }
        if (reported != null && reported.path("completion_tokens_details").isObject()) {
            // reasoning tokens and the like: already part of completion_tokens, shown as reported
            node.set("completion_tokens_details", reported.get("completion_tokens_details"));
        }
        node.set("cost", DecimalNode.valueOf(cost.stripTrailingZeros()));
        if (hedges.signum() > 0) {
            // part of cost: the prompt of a hedged attempt the client asked for, sent and abandoned
            node.putObject("cost_details").set("abandoned_hedges", DecimalNode.valueOf(hedges.stripTrailingZeros()));
        }
        if (usage.estimated()) {
            node.put("estimated", true);
        }
        return node;
    }

    private static String completionText(ObjectNode response) {
        StringBuilder text = new StringBuilder();
        for (JsonNode choice : response.path("choices")) {
            JsonNode message = choice.path("message");
            text.append(message.path("content").asText(""));
            for (JsonNode call : message.path("tool_calls")) {
                text.append(call.path("function").path("name").asText(""))
                        .append(call.path("function").path("arguments").asText(""));
            }
        }
        return text.toString();
    }

    /** What a usage record needs from the exchange, taken before a stream outlives the route. */
    private record RequestFacts(String requestId, Caller caller, String model, Backend backend, long startedNanos,
                                List<UsageRecord.Attempt> attempts) {

        @SuppressWarnings("unchecked")
        static RequestFacts of(Exchange exchange) {
            return new RequestFacts(FlowVariables.REQUEST_ID.get(exchange),
                    FlowVariables.CALLER.require(exchange, "metering.meterResponse / meterStream"),
                    FlowVariables.CLIENT_REQUEST.require(exchange, "metering.meterResponse / meterStream").model(),
                    FlowVariables.BACKEND.require(exchange, "metering.meterResponse / meterStream"),
                    FlowVariables.STARTED_NANOS.get(exchange),
                    FlowVariables.ATTEMPTS.get(exchange));
        }

        UsageRecord record(TokenUsage usage, BigDecimal cost, boolean streamed, boolean cancelled, String finishReason) {
            // microseconds: what the database keeps, so the usage row and the usage event agree
            return new UsageRecord(requestId, caller.accountId(), caller.keyId(),
                    Instant.now().truncatedTo(ChronoUnit.MICROS), model, backend.id(),
                    backend.providerName(), backend.upstreamModel(), usage, cost, streamed, cancelled, finishReason, 200,
                    (System.nanoTime() - startedNanos) / 1_000_000, attempts, backend.priceVersion());
        }
    }
}
