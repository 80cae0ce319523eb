package dev.caravan.metering;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caravan.api.GatewayException;
import dev.caravan.api.OpenAiErrors;
import dev.caravan.provider.StreamTranslator;
import org.apache.hc.core5.http.io.EofSensorInputStream;

/**
 * The metering tap: the live upstream stream, translated to OpenAI chunks and handed on event by
 * event as it arrives (nothing is batched), while it watches usage and the finish reason.
 * <ul>
 *   <li>the usage chunk gets {@code cost}; it is only passed on if the client asked for it;</li>
 *   <li>when the upstream reports no usage, tokens are counted here;</li>
 *   <li>a stream the upstream cuts short, or reports a failure in, ends with an error chunk
 *   ({@code finish_reason: "error"});</li>
 *   <li>a client that goes away closes this stream early: the upstream request is aborted, not drained;</li>
 *   <li>the outcome is reported exactly once, whichever way the stream ended.</li>
 * </ul>
 */
public final class MeteredStream extends PullingStream {

    /** How the stream ended, for the usage record. */
    public record Outcome(ChunkFacts facts, boolean completed, boolean cancelled, String finishReason) {
    }

    /** What the tap learned, priced by the caller (who knows the backend's price). */
    public record ChunkFacts(JsonNode reportedUsage, CharSequence generatedText) {
    }

    /** Prices the usage the tap saw; given the usage JSON (reported or estimated), returns the cost JSON node. */
    public interface Pricer {
        ObjectNode usageWithCost(ChunkFacts facts);
    }

