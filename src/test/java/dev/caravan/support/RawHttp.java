package dev.caravan.support;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 written by hand on a socket, for what no well-behaved client does: a body that trickles
 * in, a Content-Length the body never reaches, a body sent while the answer already came. Every
 * request says {@code Connection: close}, so an answer ends when the server closes.
 */
public final class RawHttp implements Closeable {

    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;

    private RawHttp(Socket socket) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
        this.in = socket.getInputStream();
    }

    /** A connection to the gateway on loopback, from {@code sourceAddress} (any 127.x.y.z works on Linux). */
    public static RawHttp connect(int port, String sourceAddress) throws IOException {
        Socket socket = new Socket();
        socket.bind(new InetSocketAddress(InetAddress.getByName(sourceAddress), 0));
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        socket.setSoTimeout(30_000);
        return new RawHttp(socket);
    }

    public static RawHttp connect(int port) throws IOException {
        return connect(port, "127.0.0.1");
    }

    /** Sends the request line and headers; {@code headers} are complete lines without the line end. */
    public RawHttp head(String method, String path, String... headers) throws IOException {
        StringBuilder head = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\n")
                .append("Host: 127.0.0.1\r\nConnection: close\r\n");
        for (String header : headers) {
            head.append(header).append("\r\n");
        }
        out.write(head.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return this;
    }

    public RawHttp send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    public RawHttp send(String text) throws IOException {
        return send(text.getBytes(StandardCharsets.UTF_8));
    }

    /** One chunk of a chunked body; an empty one ends the body. */
    public RawHttp chunk(byte[] bytes) throws IOException {
        out.write((Integer.toHexString(bytes.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(bytes);
        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return this;
    }

    /**
     * Sends {@code body} one byte every {@code every} until it is all sent or the server stops reading
     * (it answered, or closed the connection). Returns how many bytes went out.
     */
    public int trickle(byte[] body, Duration every) {
        int sent = 0;
        try {
            for (byte b : body) {
                out.write(b);
                out.flush();
                sent++;
                Thread.sleep(every.toMillis());
            }
        } catch (IOException | InterruptedException stopped) {
            // the server answered and closed, or the test is over
        }
        return sent;
    }

    /**
     * The answer: read up to its Content-Length, else to the end (the server closes after it), or a
     * timeout within {@code limit}. A server refusing a body may go on reading (and dropping) the
     * rest of it, so an answer with a length is not waited on past its last byte.
     */
    public Response response(Duration limit) throws IOException {
        socket.setSoTimeout((int) limit.toMillis());
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        try {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                received.write(buffer, 0, n);
                if (complete(received)) {
                    break;
                }
            }
        } catch (SocketTimeoutException e) {
            if (received.size() == 0) {
                throw e;
            }
        } catch (IOException reset) {
            // a server that answers early and closes may reset what is still in flight
            if (received.size() == 0) {
                throw reset;
            }
        }
        return Response.parse(received.toString(StandardCharsets.UTF_8));
    }

    private static boolean complete(ByteArrayOutputStream received) {
        String raw = received.toString(StandardCharsets.ISO_8859_1);
        int end = raw.indexOf("\r\n\r\n");
        if (end < 0) {
            return false;
        }
        String length = Response.parse(raw.substring(0, end + 4)).headers().get("content-length");
        return length != null && raw.length() - end - 4 >= Integer.parseInt(length);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    /** A parsed answer: status, headers (lower case names) and the body as received (chunked or not). */
    public record Response(int status, Map<String, String> headers, String body) {

        static Response parse(String raw) {
            int end = raw.indexOf("\r\n\r\n");
            String head = end < 0 ? raw : raw.substring(0, end);
            String[] lines = head.split("\r\n");
            int status = Integer.parseInt(lines[0].split(" ")[1]);
            Map<String, String> headers = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                if (colon > 0) {
                    headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
                }
            }
            return new Response(status, headers, end < 0 ? "" : raw.substring(end + 4));
        }
    }
}
