package dev.caravan.metering;

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

    private byte[] buffer = new byte[8192];
    private int length;
    private int scanFrom;

    public void append(byte[] bytes, int count) {
        if (length + count > buffer.length) {
            buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, length + count));
        }
        System.arraycopy(bytes, 0, buffer, length, count);
        length += count;
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
