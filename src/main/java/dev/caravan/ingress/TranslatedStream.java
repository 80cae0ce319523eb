package dev.caravan.ingress;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caravan.metering.PullingStream;
import dev.caravan.metering.SseEventReader;

/**
 * The metering tap's OpenAI chunk stream, re-encoded as another ingress protocol's events, event by
 * event as they arrive (nothing is batched). It wraps the tap and never replaces it: metering,
 * settlement and the end-of-stream usage record stay the tap's, whatever the client speaks. Closing
 * it closes the tap, which aborts the upstream when the client left early.
 */
public final class TranslatedStream extends PullingStream {

    private static final byte[] EVENT = "event: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DATA = "\ndata: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] END_OF_EVENT = "\n\n".getBytes(StandardCharsets.US_ASCII);

    private final InputStream chunks;
    private final ChunkStreamTranslator translator;
    private final ObjectMapper json;
    private final SseEventReader events = new SseEventReader();
    private final ChunkStreamTranslator.Events out = this::writeEvent;
    private boolean started;
    private boolean ended;

    public TranslatedStream(InputStream chunks, ChunkStreamTranslator translator, ObjectMapper json) {
        this.chunks = chunks;
        this.translator = translator;
        this.json = json;
    }

    @Override
    protected boolean exhausted() {
        return ended;
    }

    @Override
    protected void pull() throws IOException {
        if (!started) {
            started = true;
            translator.onStart(out);
            return;
        }
        int n = events.readFrom(chunks);
        if (n < 0) {
            SseEventReader.Event last = events.remainder();
            if (last != null) {
                handle(last);
            }
            end();
            return;
        }
        for (SseEventReader.Event event = events.next(); event != null && !ended; event = events.next()) {
            handle(event);
        }
    }

    private void handle(SseEventReader.Event event) {
        if (event.data() == null) {
            if (event.raw().startsWith(":")) {
                // keep-alive comments pass on: proxies between here and the client see traffic
                write(event.raw().getBytes(StandardCharsets.UTF_8));
                write(END_OF_EVENT);
            }
            return;
        }
        if ("[DONE]".equals(event.data().trim())) {
            end();
            return;
        }
        JsonNode chunk;
        try {
            chunk = json.readTree(event.data());
        } catch (JsonProcessingException notJson) {
            return; // the tap passes on what it cannot read; another protocol has no place for it
        }
        if (chunk instanceof ObjectNode object) {
            translator.onChunk(object, out);
        }
    }

    private void end() {
        if (!ended) {
            ended = true;
            translator.onEnd(out);
        }
    }

    private void writeEvent(String name, ObjectNode data) {
        try {
            write(EVENT);
            write(name.getBytes(StandardCharsets.UTF_8));
            write(DATA);
            write(json.writeValueAsBytes(data));
            write(END_OF_EVENT);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The client is done, or gone: the tap decides what that means for the upstream and the bill. */
    @Override
    public void close() throws IOException {
        chunks.close();
    }
}
