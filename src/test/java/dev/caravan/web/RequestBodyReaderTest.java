package dev.caravan.web;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;

import dev.caravan.api.GatewayException;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What reading a body costs before its bytes arrive. The request is Spring's servlet request double
 * (the reader under test is real); the heap allocated is the JVM's own count for this thread.
 */
class RequestBodyReaderTest {

    private static final int MAX = 8 * 1024 * 1024;
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** A request whose headers declare {@code declared} bytes and whose body is {@code sent}. */
    private static MockHttpServletRequest declaring(long declared, byte[] sent) {
        MockHttpServletRequest request = new MockHttpServletRequest("POST", "/v1/chat/completions") {
            @Override
            public long getContentLengthLong() {
                return declared;
            }
        };
        request.setContent(sent);
        return request;
    }

    @Test
    void aDeclaredLengthReservesNoMoreThanWhatArrives() {
        byte[] tenBytes = "{\"a\":true}".getBytes(StandardCharsets.US_ASCII);
        MockHttpServletRequest request = declaring(MAX, tenBytes);

        long before = THREADS.getCurrentThreadAllocatedBytes();
        byte[] body = RequestBodyReader.read(request, MAX, 0);
        long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;

        assertThat(body).isEqualTo(tenBytes);
        // before: the whole declared 8 MB at once, whatever arrived
        assertThat(allocated).isLessThan(512 * 1024);
    }

    @Test
    void aLargeBodyIsReadWholeThroughTheGrowingBuffer() {
        byte[] big = new byte[3 * 1024 * 1024 + 17];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) ('a' + i % 26);
        }
        assertThat(RequestBodyReader.read(declaring(big.length, big), MAX, 0)).isEqualTo(big);
        assertThat(RequestBodyReader.read(declaring(-1, big), MAX, 0)).isEqualTo(big);
        assertThat(RequestBodyReader.read(declaring(0, new byte[0]), MAX, 0)).isEmpty();
    }

    @Test
    void moreThanTheLimitIsRefusedDeclaredOrNot() {
        byte[] tooBig = new byte[MAX + 1];
        assertThatThrownBy(() -> RequestBodyReader.read(declaring(tooBig.length, tooBig), MAX, 0))
                .isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.status()).isEqualTo(413));
        assertThatThrownBy(() -> RequestBodyReader.read(declaring(-1, tooBig), MAX, 0))
                .isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.status()).isEqualTo(413));
    }
}
