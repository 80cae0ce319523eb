package dev.caravan.admin;

import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/** Puts every {@code /admin} handler behind the admin token. */
@Configuration(proxyBeanMethods = false)
public class AdminWebConfig implements WebMvcConfigurer {

    private final AdminToken adminToken;

    public AdminWebConfig(AdminToken adminToken) {
        this.adminToken = adminToken;
    }

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(adminToken).addPathPatterns("/admin", "/admin/**");
    }
}
