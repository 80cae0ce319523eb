package dev.caravan.metering;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Server-sent events are cut out of the byte stream wherever the network happens to split it. */
class SseEventReaderTest {

    private final SseEventReader reader = new SseEventReader();

    @Test
    void splitsEventsAtBlankLines() {
        List<SseEventReader.Event> events = feedWhole("data: {\"a\":1}\n\ndata: {\"b\":2}\n\n");

        assertThat(events).extracting(SseEventReader.Event::data).containsExactly("{\"a\":1}", "{\"b\":2}");
        assertThat(reader.remainder()).isNull();
    }

    @Test
    void reassemblesEventsFedOneByteAtATime() {
        String transcript = "data: {\"content\":\"héllo € 👋\"}\n\nevent: ping\ndata: 2\n\ndata: [DONE]\n\n";

        List<SseEventReader.Event> events = feedByteByByte(transcript);

        assertThat(events).extracting(SseEventReader.Event::data)
                .containsExactly("{\"content\":\"héllo € 👋\"}", "2", "[DONE]");
        assertThat(events.get(1).name()).isEqualTo("ping");
    }

    @Test
    void givesTheSameEventsWhateverTheSplitPoint() {
        String transcript = "data: one\r\n\r\n: keep-alive\n\ndata: two\ndata: lines\n\nevent: end\ndata: three\r\n\r\n";
        byte[] bytes = transcript.getBytes(StandardCharsets.UTF_8);

        for (int split = 0; split <= bytes.length; split++) {
            SseEventReader fresh = new SseEventReader();
            List<SseEventReader.Event> events = new ArrayList<>();
            append(fresh, bytes, 0, split, events);
            append(fresh, bytes, split, bytes.length, events);

            assertThat(events).as("split at byte %d", split).extracting(SseEventReader.Event::data)
                    .containsExactly("one", null, "two\nlines", "three");
        }
    }

    @Test
    void acceptsCrLfSeparators() {
        List<SseEventReader.Event> events = feedByteByByte("event: delta\r\ndata: {\"x\":1}\r\n\r\ndata: [DONE]\r\n\r\n");

        assertThat(events).hasSize(2);
        assertThat(events.get(0).name()).isEqualTo("delta");
        assertThat(events.get(0).data()).isEqualTo("{\"x\":1}");
        assertThat(events.get(1).data()).isEqualTo("[DONE]");
    }

    @Test
    void joinsMultiLineDataWithNewlines() {
        List<SseEventReader.Event> events = feedByteByByte("data: first\ndata: second\ndata:third\n\n");

        assertThat(events).singleElement().extracting(SseEventReader.Event::data).isEqualTo("first\nsecond\nthird");
    }

    @Test
    void stripsOnlyTheFirstSpaceAfterTheColon() {
        List<SseEventReader.Event> events = feedWhole("data:  indented\n\n");

        assertThat(events).singleElement().extracting(SseEventReader.Event::data).isEqualTo(" indented");
    }

    @Test
    void passesCommentsOnAsEventsWithoutData() {
        List<SseEventReader.Event> events = feedByteByByte(": OPENROUTER PROCESSING\n\ndata: x\n\n");

        assertThat(events).hasSize(2);
        assertThat(events.get(0).data()).isNull();
        assertThat(events.get(0).name()).isNull();
        assertThat(events.get(0).raw()).isEqualTo(": OPENROUTER PROCESSING");
        assertThat(events.get(1).data()).isEqualTo("x");
    }

    @Test
    void ignoresIdAndRetryFields() {
        List<SseEventReader.Event> events = feedWhole("id: 42\nretry: 1000\ndata: payload\n\n");

        assertThat(events).singleElement().extracting(SseEventReader.Event::data).isEqualTo("payload");
    }

    @Test
    void holdsAPartialEventUntilItsBlankLineArrives() {
        assertThat(feedWhole("data: {\"partial\":")).isEmpty();
        assertThat(feedWhole("true}\n")).isEmpty();

        assertThat(feedWhole("\n")).singleElement().extracting(SseEventReader.Event::data).isEqualTo("{\"partial\":true}");
    }

