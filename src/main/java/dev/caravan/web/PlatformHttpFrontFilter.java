package dev.caravan.web;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import dev.caravan.api.GatewayException;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.web.filter.ServerHttpObservationFilter;

/**
 * Serves a {@code platform-http:} route in the request's first dispatch, on its own (virtual) thread.
 *
 * <p>Through Spring MVC, the Camel Spring Boot engine handles every request twice: the first dispatch
 * hands the route to a task executor and returns a future; the second, an async servlet dispatch
 * through every filter and the {@code DispatcherServlet} again, writes nothing but the future's empty
 * result. That is two thread hand-offs and a second pass through Spring MVC per request: about half
 * the CPU of a bare pass-through route at concurrency 1, a fifth at 64 (docs/performance.md). Here the
 * route runs where the request arrived, and what Spring MVC's async handling gave is kept:
 * <ul>
 *   <li>the bound on requests in flight ({@code spring.task.execution.simple.concurrency-limit}): a
 *       request beyond it waits for a place, first come first served, at most
 *       {@code caravan.http.admission-timeout} (then 503 with {@code Retry-After}). Its body is read
 *       first ({@link RequestBodyReader}), so that a slow client holds no place;</li>
 *   <li>no new request while the heap is too full to hold it ({@link HeapPressure}): 503 with
 *       {@code Retry-After}, as above, before the body is read;</li>
 *   <li>the longest response ({@code spring.mvc.async.request-timeout}): then a response not begun is
 *       answered 503 and one under way is cut ({@link ResponseDeadline});</li>
 *   <li>the {@code http.server.requests} metric, tagged with the route's path.</li>
 * </ul>
 */
final class PlatformHttpFrontFilter extends HttpFilter {

    /** Seconds a client refused for want of a place is asked to wait: places turn over quickly. */
    private static final long RETRY_AFTER_SECONDS = 1;

    private final PlatformHttpFront front;
    private final Limits limits;
    private final InternalCallToken internalCalls;
    private final Semaphore inFlight;
    private final HeapPressure heap;
    private final long maxResponseNanos;

    /**
     * @param maxInFlight      requests served at once; 0 or less: no bound
     * @param admissionTimeout the longest a request waits for a place
     * @param maxResponse      the longest a response may take; 0 or less: no limit (as for Spring MVC)
     * @param maxRequestBytes  the largest body read
     * @param bodyReadTimeout  the longest a body may take to arrive; 0 or less: no limit
     */
    record Limits(int maxInFlight, Duration admissionTimeout, Duration maxResponse, int maxRequestBytes,
                  Duration bodyReadTimeout) {
    }

    PlatformHttpFrontFilter(PlatformHttpFront front, Limits limits, InternalCallToken internalCalls, HeapPressure heap) {
        this.front = front;
        this.limits = limits;
        this.internalCalls = internalCalls;
        this.heap = heap;
        // fair: a request that waited longest gets the next place
        this.inFlight = limits.maxInFlight() > 0 ? new Semaphore(limits.maxInFlight(), true) : null;
        this.maxResponseNanos = ResponseDeadline.nanosOf(limits.maxResponse());
    }

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        PlatformHttpFront.FrontConsumer consumer = front.consumerFor(path, request.getMethod());
        if (consumer == null) {
            chain.doFilter(request, response);
            return;
        }
        ServerHttpObservationFilter.findObservationContext(request).ifPresent(observed -> observed.setPathPattern(path));
        // the gateway calling itself (the demo provider) is part of a request already taken
        boolean internal = internalCalls.presentIn(request);
        if (!internal && heap.overloaded()) {
            // before the body is read: a body is up to caravan.http.max-request-bytes of the heap there is no room for
            ErrorResponses.write(response, overloaded(), true, path);
            return;
        }
        byte[] body;
        try {
            body = RequestBodyReader.read(request, limits.maxRequestBytes(), ResponseDeadline.nanosOf(limits.bodyReadTimeout()));
        } catch (GatewayException refused) {
            ErrorResponses.write(response, refused, true, path);
            return;
        }
        // an internal call already holds its request's place: waiting for a second one could wait for itself
        boolean placeNeeded = inFlight != null && !internal;
        if (placeNeeded && !admitted()) {
            ErrorResponses.write(response, overloaded(), false, path);
            return;
        }
        try {
            consumer.serve(new RouteRequest(request, body), ResponseDeadline.within(response, maxResponseNanos));
        } finally {
            if (placeNeeded) {
                inFlight.release();
            }
        }
    }

    private static GatewayException overloaded() {
        return new GatewayException(503, "service_unavailable", "gateway_overloaded", null,
                "The gateway is serving as many requests as it may; retry shortly.", RETRY_AFTER_SECONDS);
    }

    private boolean admitted() {
        try {
            return inFlight.tryAcquire(limits.admissionTimeout().toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
