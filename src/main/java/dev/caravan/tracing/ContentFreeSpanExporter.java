package dev.caravan.tracing;

import java.util.Collection;
import java.util.List;
import java.util.Set;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.DelegatingSpanData;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.data.StatusData;
import io.opentelemetry.sdk.trace.export.SpanExporter;

/**
 * Wraps every span exporter so that what leaves the gateway is metadata by construction, whatever a
 * library put on a span: only the attributes named in {@link #ALLOWED} pass; an exception event keeps
 * its type and loses its message and stack trace, and a span's status keeps its code and loses its
 * description (both are an exception's message, and a JSON parser's message quotes the prompt). Only
 * server and client spans are sent: the request and its upstream attempts, not the scheduled jobs and
 * filter-chain spans around them.
 */
final class ContentFreeSpanExporter implements SpanExporter {

    /** Attribute keys that hold metadata only: Spring Boot's HTTP server keys and the gateway's own. */
    static final Set<String> ALLOWED = Set.of(
            "method", "status", "uri", "outcome", "exception", "error", "http.url",
            UpstreamSpans.REQUEST_ID, UpstreamSpans.BACKEND, UpstreamSpans.MODEL,
            "http.request.method", "http.response.status_code", "server.address", "server.port", "error.type");

    private static final AttributeKey<String> EXCEPTION_TYPE = AttributeKey.stringKey("exception.type");

    private final SpanExporter delegate;

    ContentFreeSpanExporter(SpanExporter delegate) {
        this.delegate = delegate;
    }

    @Override
    public CompletableResultCode export(Collection<SpanData> spans) {
        List<SpanData> kept = spans.stream()
                .filter(span -> span.getKind() == SpanKind.SERVER || span.getKind() == SpanKind.CLIENT)
                .<SpanData>map(ContentFree::new)
                .toList();
        return kept.isEmpty() ? CompletableResultCode.ofSuccess() : delegate.export(kept);
    }

    @Override
    public CompletableResultCode flush() {
        return delegate.flush();
    }

    @Override
    public CompletableResultCode shutdown() {
        return delegate.shutdown();
    }

    private static final class ContentFree extends DelegatingSpanData {

        private final Attributes attributes;
        private final List<EventData> events;

        ContentFree(SpanData span) {
            super(span);
            AttributesBuilder kept = Attributes.builder();
            span.getAttributes().forEach((key, value) -> {
                if (ALLOWED.contains(key.getKey())) {
                    keep(kept, key, value instanceof String text ? withoutQuery(text) : value);
                }
            });
            this.attributes = kept.build();
            this.events = span.getEvents().stream()
                    .filter(event -> event.getName().equals("exception"))
                    .map(event -> EventData.create(event.getEpochNanos(), "exception",
                            typeOnly(event.getAttributes().get(EXCEPTION_TYPE))))
                    .toList();
        }

        /** Reset and verification links carry their token in the query: a path, never its query, leaves. */
        private static String withoutQuery(String value) {
            int query = value.indexOf('?');
            return query < 0 ? value : value.substring(0, query);
        }

        @SuppressWarnings("unchecked") // the key and its value come from the same attribute
        private static <T> void keep(AttributesBuilder kept, AttributeKey<T> key, Object value) {
            kept.put(key, (T) value);
        }

        private static Attributes typeOnly(String type) {
            return type == null ? Attributes.empty() : Attributes.of(EXCEPTION_TYPE, type);
        }

        @Override
        public Attributes getAttributes() {
            return attributes;
        }

        @Override
        public int getTotalAttributeCount() {
            return attributes.size();
        }

        @Override
        public List<EventData> getEvents() {
            return events;
        }

        @Override
        public int getTotalRecordedEvents() {
            return events.size();
        }

        @Override
        public List<LinkData> getLinks() {
            return List.of();
        }

        @Override
        public int getTotalRecordedLinks() {
            return 0;
        }

        @Override
        public StatusData getStatus() {
            return StatusData.create(super.getStatus().getStatusCode(), "");
        }
    }
}
