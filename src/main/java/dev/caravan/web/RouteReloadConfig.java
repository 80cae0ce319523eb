package dev.caravan.web;

import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.camel.CamelContext;
import org.apache.camel.spring.boot.CamelContextConfiguration;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Route files reload while the gateway runs ({@code caravan.routes.reload}, on by default): an edited
 * or added file under {@code caravan.routes.directory} takes effect within a second or two, a broken
 * one is refused and the routes before it keep running ({@link RouteFileReload}).
 */
@Configuration(proxyBeanMethods = false)
public class RouteReloadConfig {

    @Bean
    CamelContextConfiguration routeFileReload(@Value("${caravan.routes.reload:true}") boolean reload,
                                              @Value("${caravan.routes.directory:routes}") String directory) {
        return new CamelContextConfiguration() {
            @Override
            public void beforeApplicationStart(CamelContext context) {
                Path routes = Path.of(directory);
                if (reload && Files.isDirectory(routes)) {
                    try {
                        context.addService(new RouteFileReload(routes, "*.camel.yaml"));
                    } catch (Exception e) {
                        throw new IllegalStateException("caravan.routes.reload: cannot watch " + routes, e);
                    }
                }
            }

            @Override
            public void afterApplicationStart(CamelContext context) {
                // nothing: the reload service starts with the context
            }
        };
    }
}
