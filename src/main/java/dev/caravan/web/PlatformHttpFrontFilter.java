package dev.caravan.web;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Semaphore;

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
 *       request beyond it waits for a place, as it waited for the executor's;</li>
 *   <li>the longest response ({@code spring.mvc.async.request-timeout}): then a response not begun is
 *       answered 503 and one under way is cut ({@link ResponseDeadline});</li>
 *   <li>the {@code http.server.requests} metric, tagged with the route's path.</li>
 * </ul>
 */
final class PlatformHttpFrontFilter extends HttpFilter {

    private final PlatformHttpFront front;
    private final Semaphore inFlight;
    private final long maxResponseNanos;

    /**
     * @param maxInFlight requests served at once; 0 or less: no bound
     * @param maxResponse the longest a response may take; 0 or less: no limit (as for Spring MVC)
     */
    PlatformHttpFrontFilter(PlatformHttpFront front, int maxInFlight, Duration maxResponse) {
        this.front = front;
        this.inFlight = maxInFlight > 0 ? new Semaphore(maxInFlight) : null;
        this.maxResponseNanos = ResponseDeadline.nanosOf(maxResponse);
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
        if (inFlight != null) {
            inFlight.acquireUninterruptibly();
        }
        try {
            consumer.serve(request, ResponseDeadline.within(response, maxResponseNanos));
        } finally {
            if (inFlight != null) {
                inFlight.release();
            }
        }
    }
}
