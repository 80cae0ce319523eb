package dev.caravan.ingress;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caravan.metering.SseEventReader;

/**
 * The metering tap's OpenAI chunk stream, re-encoded as another ingress protocol's events, event by
 * event as they arrive (nothing is batched). It wraps the tap and never replaces it: metering,
 * settlement and the end-of-stream usage record stay the tap's, whatever the client speaks. Closing
 * it closes the tap, which aborts the upstream when the client left early.
 */
public final class TranslatedStream extends InputStream {

    private static final byte[] EVENT = "event: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DATA = "\ndata: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] END_OF_EVENT = "\n\n".getBytes(StandardCharsets.US_ASCII);

    private final InputStream chunks;
    private final ChunkStreamTranslator translator;
    private final ObjectMapper json;
    private final SseEventReader events = new SseEventReader();
    private final byte[] readBuffer = new byte[8192];
    private final ChunkStreamTranslator.Events out = this::writeEvent;
    private byte[] pending = new byte[8192];
    private int pendingPos;
    private int pendingLen;
    private boolean started;
    private boolean ended;

    public TranslatedStream(InputStream chunks, ChunkStreamTranslator translator, ObjectMapper json) {
        this.chunks = chunks;
        this.translator = translator;
        this.json = json;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (pendingPos == pendingLen) {
            if (ended) {
                return -1;
            }
            pendingPos = 0;
            pendingLen = 0;
            pull();
        }
        int n = Math.min(len, pendingLen - pendingPos);
        System.arraycopy(pending, pendingPos, b, off, n);
        pendingPos += n;
        return n;
    }

    private void pull() throws IOException {
        if (!started) {
            started = true;
            translator.onStart(out);
            return;
        }
        int n = chunks.read(readBuffer);
        if (n < 0) {
            SseEventReader.Event last = events.remainder();
            if (last != null) {
                handle(last);
            }
            end();
            return;
        }
        events.append(readBuffer, n);
        for (SseEventReader.Event event = events.next(); event != null && !ended; event = events.next()) {
            handle(event);
        }
    }

    private void handle(SseEventReader.Event event) throws IOException {
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
        JsonNode chunk = json.readTree(event.data());
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

    private void write(byte[] bytes) {
        if (pendingLen + bytes.length > pending.length) {
            pending = Arrays.copyOf(pending, Math.max(pending.length * 2, pendingLen + bytes.length));
        }
        System.arraycopy(bytes, 0, pending, pendingLen, bytes.length);
        pendingLen += bytes.length;
    }

    /** The client is done, or gone: the tap decides what that means for the upstream and the bill. */
    @Override
    public void close() throws IOException {
        chunks.close();
    }
}
