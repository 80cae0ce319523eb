package dev.caravan.routing;

import java.util.List;
import java.util.Locale;
import java.util.Set;

import dev.caravan.api.GatewayException;
import dev.caravan.catalog.Backend;
import dev.caravan.catalog.FailoverSettings;
import org.springframework.stereotype.Component;

/**
 * Whether a failed attempt moves the request on to the next candidate or is returned to the client:
 * the provider's {@code failover} settings over {@code caravan.routing.failover} over the built-in
 * default, which fails over on every failure of the backend. An upstream code in {@code never-codes}
 * is returned; one in {@code codes} fails over; otherwise the outcome decides ({@code when}).
 */
@Component
public class FailoverPolicy {

    private final FailoverSettings defaults;

    public FailoverPolicy(RoutingProperties properties) {
        properties.failover().validate("caravan.routing.failover");
        this.defaults = properties.failover();
    }

    /** Resolved at each failure, not cached: a failure is rare next to a request, and a reloaded catalog is then seen. */
    public boolean failsOver(Backend backend, AttemptOutcome outcome, GatewayException failure) {
        return new Resolved(backend.provider().failover().over(defaults)).failsOver(outcome, failure);
    }

    private record Resolved(Set<String> when, Set<String> codes, Set<String> neverCodes) {

        Resolved(FailoverSettings settings) {
            this(Set.copyOf(settings.when()), FailoverSettings.normalized(settings.codes()),
                    FailoverSettings.normalized(settings.neverCodes()));
        }

        boolean failsOver(AttemptOutcome outcome, GatewayException failure) {
            List<String> upstreamCodes = failure.upstreamCodes().stream().map(c -> c.toLowerCase(Locale.ROOT)).toList();
            if (upstreamCodes.stream().anyMatch(neverCodes::contains)) {
                return false;
            }
            if (upstreamCodes.stream().anyMatch(codes::contains)) {
                return true;
            }
            return outcome.policyName() != null && when.contains(outcome.policyName());
        }
    }
}
