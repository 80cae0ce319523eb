package dev.caravan.tracing;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import com.sun.net.httpserver.HttpServer;
import dev.caravan.support.GatewayTest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tracing on, as an operator switches it on: an OTLP endpoint, here a real OTLP/HTTP receiver on a local
 * socket that keeps what the gateway's exporter POSTs to {@code /v1/traces} (protobuf). A request makes a
 * server span and a client span per upstream attempt, tied by the request id, and nothing the client
 * or the upstream said reaches the collector. Its own Spring context (tracing is off in the others).
 */
class TracingTest extends GatewayTest {

    private static final String PROMPT_MARKER = "tracing-marker-the-prompt-must-not-leave";
    private static final List<byte[]> EXPORTS = new CopyOnWriteArrayList<>();
    private static final HttpServer COLLECTOR = collector();

    @DynamicPropertySource
    static void otlp(DynamicPropertyRegistry registry) {
        registry.add("management.otlp.tracing.endpoint",
                () -> "http://127.0.0.1:" + COLLECTOR.getAddress().getPort() + "/v1/traces");
        // export within a tenth of a second instead of Spring Boot's 5 s batches
        registry.add("management.tracing.opentelemetry.export.schedule-delay", () -> "100ms");
    }

    @AfterAll
    static void stopCollector() {
        COLLECTOR.stop(0);
    }

    @Test
    void aChatCompletionMakesAServerSpanAndAnUpstreamSpanWithTheRequestIdAndNoContent() throws Exception {
        HttpResponse<String> answer = post("/v1/chat/completions", "{\"model\":\"echo\",\"messages\":"
                + "[{\"role\":\"user\",\"content\":\"" + PROMPT_MARKER + "\"}]}");
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.body()).contains(PROMPT_MARKER); // the echo upstream answers with the prompt
        String requestId = answer.headers().firstValue("X-Request-Id").orElseThrow();

        List<Span> spans = spansOf(requestId, found -> found.size() >= 2);
        Span server = only(spans, Span.SpanKind.SPAN_KIND_SERVER);
        Span upstream = only(spans, Span.SpanKind.SPAN_KIND_CLIENT);
        assertThat(server.getName()).isEqualTo("http post /v1/chat/completions");
        assertThat(attributes(server)).containsEntry("caravan.backend", "fake/echo").containsEntry("status", "200");
        assertThat(upstream.getName()).isEqualTo("upstream fake/echo");
        assertThat(upstream.getTraceId()).isEqualTo(server.getTraceId());
        assertThat(upstream.getParentSpanId()).isEqualTo(server.getSpanId());
        assertThat(attributes(upstream)).containsEntry("caravan.model", "echo")
                .containsEntry("caravan.backend", "fake/echo").containsEntry("http.response.status_code", "200")
                .containsEntry("server.address", "127.0.0.1");

