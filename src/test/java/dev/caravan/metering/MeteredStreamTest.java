package dev.caravan.metering;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caravan.api.GatewayException;
import dev.caravan.provider.StreamTranslator;
import org.apache.hc.core5.http.io.EofSensorInputStream;
import org.apache.hc.core5.http.io.EofSensorWatcher;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The metering tap driven with recorded OpenAI stream transcripts, as the HTTP layer drives it: read
 * until the end (or close early), without Camel or a network in between.
 */
class MeteredStreamTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final StreamTranslator PASS_THROUGH = (event, data, emit) -> emit.accept(data);
    private static final BigDecimal PRICED = new BigDecimal("0.000123");

    private final List<MeteredStream.Outcome> outcomes = new ArrayList<>();
    private final List<MeteredStream.ChunkFacts> priced = new ArrayList<>();

    @Test
    void addsTheProviderToEveryChunkAndEndsWithDone() throws IOException {
        List<String> events = readAll(tap(upstream(completeTranscript()), false));

        assertThat(events).last().isEqualTo("[DONE]");
        List<JsonNode> chunks = chunks(events);
        assertThat(chunks).hasSize(3).allSatisfy(chunk -> assertThat(chunk.path("provider").asText()).isEqualTo("fake"));
        assertThat(chunks).allSatisfy(chunk -> assertThat(chunk.path("id").asText()).isEqualTo("chatcmpl-1"));
        assertThat(text(chunks)).isEqualTo("Hello world");
        assertThat(chunks.get(2).path("choices").get(0).path("finish_reason").asText()).isEqualTo("stop");
    }

    @Test
    void replacesAProviderFieldTheUpstreamSentWithTheGatewaysProvider() throws IOException {
        // OpenRouter, as an upstream, names its own provider in every chunk
        ObjectNode chunk = content("Hi");
        chunk.put("provider", "OpenAI");
        String transcript = event(chunk) + event(finish("stop")) + "data: [DONE]\n\n";

        List<String> events = readAll(tap(upstream(transcript), false));

        JsonNode first = JSON.readTree(events.get(0));
        assertThat(first.path("provider").asText()).isEqualTo("fake");
        assertThat(events.get(0).split("\"provider\"", -1)).as("one provider key in %s", events.get(0)).hasSize(2);
    }

    @Test
    void hidesTheUsageChunkWhenTheClientDidNotAskForIt() throws IOException {
        List<JsonNode> chunks = chunks(readAll(tap(upstream(completeTranscript()), false)));

        assertThat(chunks).noneSatisfy(chunk -> assertThat(chunk.path("usage").isObject()).isTrue());
        assertThat(chunks).allSatisfy(chunk -> assertThat(chunk.path("choices")).isNotEmpty());
        // still metered: the outcome carries the usage the upstream reported
        assertThat(outcomes).singleElement().satisfies(outcome ->
                assertThat(outcome.facts().reportedUsage().path("prompt_tokens").asLong()).isEqualTo(11));
    }

    @Test
    void passesThePricedUsageChunkOnWhenTheClientAskedForIt() throws IOException {
        List<String> events = readAll(tap(upstream(completeTranscript()), true));

        List<JsonNode> chunks = chunks(events);
        List<JsonNode> withUsage = chunks.stream().filter(c -> c.path("usage").isObject()).toList();
        assertThat(withUsage).singleElement().satisfies(usageChunk -> {
            assertThat(usageChunk.path("choices")).isEmpty();
            assertThat(usageChunk.path("provider").asText()).isEqualTo("fake");
            assertThat(usageChunk.path("usage").path("prompt_tokens").asLong()).isEqualTo(11);
            assertThat(usageChunk.path("usage").path("completion_tokens").asLong()).isEqualTo(7);
            assertThat(usageChunk.path("usage").path("cost").decimalValue()).isEqualByComparingTo(PRICED);
        });
        assertThat(chunks).last().isSameAs(withUsage.get(0));
        assertThat(events).last().isEqualTo("[DONE]");
        assertThat(priced).isNotEmpty().allSatisfy(facts ->
                assertThat(facts.reportedUsage().path("prompt_tokens").asLong()).isEqualTo(11));
    }

    @Test
    void synthesizesAPricedUsageChunkWhenTheUpstreamSentNoneButTheClientAsked() throws IOException {
        String transcript = event(content("Hello ")) + event(content("world")) + event(finish("stop")) + "data: [DONE]\n\n";

        List<String> events = readAll(tap(upstream(transcript), true));

        assertThat(events).last().isEqualTo("[DONE]");
        JsonNode usageChunk = JSON.readTree(events.get(events.size() - 2));
        assertThat(usageChunk.path("id").asText()).isEqualTo("chatcmpl-1");
        assertThat(usageChunk.path("object").asText()).isEqualTo("chat.completion.chunk");
        assertThat(usageChunk.path("model").asText()).isEqualTo("gpt-x");
        assertThat(usageChunk.path("provider").asText()).isEqualTo("fake");
        assertThat(usageChunk.path("choices")).isEmpty();
        assertThat(usageChunk.path("usage").path("estimated").asBoolean()).isTrue();
        assertThat(usageChunk.path("usage").path("cost").decimalValue()).isEqualByComparingTo(PRICED);
        assertThat(priced).singleElement().satisfies(facts -> {
            assertThat(facts.reportedUsage()).isNull();
            assertThat(facts.generatedText().toString()).isEqualTo("Hello world");
        });
    }

    @Test
    void sendsNoUsageChunkWhenNeitherTheUpstreamNorTheClientHasOne() throws IOException {
        String transcript = event(content("Hi")) + event(finish("stop")) + "data: [DONE]\n\n";

        List<JsonNode> chunks = chunks(readAll(tap(upstream(transcript), false)));

        assertThat(chunks).hasSize(2).noneSatisfy(chunk -> assertThat(chunk.path("usage").isObject()).isTrue());
        assertThat(priced).isEmpty();
    }

    @Test
    void removesUsageFromAChunkThatAlsoCarriesChoicesWhenTheClientDidNotAsk() throws IOException {
        // Some OpenAI-compatible providers put the usage on the finish chunk instead of a chunk of its own.
        ObjectNode finishWithUsage = finish("stop");
        finishWithUsage.set("usage", usage());
        String transcript = event(content("Hi")) + event(finishWithUsage) + "data: [DONE]\n\n";

        List<JsonNode> chunks = chunks(readAll(tap(upstream(transcript), false)));

        assertThat(chunks).hasSize(2);
        JsonNode last = chunks.get(1);
        assertThat(last.path("choices").get(0).path("finish_reason").asText()).isEqualTo("stop");
        assertThat(last.has("usage")).isFalse();
        assertThat(last.path("provider").asText()).isEqualTo("fake");
    }

    @Test
    void passesKeepAliveCommentsThrough() throws IOException {
        String transcript = ": keep-alive\n\n" + completeTranscript();

        byte[] body = tap(upstream(transcript), false).readAllBytes();

        assertThat(new String(body, StandardCharsets.UTF_8)).startsWith(": keep-alive\n\ndata: ");
    }

    @Test
    void forwardsNoTextThatIsNeitherAnEventNorAComment() throws IOException {
        // an upstream proxy's error page where the stream should be: not for the client's eyes
        byte[] body = tap(upstream("<html><body>502 Bad Gateway</body></html>"), false).readAllBytes();

        assertThat(new String(body, StandardCharsets.UTF_8)).doesNotContain("<html>", "Bad Gateway");
        assertThat(outcomes).singleElement().satisfies(outcome -> assertThat(outcome.finishReason()).isEqualTo("error"));
    }

    @Test
    void reassemblesEventsTheUpstreamDeliversInTinyPieces() throws IOException {
        String whole = new String(tap(upstream(completeTranscript()), true).readAllBytes(), StandardCharsets.UTF_8);
        outcomes.clear();

        String trickled = new String(tap(new OneByteAtATime(completeTranscript()), true).readAllBytes(),
                StandardCharsets.UTF_8);

        assertThat(trickled).isEqualTo(whole);
        assertThat(outcomes).singleElement().satisfies(outcome -> assertThat(outcome.completed()).isTrue());
    }

    @Test
    void endsWithAnErrorChunkWhenTheUpstreamConnectionFailsMidStream() throws IOException {
        InputStream failing = new FailingAfter(event(content("Hello ")) + event(content("wor")));

        List<String> events = readAll(tap(failing, false));

        assertThat(events).last().isEqualTo("[DONE]");
        JsonNode error = JSON.readTree(events.get(events.size() - 2));
        assertErrorChunk(error);
        assertThat(error.path("error").path("message").asText()).contains("IOException");
        assertThat(text(chunks(events))).isEqualTo("Hello wor");
        assertThat(outcomes).singleElement().satisfies(outcome -> {
            assertThat(outcome.completed()).isFalse();
            assertThat(outcome.cancelled()).isFalse();
            assertThat(outcome.finishReason()).isEqualTo("error");
            assertThat(outcome.facts().generatedText().toString()).isEqualTo("Hello wor");
        });
    }

    @Test
    void endsWithAnErrorChunkWhenTheUpstreamClosesBeforeAFinishReasonOrDone() throws IOException {
        String cut = event(content("Hello ")) + event(content("wor"));

        List<String> events = readAll(tap(upstream(cut), false));

        assertThat(events).hasSize(4).last().isEqualTo("[DONE]");
        assertErrorChunk(JSON.readTree(events.get(2)));
        assertThat(outcomes).singleElement().satisfies(outcome -> {
            assertThat(outcome.completed()).isFalse();
            assertThat(outcome.finishReason()).isEqualTo("error");
        });
    }

    @Test
    void endsWithTheTranslatorsErrorWhenTheUpstreamReportsAFailureMidStream() throws IOException {
        // a native protocol's error event: the translator throws the classified failure
        StreamTranslator failingOnError = (event, data, emit) -> {
            if ("error".equals(event)) {
                throw new GatewayException(503, "upstream_error", "upstream_overloaded", null, "Overloaded", null);
            }
            emit.accept(data);
        };
        String transcript = event(content("Hello ")) + "event: error\ndata: {}\n\n" + event(content("never"))
                + event(finish("stop")) + "data: [DONE]\n\n";

        List<String> events = readAll(new MeteredStream(upstream(transcript), failingOnError, JSON, false, "fake",
                this::price, outcomes::add));

        assertThat(events).hasSize(3).last().isEqualTo("[DONE]");
        JsonNode error = JSON.readTree(events.get(1));
        assertThat(error.path("choices").get(0).path("finish_reason").asText()).isEqualTo("error");
        assertThat(error.path("error").path("code").asText()).isEqualTo("upstream_overloaded");
        assertThat(error.path("error").path("message").asText()).isEqualTo("Overloaded");
        assertThat(outcomes).singleElement().satisfies(outcome -> {
            assertThat(outcome.completed()).isFalse();
            assertThat(outcome.finishReason()).isEqualTo("error");
            assertThat(outcome.facts().generatedText().toString()).isEqualTo("Hello ");
        });
    }

    @Test
    void chargesWhatWasGeneratedBeforeACutWhenTheClientAskedForUsage() throws IOException {
        List<String> events = readAll(tap(upstream(event(content("Hello "))), true));

        JsonNode error = JSON.readTree(events.get(events.size() - 2));
        assertErrorChunk(error);
        assertThat(error.path("usage").path("cost").decimalValue()).isEqualByComparingTo(PRICED);
        assertThat(error.path("usage").path("estimated").asBoolean()).isTrue();
    }

    @Test
    void completesAStreamThatHasAFinishReasonButNoDone() throws IOException {
        // the last event also lacks its blank line: it is the reader's remainder
        String transcript = event(content("Hello")) + "data: " + finish("length");

        List<String> events = readAll(tap(upstream(transcript), false));

        assertThat(events).last().isEqualTo("[DONE]");
        assertThat(chunks(events)).hasSize(2).noneSatisfy(chunk -> assertThat(chunk.has("error")).isTrue());
        assertThat(outcomes).singleElement().satisfies(outcome -> {
            assertThat(outcome.completed()).isTrue();
            assertThat(outcome.finishReason()).isEqualTo("length");
        });
    }

    @Test
    void reportsTheOutcomeExactlyOnceWhenReadToTheEndAndClosed() throws IOException {
        MeteredStream tap = tap(upstream(completeTranscript()), true);

        tap.readAllBytes();
        assertThat(tap.read()).isEqualTo(-1);
        tap.close();
        tap.close();

        assertThat(outcomes).singleElement().satisfies(outcome -> {
            assertThat(outcome.completed()).isTrue();
            assertThat(outcome.cancelled()).isFalse();
            assertThat(outcome.finishReason()).isEqualTo("stop");
            assertThat(outcome.facts().reportedUsage().path("completion_tokens").asLong()).isEqualTo(7);
        });
    }

    @Test
    void reportsACancelledOutcomeOnceAndClosesTheUpstreamWhenClosedEarly() throws IOException {
        RecordsClose upstream = new RecordsClose(completeTranscript());
        MeteredStream tap = tap(upstream, true);

        byte[] first = new byte[16];
        assertThat(tap.read(first)).isPositive();
        tap.close();
        tap.close();

        assertThat(upstream.closed).isTrue();
        assertThat(outcomes).singleElement().satisfies(outcome -> {
            assertThat(outcome.cancelled()).isTrue();
            assertThat(outcome.completed()).isFalse();
            assertThat(outcome.finishReason()).isEqualTo("cancelled");
        });
    }

    @Test
    void abortsAnHttpClientUpstreamInsteadOfDrainingItWhenClosedEarly() throws IOException {
        RecordingWatcher watcher = new RecordingWatcher();
        InputStream upstream = new EofSensorInputStream(upstream(completeTranscript()), watcher);
        MeteredStream tap = tap(upstream, false);

        assertThat(tap.read()).isNotNegative();
        tap.close();

        assertThat(watcher.aborted).isTrue();
        assertThat(watcher.closed).as("a plain close would drain the rest of the answer").isFalse();
        assertThat(outcomes).singleElement().satisfies(outcome -> assertThat(outcome.cancelled()).isTrue());
    }

    @Test
    void closesAnHttpClientUpstreamNormallyAfterTheEnd() throws IOException {
        RecordingWatcher watcher = new RecordingWatcher();
        MeteredStream tap = tap(new EofSensorInputStream(upstream(completeTranscript()), watcher), false);

        tap.readAllBytes();
        tap.close();

        assertThat(watcher.aborted).isFalse();
        assertThat(outcomes).singleElement().satisfies(outcome -> assertThat(outcome.cancelled()).isFalse());
    }

    // --- the tap and its transcripts ---------------------------------------------------------------

    private MeteredStream tap(InputStream upstream, boolean clientWantsUsage) {
        return new MeteredStream(upstream, PASS_THROUGH, JSON, clientWantsUsage, "fake", this::price, outcomes::add);
    }

    /** Stands in for the backend's price: echoes the usage it is given and adds a recognisable cost. */
    private ObjectNode price(MeteredStream.ChunkFacts facts) {
        priced.add(facts);
        ObjectNode usage = JSON.createObjectNode();
        if (facts.reportedUsage() != null) {
            usage.setAll((ObjectNode) facts.reportedUsage().deepCopy());
        } else {
            usage.put("completion_tokens", facts.generatedText().length()).put("estimated", true);
        }
        usage.put("cost", PRICED);
        return usage;
    }

    private static void assertErrorChunk(JsonNode chunk) {
        assertThat(chunk.path("choices").get(0).path("finish_reason").asText()).isEqualTo("error");
        assertThat(chunk.path("provider").asText()).isEqualTo("fake");
        JsonNode error = chunk.path("error");
        assertThat(error.isObject()).isTrue();
        assertThat(error.path("message").asText()).isNotBlank();
        assertThat(error.path("type").asText()).isEqualTo("upstream_error");
        assertThat(error.path("code").asText()).isEqualTo("stream_interrupted");
    }

    /** What OpenAI sends for a streamed answer with include_usage on. */
    private static String completeTranscript() {
        ObjectNode usageChunk = skeleton();
        usageChunk.putArray("choices");
        usageChunk.set("usage", usage());
        return event(content("Hello ")) + event(content("world")) + event(finish("stop")) + event(usageChunk)
                + "data: [DONE]\n\n";
    }

    private static ObjectNode content(String text) {
        ObjectNode chunk = skeleton();
        ObjectNode choice = chunk.putArray("choices").addObject().put("index", 0);
        choice.putObject("delta").put("content", text);
        choice.putNull("finish_reason");
        chunk.putNull("usage");
        return chunk;
    }

    private static ObjectNode finish(String reason) {
        ObjectNode chunk = skeleton();
        ObjectNode choice = chunk.putArray("choices").addObject().put("index", 0);
        choice.putObject("delta");
        choice.put("finish_reason", reason);
        chunk.putNull("usage");
        return chunk;
    }

    private static ObjectNode usage() {
        return JSON.createObjectNode().put("prompt_tokens", 11).put("completion_tokens", 7).put("total_tokens", 18);
    }

    private static ObjectNode skeleton() {
        return JSON.createObjectNode().put("id", "chatcmpl-1").put("object", "chat.completion.chunk")
                .put("created", 1700000000).put("model", "gpt-x");
    }

    private static String event(JsonNode chunk) {
        return "data: " + chunk + "\n\n";
    }

    private static InputStream upstream(String transcript) {
        return new ByteArrayInputStream(transcript.getBytes(StandardCharsets.UTF_8));
    }

    /** The data of every event the client receives, in order. */
    private static List<String> readAll(MeteredStream tap) throws IOException {
        String body = new String(tap.readAllBytes(), StandardCharsets.UTF_8);
        assertThat(body).endsWith("\n\n");
        List<String> data = new ArrayList<>();
        for (String event : body.split("\n\n")) {
            assertThat(event).startsWith("data: ");
            data.add(event.substring("data: ".length()));
        }
        return data;
    }

    private static List<JsonNode> chunks(List<String> events) throws IOException {
        List<JsonNode> chunks = new ArrayList<>();
        for (String data : events) {
            if (!data.equals("[DONE]")) {
                chunks.add(JSON.readTree(data));
            }
        }
        return chunks;
    }

    private static String text(List<JsonNode> chunks) {
        return chunks.stream().map(c -> c.path("choices").path(0).path("delta").path("content").asText(""))
                .collect(Collectors.joining());
    }

    /** An upstream that sends a prefix of an answer, then loses its connection. */
    private static final class FailingAfter extends InputStream {
        private final InputStream prefix;

        FailingAfter(String prefix) {
            this.prefix = upstream(prefix);
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = prefix.read(b, off, len);
            if (n < 0) {
                throw new IOException("Connection reset");
            }
            return n;
        }
    }

    /** An upstream whose bytes arrive one per read. */
    private static final class OneByteAtATime extends FilterInputStream {
        OneByteAtATime(String transcript) {
            super(upstream(transcript));
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return super.read(b, off, Math.min(len, 1));
        }
    }

    /** A plain upstream stream that remembers being closed. */
    private static final class RecordsClose extends FilterInputStream {
        boolean closed;

        RecordsClose(String transcript) {
            super(upstream(transcript));
        }

        @Override
        public void close() throws IOException {
            closed = true;
            super.close();
        }
    }

    /** Sees how HttpClient's response stream was let go of: aborted, or closed (which drains it). */
    private static final class RecordingWatcher implements EofSensorWatcher {
        boolean aborted;
        boolean closed;

        @Override
        public boolean eofDetected(InputStream wrapped) {
            return true;
        }

        @Override
        public boolean streamClosed(InputStream wrapped) {
            closed = true;
            return true;
        }

        @Override
        public boolean streamAbort(InputStream wrapped) {
            aborted = true;
            return true;
        }
    }
}
