package dev.caravan.web;

import java.time.Duration;
import java.util.concurrent.Executor;

import org.apache.camel.component.platform.http.spi.PlatformHttpEngine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.util.unit.DataSize;

/**
 * Puts {@link PlatformHttpFront} in place of the Camel Spring Boot platform-http engine (whose bean
 * gives way to any other {@code PlatformHttpEngine}). Routes keep their {@code platform-http:} URIs and
 * the port they share with {@code /actuator} and {@code /admin}.
 */
@Configuration(proxyBeanMethods = false)
public class PlatformHttpFrontConfig {

    private static final Logger LOG = LoggerFactory.getLogger(PlatformHttpFrontConfig.class);

    private final PlatformHttpFront front = new PlatformHttpFront();

    @Bean(name = "platform-http-engine")
    PlatformHttpEngine platformHttpEngine(@Value("${server.port:8080}") int port,
                                          @Qualifier("applicationTaskExecutor") Executor springMvcExecutor) {
        return front.engine(port, springMvcExecutor);
    }

    /** Closed with the context: it listens to the JVM's collectors, which outlive it. */
    @Bean(destroyMethod = "close")
    HeapPressure heapPressure(@Value("${caravan.http.max-heap-in-use:0.85}") double maxFraction) {
        return new HeapPressure(maxFraction);
    }

    @Bean
    FilterRegistrationBean<PlatformHttpFrontFilter> platformHttpFrontFilter(
            @Value("${spring.task.execution.simple.concurrency-limit:-1}") int maxInFlight,
            @Value("${caravan.http.admission-timeout:10s}") Duration admissionTimeout,
            @Value("${spring.mvc.async.request-timeout:30m}") Duration maxResponse,
            @Value("${caravan.http.max-request-bytes:8388608}") int maxRequestBytes,
            @Value("${caravan.http.body-read-timeout:30s}") Duration bodyReadTimeout,
            @Value("${caravan.http.heap-per-request:192KB}") DataSize heapPerRequest,
            InternalCallToken internalCalls, HeapPressure heap) {
        int bound = heap.requestsItHolds(heapPerRequest.toBytes(), maxInFlight);
        if (bound != maxInFlight) {
            LOG.info("Requests in flight: at most {} ({} MB of heap for what is held, caravan.http.heap-per-request {} KB, "
                            + "caravan.http.max-heap-in-use), not spring.task.execution.simple.concurrency-limit {}",
                    bound, heap.capacity() >> 20, heapPerRequest.toKilobytes(), maxInFlight);
        }
        var limits = new PlatformHttpFrontFilter.Limits(bound, admissionTimeout, maxResponse, maxRequestBytes,
                bodyReadTimeout);
        var registration = new FilterRegistrationBean<>(new PlatformHttpFrontFilter(front, limits, internalCalls, heap));
        // after the request id, the character encoding (both HIGHEST_PRECEDENCE) and Spring's observation
        // of the request (HIGHEST_PRECEDENCE + 1)
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 10);
        return registration;
    }
}