    private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);

    private final InputStream upstream;
    private final StreamTranslator translator;
    private final ObjectMapper json;
    private final boolean clientWantsUsage;
    private final String provider;
    private final byte[] providerField;
    private final Pricer pricer;
    private final Consumer<Outcome> onEnd;

    private final SseEventReader events = new SseEventReader();
    private final ChunkAccounting accounting = new ChunkAccounting();
    private boolean sawDone;
    private boolean usageDelivered;
    private boolean finished;
    private boolean closed;

    public MeteredStream(InputStream upstream, StreamTranslator translator, ObjectMapper json, boolean clientWantsUsage,
                         String provider, Pricer pricer, Consumer<Outcome> onEnd) {
        this.upstream = upstream;
        this.translator = translator;
        this.json = json;
        this.clientWantsUsage = clientWantsUsage;
        this.provider = provider;
        this.providerField = ("\"provider\":" + quote(provider) + ",").getBytes(StandardCharsets.UTF_8);
        this.pricer = pricer;
        this.onEnd = onEnd;
    }

    @Override
    protected boolean exhausted() {
        return finished || closed;
    }

    /** One read from the upstream; whatever complete events it brings are translated and queued. */
    @Override
    protected void pull() {
        int n;
        try {
            n = events.readFrom(upstream);
        } catch (IOException e) {
            endWithError("The upstream connection failed mid-stream (" + e.getClass().getSimpleName() + ").");
            return;
        }
        if (n < 0) {
            SseEventReader.Event last = events.remainder();
            if (last != null) {
                handle(last);
            }
            if (finished) {
                return; // the last event reported a failure: the error chunk has gone out
            }
            if (sawDone || accounting.finishReason() != null) {
                endCompleted();
            } else {
                endWithError("The upstream closed the stream before the answer was complete.");
            }
            return;
        }
        for (SseEventReader.Event event = events.next(); event != null; event = events.next()) {
            handle(event);
        }
    }

    private void handle(SseEventReader.Event event) {
        if (finished) {
            return; // after a failure the upstream reported, nothing more reaches the client
        }
        if (event.data() == null) {
            // keep-alive comments pass on as they came; anything else without data is not SSE
            // (a proxy's error text, a stray line) and never reaches the client
            if (event.raw().startsWith(":")) {
                write(event.raw().getBytes(StandardCharsets.UTF_8));
                write("\n\n".getBytes(StandardCharsets.US_ASCII));
            }
            return;
        }
        try {
            translator.onEvent(event.name(), event.data(), this::onChunk);
        } catch (GatewayException e) {
            endWithError(e.getMessage(), e.type(), e.code());
        }
    }

    private void onChunk(String data) {
        if ("[DONE]".equals(data.trim())) {
            sawDone = true; // held back: a usage chunk may still have to go before it
            return;
        }
        JsonNode chunk;
        try {
            chunk = json.readTree(data);
        } catch (IOException e) {
            writeData(data.getBytes(StandardCharsets.UTF_8));
            return;
        }
        if (!(chunk instanceof ObjectNode object)) {
            writeData(data.getBytes(StandardCharsets.UTF_8));
            return;
        }
        accounting.observe(object);
        JsonNode usage = object.get("usage");
        if (usage == null || !usage.isObject()) {
            if (object.has("provider")) {
                // an upstream that names its own provider (OpenRouter): the gateway's name replaces it
                object.put("provider", provider);
                writeData(toBytes(object));
            } else {
                writeWithProvider(data);
            }
            return;
        }
        // The usage chunk: priced when it passes; the client sees it only if it asked.
        boolean usageOnly = object.path("choices").isEmpty();
        if (clientWantsUsage) {
            object.set("usage", pricer.usageWithCost(facts()));
            usageDelivered = true;
        } else if (usageOnly) {
            return;
        } else {
            object.remove("usage");
        }
        object.put("provider", provider);
        writeData(toBytes(object));
    }

    private void endCompleted() {
        if (clientWantsUsage && !usageDelivered) {
            ObjectNode chunk = chunkSkeleton();
            chunk.putArray("choices");
            chunk.set("usage", pricer.usageWithCost(facts()));
            writeData(toBytes(chunk));
        }
        write(DONE);
        finish(true, false, accounting.finishReason());
    }

    private void endWithError(String message) {
        endWithError(message, "upstream_error", "stream_interrupted");
    }

    private void endWithError(String message, String type, String code) {
        if (finished) {
            return;
        }
        ObjectNode chunk = chunkSkeleton();
        ObjectNode choice = chunk.putArray("choices").addObject();
        choice.put("index", 0);
        choice.putObject("delta");
        choice.put("finish_reason", "error");
        chunk.set("error", OpenAiErrors.errorObject(message, type, code, null));
        if (clientWantsUsage) {
            chunk.set("usage", pricer.usageWithCost(facts()));
        }
        writeData(toBytes(chunk));
        write(DONE);
        finish(false, false, "error");
    }

    private ObjectNode chunkSkeleton() {
        ObjectNode chunk = json.createObjectNode();
        // a stream that failed before its first chunk has no id yet: strict clients require one
        chunk.put("id", accounting.id() != null ? accounting.id() : "chatcmpl-caravan-" + Long.toHexString(System.nanoTime()));
        chunk.put("object", "chat.completion.chunk");
        chunk.put("created", accounting.created() > 0 ? accounting.created() : System.currentTimeMillis() / 1000);
        chunk.put("model", accounting.model());
        chunk.put("provider", provider);
        return chunk;
    }

    private ChunkFacts facts() {
        return new ChunkFacts(accounting.usage(), accounting.generatedText());
    }

    private void finish(boolean completed, boolean cancelled, String finishReason) {
        if (finished) {
            return;
        }
        finished = true;
        onEnd.accept(new Outcome(facts(), completed, cancelled, finishReason));
    }

    /**
     * Called by the HTTP layer when it is done with the body: after the end, or early when writing to
     * the client failed. Early means the client is gone: abort the upstream so that nobody pays for
     * tokens nobody reads (a plain close would drain the rest of the answer).
     */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        if (finished) {
            upstream.close();
            return;
        }
        if (upstream instanceof EofSensorInputStream sensor) {
            sensor.abort();
        } else {
            upstream.close();
        }
        finish(false, true, "cancelled");
    }

    private void writeWithProvider(String data) {
        byte[] bytes = data.getBytes(StandardCharsets.UTF_8);
        int brace = 0;
        while (brace < bytes.length && bytes[brace] != '{') {
            brace++;
        }
        write("data: ".getBytes(StandardCharsets.US_ASCII));
        write(bytes, 0, brace + 1);
        write(providerField, 0, providerField.length - (bytes.length > brace + 1 && bytes[brace + 1] == '}' ? 1 : 0));
        write(bytes, brace + 1, bytes.length - brace - 1);
        write("\n\n".getBytes(StandardCharsets.US_ASCII));
    }

    private void writeData(byte[] data) {
        write("data: ".getBytes(StandardCharsets.US_ASCII));
        write(data);
        write("\n\n".getBytes(StandardCharsets.US_ASCII));
    }

    private byte[] toBytes(JsonNode node) {
        try {
            return json.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private String quote(String text) {
        try {
            return json.writeValueAsString(text);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
