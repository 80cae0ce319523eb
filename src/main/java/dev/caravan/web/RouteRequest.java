package dev.caravan.web;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Enumeration;
import java.util.Map;

import dev.caravan.api.WholeBody;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import org.apache.camel.Exchange;
import org.apache.camel.StreamCache;

/**
 * The request as the routes' HTTP binding sees it. It has no parameters and no query string: the
 * binding would make each parameter a Camel header, so that {@code ?X-Request-Id=} or
 * {@code ?Authorization=} would pose as the headers of that name. A body the front has already read
 * is served from memory.
 */
final class RouteRequest extends HttpServletRequestWrapper {

    private final byte[] body;

    /** @param body the body as the front read it, or null to read it from the connection */
    RouteRequest(HttpServletRequest request, byte[] body) {
        super(request);
        this.body = body;
    }

    /** Whether the body was read by the front and is served from memory. */
    boolean bodyInMemory() {
        return body != null;
    }

    @Override
    public String getQueryString() {
        return null;
    }

    @Override
    public String getParameter(String name) {
        return null;
    }

    @Override
    public Map<String, String[]> getParameterMap() {
        return Map.of();
    }

    @Override
    public Enumeration<String> getParameterNames() {
        return Collections.emptyEnumeration();
    }

    @Override
    public String[] getParameterValues(String name) {
        return null;
    }

    @Override
    public int getContentLength() {
        return body == null ? super.getContentLength() : body.length;
    }

    @Override
    public long getContentLengthLong() {
        return body == null ? super.getContentLengthLong() : body.length;
    }

    @Override
    public ServletInputStream getInputStream() throws java.io.IOException {
        return body == null ? super.getInputStream() : new InMemory(body);
    }

    @Override
    public BufferedReader getReader() throws java.io.IOException {
        if (body == null) {
            return super.getReader();
        }
        String encoding = getCharacterEncoding();
        Charset charset = encoding == null ? StandardCharsets.UTF_8 : Charset.forName(encoding);
        return new BufferedReader(new InputStreamReader(new ByteArrayInputStream(body), charset));
    }

    /**
     * The body from memory, as the route's message body: a stream cache (re-readable, as Camel's own
     * copy of it was) over the front's array, and the array itself to the request parser
     * ({@link WholeBody}). The consumer tells the binding not to copy it into a cache of its own
     * ({@code PlatformHttpFront}).
     */
    static final class InMemory extends ServletInputStream implements StreamCache, WholeBody {
        private final byte[] body;
        private final ByteArrayInputStream bytes;

        InMemory(byte[] body) {
            this.body = body;
            this.bytes = new ByteArrayInputStream(body);
        }

        @Override
        public byte[] bytes() {
            return body;
        }

        @Override
        public int read() {
            return bytes.read();
        }

        @Override
        public int read(byte[] b, int off, int len) {
            return bytes.read(b, off, len);
        }

        @Override
        public int available() {
            return bytes.available();
        }

        @Override
        public boolean isFinished() {
            return bytes.available() == 0;
        }

        @Override
        public boolean isReady() {
            return true;
        }

        @Override
        public void setReadListener(ReadListener listener) {
            throw new IllegalStateException("The body was read before the route: read it blocking");
        }

        @Override
        public void reset() {
            bytes.reset();
        }

        @Override
        public void writeTo(OutputStream out) throws IOException {
            out.write(body, (int) position(), (int) (length() - position()));
        }

        @Override
        public StreamCache copy(Exchange exchange) {
            return new InMemory(body);
        }

        @Override
        public boolean inMemory() {
            return true;
        }

        @Override
        public long length() {
            return body.length;
        }

        @Override
        public long position() {
            return body.length - bytes.available();
        }
    }
}