        assertNothingSecretExported();
    }

    @Test
    void hedgedAttemptsOnTheirOwnThreadsStayUnderTheRequestsSpan() throws Exception {
        HttpResponse<String> answer = post("/v1/chat/completions", chat("hedged", ""));
        assertThat(answer.statusCode()).isEqualTo(200);
        String requestId = answer.headers().firstValue("X-Request-Id").orElseThrow();

        // the server span ends after the attempts' and may come in a later export: wait for all three
        List<Span> spans = spansOf(requestId, found -> found.stream()
                .filter(span -> span.getKind() == Span.SpanKind.SPAN_KIND_CLIENT).count() >= 2
                && found.stream().anyMatch(span -> span.getKind() == Span.SpanKind.SPAN_KIND_SERVER));
        Span server = only(spans, Span.SpanKind.SPAN_KIND_SERVER);
        List<Span> attempts = spans.stream().filter(span -> span.getKind() == Span.SpanKind.SPAN_KIND_CLIENT).toList();
        assertThat(attempts).extracting(Span::getName)
                .containsExactlyInAnyOrder("upstream lagging/slow-first-byte", "upstream spare/ok");
        assertThat(attempts).allSatisfy(attempt -> {
            assertThat(attempt.getTraceId()).isEqualTo(server.getTraceId());
            assertThat(attempt.getParentSpanId()).isEqualTo(server.getSpanId());
        });
    }

    @Test
    void aRefusedRequestsErrorSaysNothingOfItsBody() throws Exception {
        // a JSON parser's message quotes the text around the mistake
        HttpResponse<String> refused = post("/v1/chat/completions",
                "{\"model\":\"echo\",\"messages\":[{\"role\":\"user\",\"content\":\"" + PROMPT_MARKER + "\"}");
        assertThat(refused.statusCode()).isEqualTo(400);
        String requestId = refused.headers().firstValue("X-Request-Id").orElseThrow();

        assertThat(only(spansOf(requestId, found -> !found.isEmpty()), Span.SpanKind.SPAN_KIND_SERVER)
                .getStatus().getMessage()).isEmpty();
        assertNothingSecretExported();
    }

    @Test
    void aQueryStringNeverLeaves() throws Exception {
        String token = "tracing-marker-a-reset-token";
        HttpResponse<String> page = get("/reset-password?token=" + token);
        String requestId = page.headers().firstValue("X-Request-Id").orElseThrow();

        Span server = only(spansOf(requestId, found -> !found.isEmpty()), Span.SpanKind.SPAN_KIND_SERVER);
        assertThat(attributes(server).values()).noneSatisfy(value -> assertThat(value).contains(token));
        assertThat(EXPORTS).allSatisfy(export -> assertThat(new String(export, StandardCharsets.ISO_8859_1)).doesNotContain(token));
    }

    /** The prompt, the answer and the key never leave: checked on the raw bytes of every export. */
    private void assertNothingSecretExported() {
        for (byte[] export : EXPORTS) {
            String raw = new String(export, StandardCharsets.ISO_8859_1);
            assertThat(raw).doesNotContain(PROMPT_MARKER).doesNotContain(apiKey()).doesNotContain(METRICS_TOKEN)
                    .doesNotContain(ADMIN_TOKEN);
        }
    }

    /** The exported spans of one request, waited for until {@code enough} holds (exports are batched). */
    private static List<Span> spansOf(String requestId, Predicate<List<Span>> enough) throws Exception {
        long deadline = System.currentTimeMillis() + 10_000;
        List<Span> found = List.of();
        while (System.currentTimeMillis() < deadline) {
            found = allSpans().stream().filter(span -> requestId.equals(attributes(span).get("caravan.request_id")))
                    .toList();
            if (enough.test(found)) {
                return found;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("spans of " + requestId + " not exported in time, got " + found);
    }

    private static List<Span> allSpans() throws IOException {
        List<Span> spans = new ArrayList<>();
        for (byte[] export : EXPORTS) {
            for (ResourceSpans resource : ExportTraceServiceRequest.parseFrom(export).getResourceSpansList()) {
                for (ScopeSpans scope : resource.getScopeSpansList()) {
                    spans.addAll(scope.getSpansList());
                }
            }
        }
        return spans;
    }

    private static Span only(List<Span> spans, Span.SpanKind kind) {
        List<Span> ofKind = spans.stream().filter(span -> span.getKind() == kind).toList();
        assertThat(ofKind).as("%s spans among %s", kind, spans).hasSize(1);
        return ofKind.get(0);
    }

    private static Map<String, String> attributes(Span span) {
        return span.getAttributesList().stream().collect(Collectors.toMap(KeyValue::getKey, kv -> text(kv.getValue())));
    }

    private static String text(AnyValue value) {
        return switch (value.getValueCase()) {
            case STRING_VALUE -> value.getStringValue();
            case INT_VALUE -> String.valueOf(value.getIntValue());
            case BOOL_VALUE -> String.valueOf(value.getBoolValue());
            case DOUBLE_VALUE -> String.valueOf(value.getDoubleValue());
            default -> value.toString();
        };
    }

    /** A minimal OTLP/HTTP trace receiver: keeps each request body, answers an empty success. */
    private static HttpServer collector() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/v1/traces", exchange -> {
                try (InputStream body = exchange.getRequestBody()) {
                    EXPORTS.add(body.readAllBytes());
                }
                exchange.getResponseHeaders().add("Content-Type", "application/x-protobuf");
                exchange.sendResponseHeaders(200, -1);
                exchange.close();
            });
            server.start();
            return server;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
