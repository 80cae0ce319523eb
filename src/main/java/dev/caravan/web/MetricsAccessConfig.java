package dev.caravan.web;

import dev.caravan.auth.OperatorToken;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

/** Puts the actuator paths of the API port behind {@link MetricsAccess}. */
@Configuration(proxyBeanMethods = false)
public class MetricsAccessConfig {

    @Bean
    FilterRegistrationBean<MetricsAccess> metricsAccess(@Value("${caravan.metrics.token:}") String token,
                                                        @Value("${management.endpoints.web.base-path:/actuator}") String basePath) {
        var registration = new FilterRegistrationBean<>(new MetricsAccess(
                OperatorToken.of(token, "caravan.metrics.token", "CARAVAN_METRICS_TOKEN"), basePath));
        registration.addUrlPatterns(basePath, basePath + "/*");
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 20);
        return registration;
    }
}
