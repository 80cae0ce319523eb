package dev.caravan.routing;

import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.caravan.api.FlowVariables;
import dev.caravan.catalog.Backend;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePattern;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.spi.UnitOfWork;
import org.apache.camel.support.DefaultExchange;
import org.apache.camel.support.PluginHelper;
import org.apache.hc.core5.http.io.EofSensorInputStream;

/**
 * One call of {@code direct:call-provider} for one backend, in its own exchange: on the request's own
 * thread ({@link #runHere}) when it runs alone, or on a virtual thread of its own ({@link #start}) when
 * it may have to race another (hedging). The exchange gets a unit of work made here, so that the
 * {@code call-provider} route does not end it: ending it runs the HTTP component's completion, which
 * drains the upstream body. The winner's completions are handed to the request's exchange (as if the
 * call had been made there); a loser's answer is aborted, never drained. Giving up a running call
 * interrupts its thread, which closes its socket (socket I/O on virtual threads is interruptible).
 */
final class UpstreamAttempt implements Runnable {

    private static final String CALL_PROVIDER = "direct:call-provider";

    final Backend backend;
    final Exchange exchange;
    final long startedNanos = System.nanoTime();
    final long firstByteDeadlineNanos;
    private volatile long endedNanos;
    private volatile boolean timedOut;

    private final ProducerTemplate producer;
    private final BlockingQueue<UpstreamAttempt> finished;
    private final AtomicBoolean released = new AtomicBoolean();
    private Thread thread;
    private boolean done;
    private boolean abandoned;

    private UpstreamAttempt(Exchange request, Backend backend, ProducerTemplate producer,
                            BlockingQueue<UpstreamAttempt> finished) {
        this.backend = backend;
        this.producer = producer;
        this.finished = finished;
        this.firstByteDeadlineNanos = startedNanos + backend.provider().firstByteTimeout().toNanos();
        this.exchange = new DefaultExchange(request.getContext(), ExchangePattern.InOut);
        request.getVariables().forEach(exchange::setVariable);
        FlowVariables.BACKEND.set(exchange, backend);
        FlowVariables.BACKEND_ID.set(exchange, backend.id());
        UnitOfWork unitOfWork = PluginHelper.getUnitOfWorkFactory(request.getContext()).createUnitOfWork(exchange);
        exchange.getExchangeExtension().setUnitOfWork(unitOfWork);
    }

    /** Starts the call; when it ends (answered or failed) the attempt is put on {@code finished}. */
    static UpstreamAttempt start(Exchange request, Backend backend, ProducerTemplate producer,
                                 BlockingQueue<UpstreamAttempt> finished) {
        UpstreamAttempt attempt = new UpstreamAttempt(request, backend, producer, finished);
        Thread.ofVirtual().name("upstream-" + backend.id()).start(attempt);
        return attempt;
    }

    /**
     * Makes the call on the calling thread, and puts the attempt on {@code finished} when it ends. A
     * watchdog interrupts the call when it has not answered by the backend's first-byte deadline (see
     * {@link #timedOut()}). Saves the two thread hand-offs of {@link #start}: about 300 of the 2,100 µs
     * to the first byte of a stream, by timestamps taken in the gateway (docs/performance.md).
     */
    static UpstreamAttempt runHere(Exchange request, Backend backend, ProducerTemplate producer,
                                   BlockingQueue<UpstreamAttempt> finished, FirstByteWatchdog watchdog) {
        UpstreamAttempt attempt = new UpstreamAttempt(request, backend, producer, finished);
        watchdog.watch(attempt);
        try {
            attempt.run();
        } finally {
            watchdog.forget(attempt);
        }
        return attempt;
    }

    /** The watchdog's: a call still running at its deadline is interrupted (its connection closed). */
    synchronized void timeOut() {
        if (!done && thread != null) {
            timedOut = true;
            thread.interrupt();
        }
    }

    /** The call ran past its first-byte deadline and was interrupted: whatever it ended with does not count. */
    boolean timedOut() {
        return timedOut;
    }

    @Override
    public void run() {
        synchronized (this) {
            if (abandoned) {
                release();
                return;
            }
            thread = Thread.currentThread();
        }
        try {
            producer.send(CALL_PROVIDER, exchange);
        } catch (RuntimeException e) {
            exchange.setException(e);
        }
        endedNanos = System.nanoTime();
        boolean abandonedMeanwhile;
        synchronized (this) {
            done = true;
            thread = null;
            abandonedMeanwhile = abandoned;
        }
        // an interrupt that came too late to matter; on the request's thread, one that must not outlive the call
        Thread.interrupted();
        if (abandonedMeanwhile) {
            release();
        } else {
            finished.add(this);
        }
    }

    Throwable failure() {
        return exchange.getException();
    }

    int upstreamStatus() {
        Integer status = exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        return status == null ? 0 : status;
    }

    /** The upstream's Retry-After in seconds, when it sent one. */
    Optional<Duration> retryAfter() {
        String value = exchange.getMessage().getHeader("Retry-After", String.class);
        try {
            return value == null ? Optional.empty() : Optional.of(Duration.ofSeconds(Long.parseLong(value.trim())));
        } catch (NumberFormatException e) {
            return Optional.empty(); // an HTTP date: rare from APIs, and parking by default is as good
        }
    }

    long elapsedNanos() {
        long end = endedNanos;
        return (end == 0 ? System.nanoTime() : end) - startedNanos;
    }

    /** Gives the attempt up: a running call is interrupted (its connection closed), an answer is dropped. */
    void abandon() {
        synchronized (this) {
            abandoned = true;
            if (!done) {
                if (thread != null) {
                    thread.interrupt();
                }
                return;
            }
        }
        release();
    }

    /** Ends the attempt's unit of work. An answer nobody will read is aborted, not drained. */
    void release() {
        if (!released.compareAndSet(false, true)) {
            return;
        }
        Object body = exchange.getMessage().getBody();
        try {
            if (body instanceof EofSensorInputStream upstream) {
                upstream.abort();
            } else if (body instanceof Closeable closeable) {
                closeable.close();
            }
        } catch (IOException e) {
            // the connection is gone either way
        }
        exchange.getUnitOfWork().done(exchange);
    }

    /**
     * Makes this attempt's answer the request's: body, headers and variables, and the completions
     * that close the upstream response once the request's exchange is done.
     */
    void adoptInto(Exchange request) {
        released.set(true);
        UnitOfWork unitOfWork = exchange.getUnitOfWork();
        unitOfWork.handoverSynchronization(request);
        request.getMessage().setHeaders(new HashMap<>(exchange.getMessage().getHeaders()));
        request.getMessage().setBody(exchange.getMessage().getBody());
        exchange.getVariables().forEach(request::setVariable);
        unitOfWork.done(exchange);
    }
}
