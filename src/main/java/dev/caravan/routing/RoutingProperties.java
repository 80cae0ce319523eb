package dev.caravan.routing;

import dev.caravan.catalog.FailoverSettings;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Routing settings for every provider, under {@code caravan.routing}.
 *
 * @param failover the failover policy of every provider that does not set its own (each setting left
 *                 out here is {@link FailoverSettings#DEFAULT}'s)
 */
@ConfigurationProperties("caravan.routing")
public record RoutingProperties(FailoverSettings failover) {

    public RoutingProperties {
        failover = failover == null ? FailoverSettings.DEFAULT : failover.over(FailoverSettings.DEFAULT);
    }
}
