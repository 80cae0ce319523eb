package dev.caravan.api;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import dev.caravan.support.FakeOpenAiUpstream;
import dev.caravan.support.GatewayTest;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Streamed chat completions: real pass-through, usage and cost in the stream, disconnects. */
class StreamingTest extends GatewayTest {

    @Test
    void passesEachEventThroughWhenTheUpstreamSendsIt() throws Exception {
        List<Arrival> arrivals = streamArrivals(chat("slow", "\"stream\":true"));

        List<Arrival> parts = arrivals.stream().filter(a -> a.data().contains("part")).toList();
        assertThat(parts).hasSize(5);
        // the upstream spaces its 5 events 400 ms apart: batched delivery would make the spread ~0
        long spread = parts.get(4).atMillis() - parts.get(0).atMillis();
        assertThat(spread).isGreaterThan(3 * FakeOpenAiUpstream.SLOW_SPACING_MS);
        assertThat(arrivals.get(arrivals.size() - 1).data()).isEqualTo("[DONE]");
    }

    @Test
    void keepsAStreamOpenLongerThanServletAsyncDefaults() throws Exception {
        // Spring MVC cuts async requests after 30 s unless spring.mvc.async.request-timeout says otherwise
        List<Arrival> arrivals = streamArrivals(chat("long", "\"stream\":true"));

        assertThat(arrivals.stream().filter(a -> a.data().contains("second"))).hasSize(FakeOpenAiUpstream.LONG_STREAM_EVENTS);
        assertThat(chunks(arrivals).get(chunks(arrivals).size() - 1).path("choices").get(0).path("finish_reason").asText())
                .isEqualTo("stop");
        assertThat(arrivals.get(arrivals.size() - 1).data()).isEqualTo("[DONE]");
    }

    @Test
    void deliversTheUsageChunkWithExactCostWhenTheClientAsks() throws Exception {
        List<JsonNode> chunks = chunks(streamArrivals(chat("chat", "\"stream\":true,\"stream_options\":{\"include_usage\":true}")));

        StringBuilder text = new StringBuilder();
        chunks.forEach(c -> c.path("choices").forEach(ch -> text.append(ch.path("delta").path("content").asText(""))));
        assertThat(text.toString()).isEqualTo(FakeOpenAiUpstream.CONTENT);
        assertThat(chunks).allSatisfy(c -> assertThat(c.path("provider").asText()).isEqualTo("fake"));
        JsonNode last = chunks.get(chunks.size() - 1);
        assertThat(last.path("choices")).isEmpty();
        assertThat(last.path("usage").path("prompt_tokens").asLong()).isEqualTo(11);
        assertThat(last.path("usage").path("completion_tokens").asLong()).isEqualTo(7);
        assertThat(last.path("usage").path("cost").decimalValue()).isEqualByComparingTo(new BigDecimal("0.0000975"));
    }

    @Test
    void asksTheUpstreamForUsageButHidesTheUsageChunkFromAClientThatDidNotAsk() throws Exception {
        List<JsonNode> chunks = chunks(streamArrivals(chat("chat", "\"stream\":true")));

        assertThat(UPSTREAM.lastRequestFor("ok").body().path("stream_options").path("include_usage").asBoolean()).isTrue();
        assertThat(chunks).isNotEmpty();
        assertThat(chunks).noneSatisfy(c -> assertThat(c.path("usage").isObject()).isTrue());
        assertThat(chunks.get(chunks.size() - 1).path("choices").get(0).path("finish_reason").asText()).isEqualTo("stop");
    }

    @Test
    void estimatesStreamUsageWhenTheUpstreamReportsNone() throws Exception {
        List<JsonNode> chunks = chunks(streamArrivals(chat("no-usage-chat", "\"stream\":true,\"stream_options\":{\"include_usage\":true}")));

        JsonNode usage = chunks.get(chunks.size() - 1).path("usage");
        assertThat(usage.path("estimated").asBoolean()).isTrue();
        assertThat(usage.path("completion_tokens").asLong()).isBetween(5L, 12L);
        assertThat(usage.path("cost").decimalValue()).isPositive();
    }

    @Test
    void streamsToolCallArgumentsInPieces() throws Exception {
        List<JsonNode> chunks = chunks(streamArrivals(chat("tools-chat", "\"stream\":true,"
                + "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"parameters\":{\"type\":\"object\"}}}]")));

        StringBuilder arguments = new StringBuilder();
        chunks.forEach(c -> c.path("choices").forEach(ch -> ch.path("delta").path("tool_calls")
                .forEach(call -> arguments.append(call.path("function").path("arguments").asText("")))));
        assertThat(arguments.toString()).isEqualTo("{\"city\":\"Paris\"}");
    }

    @Test
    void endsACutStreamWithAnErrorChunkNotACleanLookingEnd() throws Exception {
        List<Arrival> arrivals = streamArrivals(chat("cut", "\"stream\":true,\"stream_options\":{\"include_usage\":true}"));

        List<JsonNode> chunks = chunks(arrivals);
        JsonNode last = chunks.get(chunks.size() - 1);
        assertThat(last.path("choices").get(0).path("finish_reason").asText()).isEqualTo("error");
        assertThat(last.path("error").path("code").asText()).isEqualTo("stream_interrupted");
        // billed for what was delivered, never zero
        assertThat(last.path("usage").path("completion_tokens").asLong()).isPositive();
        assertThat(arrivals.get(arrivals.size() - 1).data()).isEqualTo("[DONE]");
    }

    @Test
    void aClientThatDisconnectsAbortsTheUpstreamRequest() throws Exception {
        HttpResponse<InputStream> response = HTTP.send(streamRequest(chat("endless", "\"stream\":true")),
                HttpResponse.BodyHandlers.ofInputStream());
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            int events = 0;
            while (events < 3) {
                String line = reader.readLine();
                if (line != null && line.startsWith("data: ")) {
                    events++;
                }
            }
        }
        // closing the body closes the connection; the gateway must abort the upstream, not drain it
        long deadline = System.currentTimeMillis() + 10_000;
        while (!UPSTREAM.endlessBrokenByPeer() && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
        assertThat(UPSTREAM.endlessBrokenByPeer()).as("upstream saw its connection closed early").isTrue();
        assertThat(UPSTREAM.endlessEventsSent()).isLessThan(400);
    }
}
