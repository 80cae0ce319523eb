package dev.caravan.metering;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Splits a byte stream into server-sent events as bytes arrive. Events end at a blank line
 * ({@code \n\n} or {@code \r\n\r\n}); a partial event stays buffered until the rest arrives.
 */
public final class SseEventReader {

    /** One parsed event: its {@code event:} name (or null), joined {@code data:} lines (or null), and raw text. */
    public record Event(String name, String data, String raw) {
    }

    /** Small: a held stream keeps it, and chat events are tens to hundreds of bytes; it grows for longer ones. */
    private static final int FIRST_SIZE = 2048;
    /** Room a read is given at least; less free than this and the buffer doubles. */
    private static final int MIN_READ = 512;
    /**
     * The longest event taken from an upstream: one that sends no blank line would otherwise grow the
     * buffer until the heap is gone. Far above any chat event (a whole answer is one event when not
     * streamed, and those are not read here).
     */
    static final int MAX_EVENT_BYTES = 16 * 1024 * 1024;
    /** A buffer grown past this goes back to its first size once what it holds fits again. */
    private static final int KEEP_AT_MOST = 65536;

    private byte[] buffer = new byte[FIRST_SIZE];
    private int length;
    private int scanFrom;

    /**
     * One read from {@code in} straight into the buffer (no buffer of the caller's in between).
     *
     * @return the bytes read, or -1 at the end of {@code in}
     */
    public int readFrom(InputStream in) throws IOException {
        if (buffer.length - length < MIN_READ) {
            if (buffer.length >= MAX_EVENT_BYTES) {
                throw new IOException("An upstream event is longer than " + MAX_EVENT_BYTES + " bytes.");
            }
            buffer = Arrays.copyOf(buffer, Math.min(buffer.length * 2, MAX_EVENT_BYTES));
        }
        int n = in.read(buffer, length, buffer.length - length);
        if (n > 0) {
            length += n;
        }
        return n;
    }

    /** The next complete event, or null when more bytes are needed. */
    public Event next() {
        for (int i = scanFrom; i < length; i++) {
            if (buffer[i] != '\n') {
                continue;
            }
            int end = blankLineEnd(i);
            if (end < 0) {
                continue;
            }
            Event event = parse(new String(buffer, 0, i, StandardCharsets.UTF_8));
            System.arraycopy(buffer, end, buffer, 0, length - end);
            length -= end;
            scanFrom = 0;
            if (buffer.length > KEEP_AT_MOST && length <= FIRST_SIZE) {
                buffer = Arrays.copyOf(buffer, FIRST_SIZE);
            }
            return event;
        }
        scanFrom = Math.max(0, length - 2);
        return null;
    }

    /** Whatever is left after the upstream closed: a last event without its blank line, or null. */
    public Event remainder() {
        String rest = new String(buffer, 0, length, StandardCharsets.UTF_8);
        length = 0;
        scanFrom = 0;
        return rest.isBlank() ? null : parse(rest);
    }

    /** If a line break at {@code i} is followed by an empty line, the index just past it; else -1. */
    private int blankLineEnd(int i) {
        int j = i + 1;
        if (j < length && buffer[j] == '\r') {
            j++;
        }
        return j < length && buffer[j] == '\n' ? j + 1 : -1;
    }

    private static Event parse(String raw) {
        String name = null;
        StringBuilder data = null;
        for (String line : raw.split("\n", -1)) {
            if (line.endsWith("\r")) {
                line = line.substring(0, line.length() - 1);
            }
            if (line.startsWith("data:")) {
                String value = line.substring(line.startsWith("data: ") ? 6 : 5);
                data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
            } else if (line.startsWith("event:")) {
                name = line.substring(6).trim();
            }
        }
        return new Event(name, data == null ? null : data.toString(), raw);
    }
}
