package dev.caravan.web;

import org.apache.camel.component.http.HttpComponent;
import org.apache.camel.spi.ComponentCustomizer;
import org.apache.hc.core5.util.TimeValue;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * What the {@code http:} component's properties cannot say: evict idle and expired pooled
 * connections in the background, so a connection the upstream already closed is not handed to the
 * next request (which would then fail on a stale socket).
 */
@Configuration(proxyBeanMethods = false)
public class UpstreamHttpClientConfig {

    @Bean
    ComponentCustomizer idleConnectionEviction(@Value("${caravan.http.idle-connection-eviction:30s}") java.time.Duration idle) {
        return ComponentCustomizer.builder(HttpComponent.class)
                .build(component -> component.setHttpClientConfigurer(builder -> builder
                        .evictExpiredConnections()
                        .evictIdleConnections(TimeValue.ofMilliseconds(idle.toMillis()))));
    }
}
