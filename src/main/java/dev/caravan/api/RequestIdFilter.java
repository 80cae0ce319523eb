package dev.caravan.api;

import java.io.IOException;
import java.security.SecureRandom;
import java.util.Collections;
import java.util.Enumeration;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Gives every request, and so every response, an {@code X-Request-Id} made by the gateway. The id keys
 * holds, usage records and generation lookups, so only the gateway makes it: it travels as the request
 * attribute {@link #ATTRIBUTE} (the routes' {@code requestId} variable, see {@link RequestContext}). A
 * client's own {@code X-Request-Id} is replaced by it, so that a route that echoes headers cannot
 * answer with the client's.
 * The API speaks only JSON, so a body sent as a form (what {@code curl -d} does without a
 * Content-Type) is read as the JSON it is, instead of being consumed as form fields.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
public class RequestIdFilter extends OncePerRequestFilter {

    public static final String HEADER = "X-Request-Id";
    public static final String ATTRIBUTE = "dev.caravan.requestId";
    private static final char[] ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String id = newId();
        request.setAttribute(ATTRIBUTE, id);
        response.setHeader(HEADER, id);
        chain.doFilter(new WithRequestId(request, id), response);
    }

    /** The id the gateway gave this request. */
    public static String idOf(HttpServletRequest request) {
        Object id = request.getAttribute(ATTRIBUTE);
        if (!(id instanceof String gatewayId)) {
            throw new IllegalStateException("The request has no id: RequestIdFilter did not run for it");
        }
        return gatewayId;
    }

    static String newId() {
        byte[] random = new byte[20];
        RANDOM.nextBytes(random);
        char[] id = new char[24];
        "req_".getChars(0, 4, id, 0);
        for (int i = 0; i < 20; i++) {
            id[4 + i] = ALPHABET[(random[i] & 0xff) % ALPHABET.length];
        }
        return new String(id);
    }

    private static final class WithRequestId extends HttpServletRequestWrapper {
        private final String id;

        WithRequestId(HttpServletRequest request, String id) {
            super(request);
            this.id = id;
        }

        @Override
        public String getHeader(String name) {
            if (HEADER.equalsIgnoreCase(name)) {
                return id;
            }
            if ("Content-Type".equalsIgnoreCase(name) && isForm()) {
                return "application/json";
            }
            return super.getHeader(name);
        }

        @Override
        public String getContentType() {
            return isForm() ? "application/json" : super.getContentType();
        }

        private boolean isForm() {
            String type = super.getContentType();
            return type != null && type.startsWith("application/x-www-form-urlencoded");
        }

        @Override
        public Enumeration<String> getHeaders(String name) {
            return HEADER.equalsIgnoreCase(name) ? Collections.enumeration(java.util.List.of(id)) : super.getHeaders(name);
        }

        @Override
        public Enumeration<String> getHeaderNames() {
            java.util.List<String> names = Collections.list(super.getHeaderNames());
            if (names.stream().noneMatch(HEADER::equalsIgnoreCase)) {
                names.add(HEADER);
            }
            return Collections.enumeration(names);
        }
    }
}
