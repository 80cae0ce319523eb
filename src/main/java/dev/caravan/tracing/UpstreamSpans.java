package dev.caravan.tracing;

import dev.caravan.api.ClientRequest;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.TraceContext;
import io.micrometer.tracing.Tracer;
import org.apache.camel.Exchange;
import org.apache.camel.component.http.HttpEndpoint;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;

/**
 * A client span for every upstream attempt: each {@code http:} call a route makes (the {@code toD} of
 * {@code call-provider}), named {@code upstream <backend>}, with the request id, the requested model and
 * the backend, the upstream host and the status; never a header, a URL query or a body. The span ends
 * when the upstream has answered (for a stream: when its headers came), or failed.
 *
 * <p>An attempt may run on a thread of its own (hedging), where no span is current. The dispatcher
 * creates the attempt's exchange on the request's thread, so its parent is taken when that exchange
 * is created, and the call then hangs under the request's server span on whichever thread it runs.
 * Only registered while tracing is on ({@link TracingConfig}).
 */
final class UpstreamSpans extends EventNotifierSupport {

    static final String REQUEST_ID = "caravan.request_id";
    static final String BACKEND = "caravan.backend";
    static final String MODEL = "caravan.model";

    private static final String PARENT = "caravan.tracing.parent";
    private static final String SPAN = "caravan.tracing.upstreamSpan";

    private final Tracer tracer;

    UpstreamSpans(Tracer tracer) {
        this.tracer = tracer;
        setIgnoreCamelContextEvents(true);
        setIgnoreCamelContextInitEvents(true);
        setIgnoreRouteEvents(true);
        setIgnoreServiceEvents(true);
        setIgnoreStepEvents(true);
        setIgnoreExchangeCompletedEvent(true);
        setIgnoreExchangeFailedEvents(true);
        setIgnoreExchangeRedeliveryEvents(true);
        setIgnoreExchangeAsyncProcessingStartedEvents(true);
    }

    @Override
    public void notify(CamelEvent event) {
        if (event instanceof CamelEvent.ExchangeCreatedEvent created) {
            rememberParent(created.getExchange());
        } else if (event instanceof CamelEvent.ExchangeSendingEvent sending
                && sending.getEndpoint() instanceof HttpEndpoint endpoint) {
            start(sending.getExchange(), endpoint);
        } else if (event instanceof CamelEvent.ExchangeSentEvent sent && sent.getEndpoint() instanceof HttpEndpoint) {
            end(sent.getExchange());
        }
    }

    private void rememberParent(Exchange exchange) {
        TraceContext current = tracer.currentTraceContext().context();
        if (current != null) {
            exchange.setProperty(PARENT, current);
        }
    }

    private void start(Exchange exchange, HttpEndpoint endpoint) {
        String backend = exchange.getVariable("backendId", String.class);
        Span.Builder builder = tracer.spanBuilder()
                .name("upstream " + (backend == null ? endpoint.getHttpUri().getHost() : backend))
                .kind(Span.Kind.CLIENT);
        TraceContext parent = exchange.getProperty(PARENT, TraceContext.class);
        if (tracer.currentSpan() == null && parent != null) {
            builder.setParent(parent);
        }
        Span span = builder.start();
        tagIfPresent(span, REQUEST_ID, exchange.getVariable("requestId", String.class));
        tagIfPresent(span, BACKEND, backend);
        if (exchange.getVariable("clientRequest") instanceof ClientRequest request) {
            tagIfPresent(span, MODEL, request.model());
        }
        span.tag("http.request.method", "POST");
        span.tag("server.address", endpoint.getHttpUri().getHost());
        exchange.setProperty(SPAN, span);
    }

    private static void end(Exchange exchange) {
        Span span = exchange.getProperty(SPAN, Span.class);
        if (span == null) {
            return;
        }
        exchange.removeProperty(SPAN);
        Integer status = exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        if (status != null) {
            span.tag("http.response.status_code", status);
            if (status >= 400) {
                span.tag("error.type", String.valueOf(status));
            }
        }
        if (exchange.getException() != null) {
            // the class only: an exception's message may quote what was sent
            String type = exchange.getException().getClass().getName();
            span.tag("error.type", type);
            span.error(new UpstreamCallFailed(type));
        }
        span.end();
    }

    private static void tagIfPresent(Span span, String key, String value) {
        if (value != null && !value.isBlank()) {
            span.tag(key, value);
        }
    }

    /** What a failed attempt's span records: the failure's class, nothing it said. */
    private static final class UpstreamCallFailed extends RuntimeException {
        UpstreamCallFailed(String type) {
            super(type, null, false, false);
        }
    }
}
