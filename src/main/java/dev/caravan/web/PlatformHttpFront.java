package dev.caravan.web;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.stream.Collectors;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.component.platform.http.PlatformHttpEndpoint;
import org.apache.camel.component.platform.http.spi.PlatformHttpConsumer;
import org.apache.camel.component.platform.http.spi.PlatformHttpEngine;
import org.apache.camel.component.platform.http.springboot.SpringBootPlatformHttpConsumer;
import org.apache.camel.support.LoggingExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The platform-http engine: the routes' consumers, found by their exact path. {@link PlatformHttpFrontFilter}
 * runs a request's route on the request's own thread, which then also writes the response. A route
 * sees no query parameters, whichever way its request came. Each
 * consumer is still a Camel Spring Boot consumer registered with Spring MVC, which serves what the
 * filter passes on: paths with parameters or prefix matching, and methods a route does not take (405).
 */
final class PlatformHttpFront {

    private static final Logger LOG = LoggerFactory.getLogger(PlatformHttpFront.class);

    /** Started consumers by path: a path may have several routes, one per method. */
    private final Map<String, List<FrontConsumer>> byPath = new ConcurrentHashMap<>();

    PlatformHttpEngine engine(int port, Executor springMvcExecutor) {
        return new PlatformHttpEngine() {
            @Override
            public PlatformHttpConsumer createConsumer(PlatformHttpEndpoint endpoint, Processor processor) {
                return new FrontConsumer(endpoint, processor, springMvcExecutor);
            }

            @Override
            public int getServerPort() {
                return port;
            }
        };
    }

    /**
     * @return the started consumer of this exact path that takes this method, or null. A route
     * restricted to the method is preferred to one that takes any, as Spring MVC prefers it.
     */
    FrontConsumer consumerFor(String path, String method) {
        List<FrontConsumer> consumers = byPath.get(path);
        if (consumers == null) {
            return null;
        }
        FrontConsumer anyMethod = null;
        for (FrontConsumer consumer : consumers) {
            if (consumer.methods == null) {
                anyMethod = consumer;
            } else if (consumer.methods.contains(method)) {
                return consumer;
            }
        }
        return anyMethod;
    }

    /** Whether the request being served on this thread has its body in memory (see FrontConsumer.createExchange). */
    private static final ThreadLocal<Boolean> BODY_IN_MEMORY = new ThreadLocal<>();

    final class FrontConsumer extends SpringBootPlatformHttpConsumer {
        private final String path;
        private final Set<String> methods;

        private FrontConsumer(PlatformHttpEndpoint endpoint, Processor processor, Executor springMvcExecutor) {
            super(endpoint, processor, springMvcExecutor);
            this.path = endpoint.getPath();
            String restrict = endpoint.getHttpMethodRestrict();
            this.methods = restrict == null ? null : Arrays.stream(restrict.split(","))
                    .map(method -> method.trim().toUpperCase(Locale.ROOT))
                    .filter(method -> !method.isEmpty())
                    .collect(Collectors.toUnmodifiableSet());
            // failed writes (a client gone mid-stream) are logged where the Camel consumer logs them, so
            // that the level config/application.yaml sets for it applies
            setExceptionHandler(new LoggingExceptionHandler(endpoint.getCamelContext(), SpringBootPlatformHttpConsumer.class));
        }

        /** Runs the route and writes its response, on the calling thread. */
        void serve(RouteRequest request, HttpServletResponse response) {
            try {
                handleService(request, response);
            } catch (Exception e) {
                // the route's own error handling answers what it can; this is what happens outside of it
                LOG.warn("Request to {} failed outside the route: {}", path, e.getClass().getName());
                if (!response.isCommitted()) {
                    try {
                        response.sendError(HttpServletResponse.SC_INTERNAL_SERVER_ERROR);
                    } catch (Exception ignored) {
                        // the client is gone
                    }
                }
            }
        }

        /**
         * A body the front read is already in memory and re-readable ({@link RouteRequest.InMemory}):
         * the binding is told not to copy it into a stream cache of its own (for a long prompt that
         * copy, grown by doubling, allocated about three times the body).
         */
        @Override
        public Exchange createExchange(boolean autoRelease) {
            Exchange exchange = super.createExchange(autoRelease);
            if (BODY_IN_MEMORY.get() == Boolean.TRUE) {
                exchange.setProperty(Exchange.DISABLE_HTTP_STREAM_CACHE, true);
            }
            return exchange;
        }

        /**
         * Every request a route gets, from the front or through Spring MVC, is seen without its query
         * parameters (see {@link RouteRequest}).
         */
        @Override
        protected void handleService(HttpServletRequest request, HttpServletResponse response) throws Exception {
            RouteRequest routeRequest = request instanceof RouteRequest own ? own : new RouteRequest(request, null);
            // the exchange is made inside handleService, on this thread: tell createExchange what it serves
            BODY_IN_MEMORY.set(routeRequest.bodyInMemory());
            try {
                super.handleService(routeRequest, response);
            } finally {
                BODY_IN_MEMORY.remove();
            }
        }

        @Override
        protected void doStart() throws Exception {
            super.doStart();
            if (path.indexOf('{') < 0 && !getEndpoint().isMatchOnUriPrefix()) {
                byPath.compute(path, (p, consumers) -> {
                    List<FrontConsumer> started = consumers == null ? new CopyOnWriteArrayList<>() : consumers;
                    started.add(this);
                    return started;
                });
            }
        }

        @Override
        protected void doStop() throws Exception {
            byPath.computeIfPresent(path, (p, consumers) -> {
                consumers.remove(this);
                return consumers.isEmpty() ? null : consumers;
            });
            super.doStop();
        }
    }
}
