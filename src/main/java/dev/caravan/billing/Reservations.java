package dev.caravan.billing;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import dev.caravan.api.ClientRequest;
import dev.caravan.api.FlowVariables;
import dev.caravan.api.GatewayException;
import dev.caravan.api.Operation;
import dev.caravan.api.PricedOptions;
import dev.caravan.auth.ApiKeys;
import dev.caravan.auth.Caller;
import dev.caravan.catalog.Price;
import dev.caravan.routing.OutputLimit;
import dev.caravan.routing.Plan;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The reserve step: before any upstream is called, hold the request's worst-case cost with one
 * conditional update per row (the account's free balance must cover it; the key must be live and
 * within its spend limit). When the balance cannot cover the worst case but can cover a useful answer,
 * the upstream {@code max_tokens} is lowered to what it covers instead of refusing. The output limit
 * held for becomes the {@code outputLimit} every upstream call is sent.
 */
@Component("credits")
public class Reservations {

    private static final Logger log = LoggerFactory.getLogger(Reservations.class);
    private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);
    private static final int ATTEMPTS = 3;

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final HoldBatcher holds;
    private final GatewayInstance instance;
    /** Holds of failed requests whose release the database refused (an outage): released when it is back. */
    private final Set<String> unreleased = ConcurrentHashMap.newKeySet();
    private final int defaultMaxOutputTokens;
    private final int minUsefulOutputTokens;
    private final BigDecimal promptMargin;

    public Reservations(JdbcTemplate jdbc, TransactionTemplate tx, HoldBatcher holds, GatewayInstance instance,
                        @Value("${caravan.billing.default-max-output-tokens:4096}") int defaultMaxOutputTokens,
                        @Value("${caravan.billing.min-useful-output-tokens:16}") int minUsefulOutputTokens,
                        @Value("${caravan.billing.prompt-estimate-margin:1.10}") BigDecimal promptMargin) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.holds = holds;
        this.instance = instance;
        this.defaultMaxOutputTokens = defaultMaxOutputTokens;
        this.minUsefulOutputTokens = minUsefulOutputTokens;
        this.promptMargin = promptMargin;
    }

    /** Route step: holds the worst case for {@code caller}; may lower max_tokens; sets {@code hold} and {@code outputLimit}. */
    public void reserve(Exchange exchange) {
        Caller caller = FlowVariables.CALLER.require(exchange, "credits.reserve");
        ClientRequest request = FlowVariables.CLIENT_REQUEST.require(exchange, "credits.reserve");
        Plan plan = FlowVariables.PLAN.require(exchange, "credits.reserve");
        String requestId = FlowVariables.REQUEST_ID.get(exchange);

        PricedOptions priced = request.priced();
        // the prices of the tier asked for: the planner left out the backends that do not list it
        List<Price> prices = plan.candidates().stream().map(b -> b.price().forTier(priced.serviceTier())).toList();
        // a hedge the client asked for may send the prompt twice, and the abandoned one is charged
        BigDecimal inputPrice = prices.stream().map(p -> p.highestInput(priced.audioInput()))
                .max(BigDecimal::compareTo).orElse(BigDecimal.ZERO)
                .multiply(BigDecimal.valueOf(plan.promptsCharged())).divide(MILLION);
        // each of the n answers may be as long as the limit: an output token is held n times
        BigDecimal outputPrice = prices.stream().map(p -> p.highestOutput(priced.audioOutput()))
                .max(BigDecimal::compareTo).orElse(BigDecimal.ZERO)
                .multiply(BigDecimal.valueOf(request.choices())).divide(MILLION);
        long maxOutput = request.operation() == Operation.EMBEDDINGS ? 0 : requestedMaxOutput(request, plan);

        // The common case, the credit covers the worst case: hold it at once, together with the holds
        // of concurrent requests, sized by the prompt's bound (no tokenizer pass over the prompt on the
        // response path). The conditional updates check exactly what the budget below would, so the
        // budget is only read, and the prompt counted, when the hold does not fit: to lower
        // max_tokens, or to say what is short.
        BigDecimal bound = held(promptCost(inputPrice, plan.prompt().atMost()), outputPrice, maxOutput);
        if (holds.hold(caller, requestId, plan.model().id(), bound)) {
            FlowVariables.HOLD.set(exchange, bound);
            limitOutput(exchange, request, maxOutput);
            return;
        }
        BigDecimal promptCost = promptCost(inputPrice, plan.prompt().estimate());
        BigDecimal worstCase = held(promptCost, outputPrice, maxOutput);
        for (int attempt = 1; ; attempt++) {
            Budget budget = budget(caller);
            Long cappedTo = null;
            BigDecimal amount = worstCase;
            if (worstCase.compareTo(budget.spendable()) > 0) {
                long fits = fittingOutputTokens(budget.spendable(), promptCost, outputPrice, maxOutput);
                if (fits < Math.min(minUsefulOutputTokens, Math.max(1, maxOutput))) {
                    throw insufficient(budget, worstCase, promptCost, outputPrice, fits);
                }
                cappedTo = fits;
                amount = held(promptCost, outputPrice, fits);
            }
            if (tryHold(caller, requestId, plan.model().id(), amount)) {
                FlowVariables.HOLD.set(exchange, amount);
                limitOutput(exchange, request, cappedTo != null ? cappedTo : maxOutput);
                if (cappedTo != null) {
                    FlowVariables.MAX_TOKENS_CAPPED.set(exchange, cappedTo);
                }
                return;
            }
            if (attempt == ATTEMPTS) {
                // lost the race for the last credit to concurrent requests, repeatedly
                throw insufficient(budget(caller), worstCase, promptCost, outputPrice, 0);
            }
        }
    }

    /**
     * Error path: a request that failed before its answer pays nothing; its hold goes back. Never
     * fails the error response: a hold it cannot release now (the database is unreachable) is released
     * as soon as the database is back ({@link #releaseLater}). Should this instance die first, the hold
     * is settled as an orphan: charged, since whether it was answered is then unknown.
     */
    public void releaseUnused(Exchange exchange) {
        String requestId = FlowVariables.REQUEST_ID.get(exchange);
        if (FlowVariables.HOLD.get(exchange) == null) {
            // a hold whose commit went through while its acknowledgement was lost in an outage
            if (requestId != null
                    && DatabaseFailures.isUnavailable(exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class))) {
                unreleased.add(requestId);
            }
            return;
        }
        try {
            release(requestId);
        } catch (RuntimeException e) {
            log.warn("Could not release the hold of request {} ({}); retrying until the database answers", requestId,
                    e.getClass().getName());
            unreleased.add(requestId);
        }
        FlowVariables.HOLD.remove(exchange);
    }

    /** Releases the holds {@link #releaseUnused} could not, once the database answers again. */
    @Scheduled(fixedDelayString = "${caravan.billing.release-retry-interval:2s}")
    public void releaseLater() {
        for (String requestId : List.copyOf(unreleased)) {
            try {
                release(requestId);
                unreleased.remove(requestId);
            } catch (RuntimeException e) {
                return; // still unreachable: the next turn tries again
            }
        }
    }

    /** Whether this instance still has to release the request's hold (the database refused earlier). */
    boolean isUnreleased(String requestId) {
        return unreleased.contains(requestId);
    }

    private void release(String requestId) {
        tx.executeWithoutResult(status -> {
            List<Map<String, Object>> holds = jdbc.queryForList(
                    "SELECT account_id, key_id, amount FROM holds WHERE request_id = ? FOR UPDATE", requestId);
            if (holds.isEmpty()) {
                return;
            }
            Map<String, Object> hold = holds.get(0);
            releaseHold(jdbc, requestId, (String) hold.get("account_id"), (String) hold.get("key_id"),
                    (BigDecimal) hold.get("amount"));
        });
    }

    static void releaseHold(JdbcTemplate jdbc, String requestId, String accountId, String keyId, BigDecimal amount) {
        jdbc.update("UPDATE accounts SET held = held - ? WHERE id = ?", amount, accountId);
        jdbc.update("UPDATE api_keys SET held = held - ? WHERE id = ?", amount, keyId);
        jdbc.update("DELETE FROM holds WHERE request_id = ?", requestId);
    }

    /** A hold on its own; a refusal by the key throws why (revoked, expired, spend limit). */
    private boolean tryHold(Caller caller, String requestId, String model, BigDecimal amount) {
        Boolean held = tx.execute(status -> {
            // account first, then key: the same lock order as settlement, so the two never deadlock
            int account = jdbc.update("UPDATE accounts SET held = held + ? WHERE id = ? AND balance - held >= ?",
                    amount, caller.accountId(), amount);
            if (account == 0) {
                return false;
            }
            int key = jdbc.update("""
                    UPDATE api_keys SET held = held + ?
                    WHERE id = ? AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?)
                      AND (spend_limit IS NULL OR spent + held + ? <= spend_limit)""",
                    amount, caller.keyId(), Timestamp.from(Instant.now()), amount);
            if (key == 0) {
                throw keyRefusal(caller, amount); // rolls the account's update back
            }
            HoldBatcher.Request request = new HoldBatcher.Request(caller, requestId, model, amount);
            jdbc.update(HoldBatcher.INSERT_HOLD,
                    statement -> HoldBatcher.bindHold(statement, request, instance.id(), Timestamp.from(Instant.now())));
            return true;
        });
        return Boolean.TRUE.equals(held);
    }

    /** Why the key refused a hold the account could cover: revoked, expired, or its spend limit. */
    private GatewayException keyRefusal(Caller caller, BigDecimal amount) {
        Map<String, Object> key = jdbc.queryForMap(
                "SELECT revoked_at, expires_at, spend_limit, spent, held FROM api_keys WHERE id = ?", caller.keyId());
        if (key.get("revoked_at") != null) {
            return ApiKeys.unauthorized("This API key has been revoked.");
        }
        Timestamp expires = (Timestamp) key.get("expires_at");
        if (expires != null && !expires.toInstant().isAfter(Instant.now())) {
            return ApiKeys.unauthorized("This API key has expired.");
        }
        BigDecimal limit = (BigDecimal) key.get("spend_limit");
        BigDecimal used = ((BigDecimal) key.get("spent")).add((BigDecimal) key.get("held"));
        return new GatewayException(402, "insufficient_quota", "key_spend_limit_reached", null,
                "This key's spend limit of $" + Money.plain(limit) + " is reached: $" + Money.plain(used)
                        + " spent or held, this request needs up to $" + Money.plain(amount) + ".", null);
    }

    private record Budget(BigDecimal available, BigDecimal keyRemaining) {
        BigDecimal spendable() {
            return keyRemaining == null ? available : available.min(keyRemaining);
        }
    }

    private Budget budget(Caller caller) {
        BigDecimal available = jdbc.queryForObject("SELECT balance - held FROM accounts WHERE id = ?",
                BigDecimal.class, caller.accountId());
        BigDecimal keyRemaining = jdbc.queryForObject(
                "SELECT spend_limit - spent - held FROM api_keys WHERE id = ?", BigDecimal.class, caller.keyId());
        return new Budget(available.max(BigDecimal.ZERO), keyRemaining == null ? null : keyRemaining.max(BigDecimal.ZERO));
    }

    private long fittingOutputTokens(BigDecimal spendable, BigDecimal promptCost, BigDecimal outputPrice, long maxOutput) {
        BigDecimal left = spendable.subtract(promptCost);
        if (left.signum() < 0) {
            return 0;
        }
        if (outputPrice.signum() == 0) {
            return maxOutput;
        }
        return Math.min(maxOutput, left.divide(outputPrice, 0, RoundingMode.FLOOR).longValue());
    }

    private GatewayException insufficient(Budget budget, BigDecimal worstCase, BigDecimal promptCost,
                                          BigDecimal outputPrice, long fits) {
        boolean keyBound = budget.keyRemaining() != null && budget.keyRemaining().compareTo(budget.available()) < 0;
        String which = keyBound ? "this key's spend limit leaves $" + Money.plain(budget.keyRemaining())
                : "the account has $" + Money.plain(budget.available()) + " available";
        String fit = promptCost.compareTo(budget.spendable()) > 0
                ? " Not even the prompt (about $" + Money.plain(Money.ledger(promptCost)) + ") fits."
                : " A max_tokens of at most " + fits + " would fit" + (fits < minUsefulOutputTokens
                ? " (below the useful minimum of " + minUsefulOutputTokens + ")." : ".");
        return new GatewayException(402, "insufficient_quota", keyBound ? "key_spend_limit_reached" : "insufficient_credits",
                null, "Insufficient credits: this request needs up to $" + Money.plain(worstCase) + " and " + which
                + "." + fit + " Add credits or lower max_tokens.", null);
    }

    /** What a hold takes for the prompt and {@code outputTokens} of output, at ledger precision. */
    private static BigDecimal held(BigDecimal promptCost, BigDecimal outputPrice, long outputTokens) {
        return Money.ledger(promptCost.add(outputPrice.multiply(BigDecimal.valueOf(outputTokens))));
    }

    /** The prompt's cost with the margin for tokenizers that count more than ours. */
    private BigDecimal promptCost(BigDecimal inputPrice, long promptTokens) {
        long withMargin = promptMargin.multiply(BigDecimal.valueOf(promptTokens)).setScale(0, RoundingMode.CEILING).longValue();
        return inputPrice.multiply(BigDecimal.valueOf(withMargin));
    }

    /** The request's max_tokens, else the largest output any model of the plan (fallbacks too) may give. */
    private long requestedMaxOutput(ClientRequest request, Plan plan) {
        if (request.maxTokens() != null) {
            return request.maxTokens();
        }
        return plan.models().stream()
                .mapToLong(m -> m.maxOutputTokens() != null ? m.maxOutputTokens() : defaultMaxOutputTokens)
                .max().orElse(defaultMaxOutputTokens);
    }

    /** The output limit held for, which every upstream call of a chat request is sent (within its model's). */
    private void limitOutput(Exchange exchange, ClientRequest request, long perChoice) {
        if (request.operation() == Operation.CHAT_COMPLETION) {
            FlowVariables.OUTPUT_LIMIT.set(exchange, new OutputLimit(perChoice, request.maxTokens() != null,
                    defaultMaxOutputTokens));
        }
    }

}
