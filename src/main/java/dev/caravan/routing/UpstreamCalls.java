package dev.caravan.routing;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.atomic.AtomicInteger;

import dev.caravan.api.ClientRequest;
import dev.caravan.api.FlowVariables;
import dev.caravan.api.GatewayException;
import dev.caravan.api.Operation;
import dev.caravan.catalog.Backend;
import dev.caravan.provider.ProviderAdapter;
import dev.caravan.provider.ProviderAdapters;
import dev.caravan.provider.UpstreamRequest;
import dev.caravan.web.InternalCallToken;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.http.HttpMethods;
import org.springframework.boot.web.context.WebServerInitializedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * The two halves around the {@code http:} call in the {@code call-provider} route (one attempt of the
 * {@link Dispatcher}): build the upstream
 * request with the adapter of the backend's protocol, and read the upstream status. Only the
 * headers built here go upstream; the client's own never do.
 */
@Component("upstreamCalls")
public class UpstreamCalls {

    /** Upstream error bodies are read only this far: enough for the message, not an unbounded read. */
    private static final int MAX_ERROR_BODY = 64 * 1024;

    private final ProviderAdapters adapters;
    private final InternalCallToken internalToken;
    private final AtomicInteger localPort = new AtomicInteger();

    public UpstreamCalls(ProviderAdapters adapters, InternalCallToken internalToken) {
        this.adapters = adapters;
        this.internalToken = internalToken;
    }

    @EventListener
    void onWebServerStarted(WebServerInitializedEvent event) {
        localPort.set(event.getWebServer().getPort());
    }

    public void prepare(Exchange exchange) {
        Backend backend = FlowVariables.BACKEND.require(exchange, "upstreamCalls.prepare");
        ClientRequest request = withOutputLimit(exchange, backend);
        UpstreamRequest upstream = adapter(backend).toUpstreamRequest(request, backend, baseUrl(backend));
        Message message = exchange.getMessage();
        message.removeHeaders("*");
        upstream.headers().forEach(message::setHeader);
        if (backend.provider().isThisGateway()) {
            // the demo provider answers only the gateway: this secret never leaves the host
            message.setHeader(InternalCallToken.HEADER, internalToken.value());
        }
        // the enum, not "POST": the http component reads this header as HttpMethods, and converting a
        // String to it takes Camel's slow type-converter lookup on every request (a quarter of the
        // CPU of a bare pass-through in the benchmark profile)
        message.setHeader(Exchange.HTTP_METHOD, HttpMethods.POST);
        message.setBody(upstream.body());
        String url = upstream.url();
        int query = url.indexOf('?');
        if (query >= 0) {
            // toD appends the http: endpoint's own options after '?': a query of the upstream URL
            // (Gemini's alt=sse) would swallow them, so it travels in the http component's header
            message.setHeader(Exchange.HTTP_QUERY, url.substring(query + 1));
            url = url.substring(0, query);
        }
        FlowVariables.UPSTREAM_URL.set(exchange, url);
        FlowVariables.CONNECT_TIMEOUT_MILLIS.set(exchange, backend.provider().connectTimeout().toMillis());
        FlowVariables.RESPONSE_TIMEOUT_MILLIS.set(exchange, backend.provider().responseTimeout().toMillis());
    }

    /** A chat request carries the output limit the hold covers, as this backend may take it. */
    private static ClientRequest withOutputLimit(Exchange exchange, Backend backend) {
        ClientRequest request = FlowVariables.CLIENT_REQUEST.require(exchange, "upstreamCalls.prepare");
        if (request.operation() != Operation.CHAT_COMPLETION) {
            return request;
        }
        OutputLimit limit = FlowVariables.OUTPUT_LIMIT.get(exchange);
        if (limit == null) {
            throw new IllegalStateException("call-provider needs the outputLimit variable: run credits.reserve first");
        }
        return request.withMaxTokens(limit.forBackend(backend));
    }

    /**
     * After the call: an error status becomes the client's error; a complete answer is translated; a
     * stream is left unread for the metering tap.
     */
    public void receive(Exchange exchange) throws IOException {
        ClientRequest request = FlowVariables.CLIENT_REQUEST.require(exchange, "upstreamCalls.prepare");
        Backend backend = FlowVariables.BACKEND.require(exchange, "upstreamCalls.prepare");
        Message message = exchange.getMessage();
        int status = message.getHeader(Exchange.HTTP_RESPONSE_CODE, 0, Integer.class);
        if (status < 200 || status > 299) {
            byte[] body = readAtMost(message.getBody(InputStream.class));
            throw adapter(backend).toClientError(status, body, message.getHeader("Retry-After", String.class), backend);
        }
        if (request.stream()) {
            String type = message.getHeader(Exchange.CONTENT_TYPE, String.class);
            if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("text/event-stream")) {
                readAtMost(message.getBody(InputStream.class));
                throw GatewayException.badUpstream("The upstream answered a stream request with '" + type
                        + "' instead of server-sent events.");
            }
            return;
        }
        try (InputStream in = message.getBody(InputStream.class)) {
            if (in == null) {
                throw GatewayException.badUpstream("The upstream answered with an empty body.");
            }
            message.setBody(adapter(backend).toOpenAiResponse(request, in.readAllBytes()));
        }
    }

    private ProviderAdapter adapter(Backend backend) {
        return adapters.forProtocol(backend.provider().protocol());
    }

    /** A base-url that is a path ({@code /demo/v1}) points at this gateway itself, on its actual port. */
    private String baseUrl(Backend backend) {
        String baseUrl = backend.provider().baseUrl();
        String trimmed = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        return backend.provider().isThisGateway() ? "http://127.0.0.1:" + localPort.get() + trimmed : trimmed;
    }

    private static byte[] readAtMost(InputStream in) throws IOException {
        if (in == null) {
            return new byte[0];
        }
        try (in) {
            return in.readNBytes(MAX_ERROR_BODY);
        }
    }
}
