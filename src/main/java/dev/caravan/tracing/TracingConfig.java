package dev.caravan.tracing;

import dev.caravan.api.RequestIdFilter;
import io.micrometer.common.KeyValue;
import io.micrometer.observation.ObservationFilter;
import io.micrometer.tracing.Tracer;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.tracing.SpanExporters;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.server.observation.ServerRequestObservationContext;

/**
 * OpenTelemetry tracing, when it is on ({@link TracingSwitch}: an OTLP endpoint is configured). Spring
 * Boot makes the server span of every HTTP request ({@code http.server.requests}) and exports over
 * OTLP; this adds the request id and the backend that answered to that span, a client span per
 * upstream attempt ({@link UpstreamSpans}), and strips every exported span to metadata
 * ({@link ContentFreeSpanExporter}).
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = TracingSwitch.ENABLED, havingValue = "true")
public class TracingConfig {

    @Bean
    UpstreamSpans upstreamSpans(Tracer tracer) {
        return new UpstreamSpans(tracer);
    }

    /** Applied when the observation stops: the response then names the backend that answered. */
    @Bean
    ObservationFilter requestIdOnServerSpans() {
        return context -> {
            if (context instanceof ServerRequestObservationContext server) {
                Object id = server.getCarrier().getAttribute(RequestIdFilter.ATTRIBUTE);
                if (id != null) {
                    context.addHighCardinalityKeyValue(KeyValue.of(UpstreamSpans.REQUEST_ID, id.toString()));
                }
                HttpServletResponse response = server.getResponse();
                String backend = response == null ? null : response.getHeader("X-Caravan-Backend");
                if (backend != null) {
                    context.addHighCardinalityKeyValue(KeyValue.of(UpstreamSpans.BACKEND, backend));
                }
            }
            return context;
        };
    }

    /** Replaces Spring Boot's list of exporters (a documented extension point) with the same ones, wrapped. */
    @Bean
    SpanExporters spanExporters(ObjectProvider<SpanExporter> exporters) {
        return SpanExporters.of(exporters.orderedStream().<SpanExporter>map(ContentFreeSpanExporter::new).toList());
    }
}