    @Test
    void returnsTheLastEventWithoutItsTrailingBlankLineAsTheRemainder() {
        List<SseEventReader.Event> events = feedByteByByte("data: complete\n\ndata: {\"last\":true}");

        assertThat(events).extracting(SseEventReader.Event::data).containsExactly("complete");
        SseEventReader.Event last = reader.remainder();
        assertThat(last).isNotNull();
        assertThat(last.data()).isEqualTo("{\"last\":true}");
        assertThat(reader.remainder()).as("the remainder is handed out once").isNull();
    }

    @Test
    void returnsARemainderEndingInASingleLineBreak() {
        feedWhole("data: [DONE]\r\n");

        assertThat(reader.remainder()).extracting(SseEventReader.Event::data).isEqualTo("[DONE]");
    }

    @Test
    void hasNoRemainderWhenOnlyWhitespaceIsLeft() {
        feedWhole("data: x\n\n\n");

        assertThat(reader.remainder()).isNull();
    }

    @Test
    void handlesEventsLargerThanItsInitialBuffer() {
        String big = "x".repeat(50_000);

        List<SseEventReader.Event> events = feedByteByByte("data: " + big + "\n\ndata: after\n\n");

        assertThat(events).extracting(SseEventReader.Event::data).containsExactly(big, "after");
    }

    @Test
    void readsStraightFromAStreamWhateverItsReadsReturnAndEventsLongerThanItsBuffer() throws Exception {
        String longData = "x".repeat(50_000);
        String transcript = "data: short\n\ndata: " + longData + "\n\ndata: é€👋\n\ndata: [DONE]\n\n";
        byte[] bytes = transcript.getBytes(StandardCharsets.UTF_8);
        // a stream whose reads return at most 7 bytes, as a network may split them
        InputStream trickle = new java.io.ByteArrayInputStream(bytes) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, 7));
            }
        };
        InputStream whole = new java.io.ByteArrayInputStream(bytes);

        for (InputStream in : List.of(trickle, whole)) {
            SseEventReader fresh = new SseEventReader();
            List<String> data = new ArrayList<>();
            while (fresh.readFrom(in) >= 0) {
                for (SseEventReader.Event event = fresh.next(); event != null; event = fresh.next()) {
                    data.add(event.data());
                }
            }
            assertThat(data).containsExactly("short", longData, "é€👋", "[DONE]");
            assertThat(fresh.remainder()).isNull();
        }
    }

    @Test
    void anUpstreamThatNeverEndsAnEventIsStoppedAtTheBound() {
        SseEventReader fresh = new SseEventReader();
        // endless "data: xxxx..." without a blank line
        InputStream endless = new InputStream() {
            @Override
            public int read() {
                return 'x';
            }

            @Override
            public int read(byte[] b, int off, int len) {
                Arrays.fill(b, off, off + len, (byte) 'x');
                return len;
            }
        };
        long read = 0;
        try {
            while (true) {
                read += fresh.readFrom(endless);
                assertThat(fresh.next()).isNull();
            }
        } catch (java.io.IOException stopped) {
            assertThat(stopped).hasMessageContaining("longer than");
        }
        assertThat(read).isEqualTo(SseEventReader.MAX_EVENT_BYTES);
    }

    private List<SseEventReader.Event> feedWhole(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        List<SseEventReader.Event> events = new ArrayList<>();
        append(reader, bytes, 0, bytes.length, events);
        return events;
    }

    private List<SseEventReader.Event> feedByteByByte(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        List<SseEventReader.Event> events = new ArrayList<>();
        for (int i = 0; i < bytes.length; i++) {
            append(reader, bytes, i, i + 1, events);
        }
        return events;
    }

    /** Bytes {@code from}..{@code to} arriving as one read, and the events they complete. */
    private static void append(SseEventReader target, byte[] bytes, int from, int to, List<SseEventReader.Event> events) {
        try {
            target.readFrom(new java.io.ByteArrayInputStream(bytes, from, to - from));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        for (SseEventReader.Event event = target.next(); event != null; event = target.next()) {
            events.add(event);
        }
    }
}
