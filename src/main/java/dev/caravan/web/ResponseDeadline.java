package dev.caravan.web;

import java.io.IOException;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;

/**
 * A response that can no longer be written once its deadline has passed: the write fails as if the
 * client had gone, and the route ends the stream the way it ends one whose client left (what was
 * delivered is charged). A stream whose upstream falls silent is not written to either; the
 * provider's {@code response-timeout} bounds that silence.
 */
final class ResponseDeadline extends HttpServletResponseWrapper {

    private final long deadlineNanos;
    private ServletOutputStream out;

    ResponseDeadline(HttpServletResponse response, long deadlineNanos) {
        super(response);
        this.deadlineNanos = deadlineNanos;
    }

    @Override
    public ServletOutputStream getOutputStream() throws IOException {
        if (out == null) {
            out = new Guarded(super.getOutputStream());
        }
        return out;
    }

    private void check() throws IOException {
        if (System.nanoTime() - deadlineNanos >= 0) {
            throw new IOException("The response passed its time limit (spring.mvc.async.request-timeout) and was cut");
        }
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
            delegate.close();
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
