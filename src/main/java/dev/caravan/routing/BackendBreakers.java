package dev.caravan.routing;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import dev.caravan.catalog.Backend;
import dev.caravan.catalog.Catalog;
import dev.caravan.catalog.CatalogProperties;
import dev.caravan.catalog.CurrentCatalog;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import org.springframework.stereotype.Component;

/**
 * One Resilience4j circuit breaker per backend ({@code provider/model}), with the thresholds of its
 * provider's {@code breaker} settings. The dispatcher asks for a permit before each attempt (an open
 * breaker says no at once; after {@code wait-in-open} it lets probe calls through, half-open) and
 * reports each outcome. Nothing here touches a request or a body.
 *
 * <p>A catalog reload keeps the breaker of every backend it keeps, with its state, unless the
 * provider's {@code breaker} settings changed (that breaker starts again, closed, with the new ones);
 * a removed backend's breaker is dropped.
 */
@Component
public class BackendBreakers {

    private final CircuitBreakerRegistry registry = CircuitBreakerRegistry.ofDefaults();
    /** The settings each breaker was made with, by backend id. */
    private final Map<String, CatalogProperties.Breaker> settings = new ConcurrentHashMap<>();

    private final CurrentCatalog catalog;

    public BackendBreakers(CurrentCatalog catalog) {
        this.catalog = catalog;
        catalog.onReplace(this::follow);
    }

    public CircuitBreaker of(Backend backend) {
        return registry.circuitBreaker(backend.id(), () -> {
            CatalogProperties.Breaker breaker = settingsInEffect(backend);
            settings.put(backend.id(), breaker);
            return config(breaker);
        });
    }

    /**
     * The breaker settings of the catalog in effect for {@code backend}'s id. Not the settings the
     * {@code backend} object carries: a request planned before a reload, or a gauge made then, holds
     * the old catalog's backend, and a breaker it made again would bring the old settings back.
     */
    private CatalogProperties.Breaker settingsInEffect(Backend backend) {
        return catalog.get().backends().stream().filter(b -> b.id().equals(backend.id())).findFirst()
                .orElse(backend).provider().breaker();
    }

    private void follow(Catalog catalog) {
        Map<String, CatalogProperties.Breaker> wanted = catalog.backends().stream()
                .collect(Collectors.toMap(Backend::id, b -> b.provider().breaker(), (a, b) -> a));
        Set<String> made = Set.copyOf(settings.keySet());
        for (String id : made) {
            if (!settings.get(id).equals(wanted.get(id))) {
                // made again, with the catalog's settings, by the next of()
                settings.remove(id);
                registry.remove(id);
            }
        }
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
