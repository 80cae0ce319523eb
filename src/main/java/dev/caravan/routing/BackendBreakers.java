package dev.caravan.routing;

import java.util.concurrent.TimeUnit;

import dev.caravan.catalog.Backend;
import dev.caravan.catalog.CatalogProperties;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import org.springframework.stereotype.Component;

/**
 * One Resilience4j circuit breaker per backend ({@code provider/model}), with the thresholds of its
 * provider's {@code breaker} settings. The dispatcher asks for a permit before each attempt (an open
 * breaker says no at once; after {@code wait-in-open} it lets probe calls through, half-open) and
 * reports each outcome. Nothing here touches a request or a body.
 */
@Component
public class BackendBreakers {

    private final CircuitBreakerRegistry registry = CircuitBreakerRegistry.ofDefaults();

    public CircuitBreaker of(Backend backend) {
        return registry.circuitBreaker(backend.id(), () -> config(backend.provider().breaker()));
    }

    public boolean tryAcquire(Backend backend) {
        return of(backend).tryAcquirePermission();
    }

    public void onSuccess(Backend backend, long nanos) {
        of(backend).onSuccess(nanos, TimeUnit.NANOSECONDS);
    }

    public void onFailure(Backend backend, long nanos, Throwable failure) {
        of(backend).onError(nanos, TimeUnit.NANOSECONDS, failure);
    }

    /** An attempt given up by the gateway itself (a hedge that lost): neither success nor failure. */
    public void release(Backend backend) {
        of(backend).releasePermission();
    }

    public CircuitBreaker.State state(Backend backend) {
        return of(backend).getState();
    }

    private static CircuitBreakerConfig config(CatalogProperties.Breaker breaker) {
        return CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(breaker.slidingWindow())
                .minimumNumberOfCalls(breaker.minimumCalls())
                .failureRateThreshold(breaker.failureRateThreshold())
                .waitDurationInOpenState(breaker.waitInOpen())
                .permittedNumberOfCallsInHalfOpenState(breaker.halfOpenCalls())
                .build();
    }
}
