package dev.caravan.routing;

import java.time.Duration;

import dev.caravan.api.GatewayException;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Whether a client may ask for hedging ({@code provider.hedge_after_ms} above 0), and how soon. A
 * hedge sends the prompt to a second backend, and providers bill the prompt of the attempt that is
 * abandoned: off by default; when on, the request pays for that prompt (docs/billing.md, "Hedging").
 * A request's 0 (no hedging) is always allowed.
 */
@Component
public class ClientHedging {

    private final boolean enabled;
    private final Duration minAfter;

    public ClientHedging(@Value("${caravan.routing.client-hedging.enabled:false}") boolean enabled,
                         @Value("${caravan.routing.client-hedging.min-after:1s}") Duration minAfter) {
        this.enabled = enabled;
        this.minAfter = minAfter;
    }

    /** The hedge delay the request gets for what it asked: 400 when it may not ask, never below the floor. */
    Duration allow(Duration requested) {
        if (!enabled) {
            throw GatewayException.invalidRequest("provider.hedge_after_ms", "Hedging on request is off on this "
                    + "gateway: 'provider.hedge_after_ms' can only be 0 (no hedging).");
        }
        return requested.compareTo(minAfter) < 0 ? minAfter : requested;
    }
}
