package dev.caravan.routing;

import java.time.Clock;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The clock of free-tier windows: a bean, so that tests move time instead of waiting a minute. */
@Configuration(proxyBeanMethods = false)
public class RoutingConfiguration {

    @Bean
    Clock routingClock() {
        return Clock.systemUTC();
    }
}
