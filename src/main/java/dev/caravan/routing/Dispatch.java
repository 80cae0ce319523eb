package dev.caravan.routing;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import dev.caravan.api.FlowVariables;
import dev.caravan.api.GatewayException;
import dev.caravan.catalog.Backend;
import dev.caravan.metering.HedgeCharge;
import dev.caravan.metering.UsageRecord;
import org.apache.camel.Exchange;
import org.apache.camel.RuntimeCamelException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request's way through its candidates:
 * <ul>
 *   <li>a candidate whose breaker is open, or whose free tier is used up or parked, is skipped at once;</li>
 *   <li>a failed attempt moves on to the next candidate or is answered as it is, as the provider's
 *       failover policy says ({@link FailoverPolicy}); by default a connect failure, a timeout (no answer
 *       within the provider's {@code first-byte-timeout}), a 429, a 5xx, the gateway's credentials or
 *       model refused, or an invalid answer moves on, and the client's own mistakes (an upstream 400)
 *       are answered as they are;</li>
 *   <li>with hedging, a candidate that has not answered after {@code hedgeAfter} is joined by the next one
 *       (two at most at a time); the first to answer wins, the other is aborted;</li>
 *   <li>an attempt "answers" when the upstream's response starts with a success status: for a stream that
 *       is before any event was read, so nothing reached the client before the winner was chosen.</li>
 * </ul>
 */
final class Dispatch {

    private static final Logger log = LoggerFactory.getLogger(Dispatch.class);

    /** How long a free tier that answered 429 without a Retry-After is left alone: its minute window. */
    private static final Duration DEFAULT_PARKING = Duration.ofSeconds(60);

    private final Dispatcher routing;
    private final Exchange request;
    private final Plan plan;
    private final String model;
    private final Deque<Backend> remaining;
    private final List<UpstreamAttempt> running = new ArrayList<>();
    private final BlockingQueue<UpstreamAttempt> finished = new LinkedBlockingQueue<>();
    private final List<UsageRecord.Attempt> attempts = new ArrayList<>();
    private final List<String> skipped = new ArrayList<>();
    private final List<Backend> abandonedHedges = new ArrayList<>();
    private GatewayException lastFailure;

    Dispatch(Dispatcher routing, Exchange request, Plan plan, String model) {
        this.routing = routing;
        this.request = request;
        this.plan = plan;
        this.model = model;
        this.remaining = new ArrayDeque<>(plan.candidates());
    }

    void run() throws InterruptedException {
        try {
            if (!startNext()) {
                throw nothingAvailable();
            }
            while (true) {
                UpstreamAttempt done = finished.poll(nanosToNextDeadline(), TimeUnit.NANOSECONDS);
                if (done == null) {
                    onDeadlines();
                } else if (!running.remove(done)) {
                    done.release(); // given up earlier (timed out) and finished since
                } else if (onFinished(done)) {
                    return;
                }
                if (running.isEmpty() && !startNext()) {
                    throw allFailed();
                }
            }
        } catch (RuntimeException | InterruptedException e) {
            giveUpRunning();
            throw e;
        } finally {
            if (plan.hedgeCharged()) {
                FlowVariables.HEDGE_CHARGES.set(request, abandonedHedges.stream()
                        .map(backend -> new HedgeCharge(backend, plan.prompt().estimate())).toList());
            }
            FlowVariables.ATTEMPTS.set(request, List.copyOf(attempts));
            FlowVariables.ATTEMPTS_SUMMARY.set(request, String.join(", ", attempts.stream().map(Object::toString).toList()));
        }
    }

    /** Starts the next candidate that is available now; false when none is left. */
    private boolean startNext() {
        while (!remaining.isEmpty()) {
            Backend backend = remaining.poll();
            if (!routing.breakers().tryAcquire(backend)) {
                skip(backend, "circuit_open", "circuit breaker open");
                continue;
            }
            String quota = routing.quotas().tryAcquire(backend, plan.prompt());
            if (quota != null) {
                routing.breakers().release(backend);
                skip(backend, "free_tier_exhausted", quota);
                continue;
            }
            // Alone, the call runs on this thread. With hedging another may have to join it while it runs;
            // and only a virtual thread's socket I/O can be interrupted at the first-byte deadline.
            boolean alone = !plan.hedging() && Thread.currentThread().isVirtual();
            running.add(alone ? UpstreamAttempt.runHere(request, backend, routing.producer(), finished, routing.watchdog())
                    : UpstreamAttempt.start(request, backend, routing.producer(), finished));
            return true;
        }
        return false;
    }

    private void skip(Backend backend, String reason, String explanation) {
        skipped.add(backend.id() + ": " + explanation);
        routing.metrics().skipped(backend.id(), reason);
    }

    /** Deadlines are compared as differences: {@code System.nanoTime()} may be negative and wraps. */
    private long nanosToNextDeadline() {
        long now = System.nanoTime();
        long wait = hedgePending() ? hedgeAt() - now : Long.MAX_VALUE;
        for (UpstreamAttempt attempt : running) {
            wait = Math.min(wait, attempt.firstByteDeadlineNanos - now);
        }
        return Math.max(0, wait);
    }

    /** Whether another candidate may join the race: with hedging, one extra at a time, if one is left. */
    private boolean hedgePending() {
        return plan.hedging() && running.size() == 1 && !remaining.isEmpty();
    }

    private long hedgeAt() {
        return running.get(0).startedNanos + plan.hedgeAfter().toNanos();
    }

    private void onDeadlines() {
        long now = System.nanoTime();
        for (UpstreamAttempt attempt : List.copyOf(running)) {
            if (now - attempt.firstByteDeadlineNanos >= 0) {
                running.remove(attempt);
                attempt.abandon();
                failed(attempt, AttemptOutcome.TIMEOUT, timeout(attempt));
            }
        }
        if (hedgePending() && now - hedgeAt() >= 0) {
            startNext();
        }
    }

    /** @return true when this attempt answered and is now the request's answer */
    private boolean onFinished(UpstreamAttempt attempt) {
        if (attempt.timedOut()) {
            attempt.release();
            failed(attempt, AttemptOutcome.TIMEOUT, timeout(attempt));
            return false;
        }
        Throwable failure = attempt.failure();
        if (failure == null) {
            giveUpRunning();
            record(attempt, AttemptOutcome.OK);
            routing.breakers().onSuccess(attempt.backend, attempt.elapsedNanos());
            routing.stats().recordFirstByte(attempt.backend.id(), attempt.elapsedNanos() / 1_000_000);
            attempt.adoptInto(request);
            return true;
        }
        GatewayException error = GatewayException.ofUpstreamFailure(failure, attempt.backend.id());
        if (error == null) {
            // not the upstream's doing: a fault in the gateway (or in an edited call-provider route)
            routing.breakers().release(attempt.backend);
            attempt.release();
            throw failure instanceof RuntimeException runtime ? runtime : new RuntimeCamelException(failure);
        }
        AttemptOutcome outcome = AttemptOutcome.of(error);
        if (outcome == AttemptOutcome.RATE_LIMITED) {
            routing.quotas().park(attempt.backend, attempt.retryAfter().orElse(DEFAULT_PARKING));
        }
        attempt.release();
        failed(attempt, outcome, error);
        return false;
    }

    /**
     * The connection failure's kind and its own words, innermost first: a host name, "Connection
     * refused", a certificate problem. These never hold request content; the exception's outer
     * wrappers (which may quote the URL with its query) are left out.
     */
    static String cause(Throwable failure, GatewayException error) {
        Throwable innermost = null;
        int depth = 0;
        for (Throwable t = failure; t != null && depth < 20; t = t.getCause(), depth++) {
            innermost = t;
        }
        if (innermost == null || innermost instanceof GatewayException) {
            // the message may quote the upstream's own error text, which the client's prompt can shape
            return error.code();
        }
        String kind = innermost instanceof java.net.UnknownHostException ? "DNS lookup failed"
                : innermost instanceof javax.net.ssl.SSLException ? "TLS failed"
                : innermost instanceof java.net.ConnectException ? "connection refused or failed"
                : innermost instanceof java.io.InterruptedIOException ? "timed out"
                : "connection failed";
        String words = innermost.getMessage() == null ? "" : innermost.getMessage().replaceAll("\\p{Cntrl}", " ");
        return kind + " (" + innermost.getClass().getSimpleName()
                + (words.isEmpty() ? "" : ": " + (words.length() > 200 ? words.substring(0, 200) : words)) + ")";
    }

    private static GatewayException timeout(UpstreamAttempt attempt) {
        Duration timeout = attempt.backend.provider().firstByteTimeout();
        return new GatewayException(504, "upstream_error", "upstream_timeout", null, "The upstream backend "
                + attempt.backend.id() + " did not start answering within " + timeout.toMillis() + " ms.", null);
    }

    /**
     * Records a failed attempt and counts it for the breaker.
     *
     * @throws GatewayException the failure itself, when the provider's failover policy returns it to the client
     */
    private void failed(UpstreamAttempt attempt, AttemptOutcome outcome, GatewayException error) {
        if (outcome == AttemptOutcome.UNREACHABLE || outcome == AttemptOutcome.TIMEOUT) {
            // the client sees only "could not be reached": the operator needs why (DNS, TLS, refused...)
            log.warn("Upstream {} {} for request {}: {}", attempt.backend.id(), outcome.label(),
                    FlowVariables.REQUEST_ID.get(request), cause(attempt.failure(), error));
        }
        record(attempt, outcome);
        // the breaker counts the backend's health, whatever the failover policy does with the answer
        if (outcome.isBackendFailure()) {
            routing.breakers().onFailure(attempt.backend, attempt.elapsedNanos(), error);
        } else {
            routing.breakers().onSuccess(attempt.backend, attempt.elapsedNanos());
        }
        lastFailure = error;
        if (!routing.failover().failsOver(attempt.backend, outcome, error)) {
            throw error;
        }
    }

    /**
     * The other attempts lost (or the request failed): abort them; they count neither way for their
     * breakers. A loser's provider has its prompt, and bills it: the request pays for it when the
     * client asked for the hedge, the operator when the model hedges.
     */
    private void giveUpRunning() {
        for (UpstreamAttempt attempt : running) {
            attempt.abandon();
            record(attempt, AttemptOutcome.CANCELLED);
            routing.breakers().release(attempt.backend);
            if (plan.hedging()) {
                abandonedHedges.add(attempt.backend);
                routing.metrics().abandonedHedge(attempt.backend.id(), plan.hedgeCharged());
            }
        }
        running.clear();
    }

    private void record(UpstreamAttempt attempt, AttemptOutcome outcome) {
        long nanos = attempt.elapsedNanos();
        int status = outcome == AttemptOutcome.CANCELLED || outcome == AttemptOutcome.TIMEOUT ? 0 : attempt.upstreamStatus();
        attempts.add(new UsageRecord.Attempt(attempt.backend.id(), outcome.label(), status, nanos / 1_000_000));
        routing.metrics().attempt(attempt.backend.id(), outcome.label(), nanos);
    }

    private GatewayException nothingAvailable() {
        return GatewayException.noBackend("No backend of '" + model + "' is available now: "
                + String.join("; ", skipped) + ".");
    }

    private GatewayException allFailed() {
        if (lastFailure == null) {
            return nothingAvailable();
        }
        if (attempts.size() == 1 && skipped.isEmpty()) {
            return lastFailure;
        }
        String tried = String.join(", ", attempts.stream().map(Object::toString).toList());
        String notTried = skipped.isEmpty() ? "" : "; not tried: " + String.join("; ", skipped);
        return new GatewayException(lastFailure.status(), lastFailure.type(), lastFailure.code(), lastFailure.param(),
                "No backend of '" + model + "' could answer (" + tried + notTried + "). Last error: "
                        + lastFailure.getMessage(), lastFailure.retryAfterSeconds());
    }
}
