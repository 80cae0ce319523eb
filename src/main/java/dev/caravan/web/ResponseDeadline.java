package dev.caravan.web;

import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;

/**
 * A response that can no longer be written once its deadline has passed. A response not yet begun
 * is answered 503 instead, as Spring MVC answers an async request that timed out; a stream already
 * under way fails its next write as if the client had gone, and the route ends it the way it ends one
 * whose client left (what was delivered is charged). A stream whose upstream falls silent is not
 * written to either; the provider's {@code response-timeout} bounds that silence.
 */
final class ResponseDeadline extends HttpServletResponseWrapper {

    private final long deadlineNanos;
    private ServletOutputStream out;
    private boolean expired;

    private ResponseDeadline(HttpServletResponse response, long deadlineNanos) {
        super(response);
        this.deadlineNanos = deadlineNanos;
    }

    /** @return nanoseconds of the limit, or 0 for none: 0 or less, or beyond what a long holds */
    static long nanosOf(Duration limit) {
        if (limit.isNegative() || limit.isZero()) {
            return 0;
        }
        try {
            return limit.toNanos();
        } catch (ArithmeticException beyondLong) {
            return 0;
        }
    }

    /** @param maxNanos the longest the response may take from now; 0: no limit, the response as it is */
    static HttpServletResponse within(HttpServletResponse response, long maxNanos) {
        return maxNanos > 0 ? new ResponseDeadline(response, System.nanoTime() + maxNanos) : response;
    }

    @Override
    public ServletOutputStream getOutputStream() throws IOException {
        if (out == null) {
            out = new Guarded(super.getOutputStream());
        }
        return out;
    }

    @Override
    public PrintWriter getWriter() throws IOException {
        // the binding writes a whole text body through the writer at once: checked when it is taken
        check();
        return super.getWriter();
    }

    @Override
    public void flushBuffer() throws IOException {
        check();
        super.flushBuffer();
    }

    private void check() throws IOException {
        if (!expired && System.nanoTime() - deadlineNanos < 0) {
            return;
        }
        if (!expired) {
            expired = true;
            if (!isCommitted()) {
                sendError(SC_SERVICE_UNAVAILABLE);
            }
        }
        throw new IOException("The response passed its time limit (spring.mvc.async.request-timeout) and was cut");
    }

    private final class Guarded extends ServletOutputStream {
        private final ServletOutputStream delegate;

        Guarded(ServletOutputStream delegate) {
            this.delegate = delegate;
        }

        @Override
        public void write(int b) throws IOException {
            check();
            delegate.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            check();
            delegate.write(b, off, len);
        }

        @Override
        public void flush() throws IOException {
            check();
            delegate.flush();
        }

        @Override
        public void close() throws IOException {
            // after the cut the error page, or the container, ends the response: closing here would end
            // an unanswered one as an empty 200
            if (!expired) {
                delegate.close();
            }
        }

        @Override
        public boolean isReady() {
            return delegate.isReady();
        }

        @Override
        public void setWriteListener(WriteListener listener) {
            delegate.setWriteListener(listener);
        }
    }
}
