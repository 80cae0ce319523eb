package dev.caravan.web;

import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.util.Arrays;

import dev.caravan.api.GatewayException;
import jakarta.servlet.http.HttpServletRequest;

/**
 * Reads a request's whole body before the request may take a place in flight, so that a client that
 * sends slowly costs a connection, not a place another tenant waits for.
 *
 * <p>The deadline is checked before every read. A read that blocks waits for the client at most
 * Tomcat's {@code server.tomcat.connection-timeout}, so a body that stops arriving can overrun the
 * deadline by up to that much; one that trickles is cut at the first read after the deadline.
 */
final class RequestBodyReader {

    private static final int FIRST_BUFFER = 8192;
    /**
     * The most allocated for a declared length before its bytes arrive: a client's headers alone must
     * not reserve up to {@code maxBytes} of heap per connection (a few hundred connections declaring
     * 8 MB each would fill a 1 GB heap while sending nothing). Beyond it the buffer grows as bytes come.
     */
    private static final int FIRST_DECLARED_BUFFER = 65536;

    private RequestBodyReader() {
    }

    /**
     * @param timeoutNanos the longest the whole body may take to arrive; 0: no limit
     * @throws GatewayException 413 when the body is, or is declared, larger than {@code maxBytes} (at
     *                          once, without reading it); 408 when it has not arrived in time; 400
     *                          when the connection broke
     */
    static byte[] read(HttpServletRequest request, int maxBytes, long timeoutNanos) {
        long declared = request.getContentLengthLong();
        if (declared > maxBytes) {
            throw GatewayException.tooLarge(maxBytes);
        }
        long deadline = System.nanoTime() + timeoutNanos;
        // never more than the declared length, nor more than maxBytes + 1 (enough to see it exceeded)
        int limit = declared >= 0 ? (int) declared : (int) Math.min(Integer.MAX_VALUE, maxBytes + 1L);
        byte[] buffer = new byte[Math.min(limit, declared >= 0 ? FIRST_DECLARED_BUFFER : FIRST_BUFFER)];
        int length = 0;
        try {
            InputStream in = request.getInputStream();
            while (length != declared) {
                if (timeoutNanos > 0 && System.nanoTime() - deadline > 0) {
                    throw timedOut(timeoutNanos);
                }
                if (length == buffer.length) {
                    // below limit here: a declared length read whole ended the loop, and more than maxBytes threw
                    // a declared length grows fourfold: two copies for a megabyte, at most four times what arrived
                    buffer = Arrays.copyOf(buffer, (int) Math.min((long) buffer.length * (declared >= 0 ? 4 : 2), limit));
                }
                int read = in.read(buffer, length, buffer.length - length);
                if (read < 0) {
                    break;
                }
                length += read;
                if (length > maxBytes) {
                    throw GatewayException.tooLarge(maxBytes);
                }
            }
        } catch (SocketTimeoutException silent) {
            throw timedOut(timeoutNanos);
        } catch (IOException broken) {
            throw GatewayException.invalidRequest(null, "The request body could not be read.");
        }
        return length == buffer.length ? buffer : Arrays.copyOf(buffer, length);
    }

    private static GatewayException timedOut(long timeoutNanos) {
        return new GatewayException(408, "invalid_request_error", "request_timeout", null,
                "The request body did not arrive within " + (timeoutNanos / 1_000_000) + " ms"
                        + " (caravan.http.body-read-timeout).", null);
    }
}
