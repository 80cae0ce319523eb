import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A fast fake OpenAI upstream for the benchmark: HTTP/1.1 with keep-alive, one virtual thread per
 * connection, no framework. It answers {@code POST .../chat/completions} with a complete JSON answer
 * or, when the request says {@code "stream": true}, with server-sent events. How it answers is read
 * from extra fields of the request body, which every target (direct, nginx, Caravan) passes through:
 * <ul>
 *   <li>{@code bench_delay_ms}: wait before the answer (non-stream) or before the first event;</li>
 *   <li>{@code bench_bytes}: length of the answer's text (non-stream);</li>
 *   <li>{@code bench_events}, {@code bench_interval_ms}, {@code bench_event_bytes}: a stream of that
 *       many content events, that far apart, each with that much text.</li>
 * </ul>
 * Every stream event carries {@code x_sent_us}, the wall clock in microseconds when it was written,
 * so the client can measure how long each event took to arrive and whether any was held back.
 *
 * <p>Usage: {@code java FakeUpstream.java [--port N] [--port-file F]} (port 0 picks a free one).
 */
public final class FakeUpstream {

    private static final Pattern STREAM = Pattern.compile("\"stream\"\\s*:\\s*true");
    private static final Pattern INCLUDE_USAGE = Pattern.compile("\"include_usage\"\\s*:\\s*true");
    private static final Pattern MODEL = Pattern.compile("\"model\"\\s*:\\s*\"([^\"]{1,100})\"");
    private static final AtomicLong SEQUENCE = new AtomicLong();

    record Options(long delayMs, int bytes, int events, long intervalMs, int eventBytes) {
        static Options of(String body) {
            return new Options(number(body, "bench_delay_ms", 0), (int) number(body, "bench_bytes", 400),
                    (int) number(body, "bench_events", 10), number(body, "bench_interval_ms", 10),
                    (int) number(body, "bench_event_bytes", 8));
        }

        private static final java.util.Map<String, Pattern> FIELDS = new java.util.concurrent.ConcurrentHashMap<>();

        private static long number(String body, String field, long fallback) {
            if (!body.contains(field)) {
                return fallback;
            }
            Matcher m = FIELDS.computeIfAbsent(field, f -> Pattern.compile("\"" + f + "\"\\s*:\\s*(\\d{1,9})")).matcher(body);
            return m.find() ? Long.parseLong(m.group(1)) : fallback;
        }
    }

    public static void main(String[] args) throws Exception {
        int port = 0;
        Path portFile = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(args[++i]);
                case "--port-file" -> portFile = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        ServerSocket server = new ServerSocket(port, 4096, InetAddress.getLoopbackAddress());
        if (portFile != null) {
            Files.writeString(portFile, String.valueOf(server.getLocalPort()));
        }
        System.out.println("fake upstream listening on 127.0.0.1:" + server.getLocalPort());
        while (true) {
            Socket socket = server.accept();
            Thread.ofVirtual().start(() -> serve(socket));
        }
    }

    private static void serve(Socket socket) {
        try (socket) {
            socket.setTcpNoDelay(true);
            Input in = new Input(socket.getInputStream());
            OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 16 * 1024);
            while (true) {
                Request request = Request.read(in);
                if (request == null) {
                    return;
                }
                respond(request, out);
                if (request.close) {
                    return;
                }
            }
        } catch (IOException | RuntimeException e) {
            // the peer went away (a benchmark client stopping mid-request): nothing to do
        }
    }

    private static void respond(Request request, OutputStream out) throws IOException {
        if (request.method.equals("GET") && request.path.equals("/health")) {
            write(out, 200, "text/plain", "ok".getBytes(StandardCharsets.US_ASCII));
            return;
        }
        if (!request.method.equals("POST") || !request.path.endsWith("/chat/completions")) {
            write(out, 404, "application/json",
                    "{\"error\":{\"message\":\"not found\",\"type\":\"invalid_request_error\"}}".getBytes(StandardCharsets.US_ASCII));
            return;
        }
        String body = new String(request.body, StandardCharsets.UTF_8);
        Options options = Options.of(body);
        Matcher model = MODEL.matcher(body);
        String modelName = model.find() ? model.group(1) : "bench";
        if (STREAM.matcher(body).find()) {
            stream(out, options, modelName, INCLUDE_USAGE.matcher(body).find());
        } else {
            sleep(options.delayMs);
            write(out, 200, "application/json", completion(modelName, options.bytes).getBytes(StandardCharsets.UTF_8));
        }
    }

    private static String completion(String model, int bytes) {
        return "{\"id\":\"chatcmpl-bench" + SEQUENCE.incrementAndGet() + "\",\"object\":\"chat.completion\",\"created\":"
                + Instant.now().getEpochSecond() + ",\"model\":\"" + model + "\",\"choices\":[{\"index\":0,"
                + "\"message\":{\"role\":\"assistant\",\"content\":\"" + text(bytes) + "\"},\"finish_reason\":\"stop\"}],"
                + "\"usage\":{\"prompt_tokens\":24,\"completion_tokens\":" + Math.max(1, bytes / 4)
                + ",\"total_tokens\":" + (24 + Math.max(1, bytes / 4)) + "}}";
    }

    private static void stream(OutputStream out, Options options, String model, boolean includeUsage) throws IOException {
        out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        String id = "chatcmpl-bench" + SEQUENCE.incrementAndGet();
        long created = Instant.now().getEpochSecond();
        String prefix = "{\"id\":\"" + id + "\",\"object\":\"chat.completion.chunk\",\"created\":" + created
                + ",\"model\":\"" + model + "\",\"x_sent_us\":";
        String text = text(options.eventBytes);
        long start = System.nanoTime();
        for (int i = 0; i < options.events; i++) {
            sleepUntil(start + (options.delayMs + i * options.intervalMs) * 1_000_000L);
            String delta = i == 0 ? "{\"role\":\"assistant\",\"content\":\"" + text + "\"}" : "{\"content\":\"" + text + "\"}";
            String finish = i == options.events - 1 ? "\"stop\"" : "null";
            chunk(out, "data: " + prefix + nowMicros() + ",\"choices\":[{\"index\":0,\"delta\":" + delta
                    + ",\"finish_reason\":" + finish + "}]}\n\n");
        }
        if (includeUsage) {
            chunk(out, "data: " + prefix + nowMicros() + ",\"choices\":[],\"usage\":{\"prompt_tokens\":24,"
                    + "\"completion_tokens\":" + options.events + ",\"total_tokens\":" + (24 + options.events) + "}}\n\n");
        }
        chunk(out, "data: [DONE]\n\n");
        out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private static void chunk(OutputStream out, String data) throws IOException {
        byte[] bytes = data.getBytes(StandardCharsets.UTF_8);
        out.write((Integer.toHexString(bytes.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(bytes);
        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private static void write(OutputStream out, int status, String type, byte[] body) throws IOException {
        out.write(("HTTP/1.1 " + status + (status == 200 ? " OK" : " Not Found") + "\r\nContent-Type: " + type
                + "\r\nContent-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
    }

    private static String text(int bytes) {
        StringBuilder text = new StringBuilder(bytes);
        String words = "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor ";
        while (text.length() < bytes) {
            text.append(words, 0, Math.min(words.length(), bytes - text.length()));
        }
        return text.toString();
    }

    private static long nowMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }

    private static void sleep(long millis) {
        if (millis > 0) {
            sleepUntil(System.nanoTime() + millis * 1_000_000L);
        }
    }

    private static void sleepUntil(long deadlineNanos) {
        long left;
        while ((left = deadlineNanos - System.nanoTime()) > 0) {
            try {
                Thread.sleep(left / 1_000_000L, (int) (left % 1_000_000L));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** One HTTP/1.1 request: method, path, body (Content-Length or chunked), and whether to close after. */
    record Request(String method, String path, byte[] body, boolean close) {

        static Request read(Input in) throws IOException {
            String line = line(in);
            if (line == null) {
                return null;
            }
            while (line.isEmpty()) { // tolerate a stray CRLF between requests
                line = line(in);
                if (line == null) {
                    return null;
                }
            }
            String[] parts = line.split(" ");
            if (parts.length < 3) {
                throw new IOException("bad request line");
            }
            int length = 0;
            boolean chunked = false;
            boolean close = parts[2].equals("HTTP/1.0");
            for (String header = line(in); header != null && !header.isEmpty(); header = line(in)) {
                int colon = header.indexOf(':');
                if (colon < 0) {
                    continue;
                }
                String name = header.substring(0, colon).trim();
                String value = header.substring(colon + 1).trim();
                if (name.equalsIgnoreCase("Content-Length")) {
                    length = Integer.parseInt(value);
                } else if (name.equalsIgnoreCase("Transfer-Encoding") && value.equalsIgnoreCase("chunked")) {
                    chunked = true;
                } else if (name.equalsIgnoreCase("Connection")) {
                    close = value.equalsIgnoreCase("close");
                }
            }
            byte[] body = chunked ? readChunked(in) : in.readNBytes(length);
            return new Request(parts[0], parts[1], body, close);
        }

        private static byte[] readChunked(Input in) throws IOException {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            while (true) {
                String size = line(in);
                if (size == null) {
                    throw new IOException("truncated chunked body");
                }
                int semicolon = size.indexOf(';');
                int n = Integer.parseInt((semicolon < 0 ? size : size.substring(0, semicolon)).trim(), 16);
                if (n == 0) {
                    for (String trailer = line(in); trailer != null && !trailer.isEmpty(); trailer = line(in)) {
                        // trailers are ignored
                    }
                    return body.toByteArray();
                }
                body.write(in.readNBytes(n));
                line(in);
            }
        }

        private static String line(Input in) throws IOException {
            StringBuilder line = new StringBuilder(64);
            int c;
            while ((c = in.read()) != -1) {
                if (c == '\n') {
                    int end = line.length();
                    return end > 0 && line.charAt(end - 1) == '\r' ? line.substring(0, end - 1) : line.toString();
                }
                line.append((char) c);
            }
            return line.isEmpty() ? null : line.toString();
        }
    }

    /** A plain, unsynchronised read buffer over a socket (BufferedInputStream locks on every byte). */
    static final class Input {
        private final InputStream in;
        private final byte[] buffer = new byte[16 * 1024];
        private int pos;
        private int limit;

        Input(InputStream in) {
            this.in = in;
        }

        int read() throws IOException {
            if (pos == limit) {
                limit = in.read(buffer, 0, buffer.length);
                pos = 0;
                if (limit <= 0) {
                    limit = 0;
                    return -1;
                }
            }
            return buffer[pos++] & 0xff;
        }

        byte[] readNBytes(int n) throws IOException {
            byte[] bytes = new byte[n];
            int copied = Math.min(n, limit - pos);
            System.arraycopy(buffer, pos, bytes, 0, copied);
            pos += copied;
            while (copied < n) {
                int r = in.read(bytes, copied, n - copied);
                if (r < 0) {
                    throw new IOException("truncated body");
                }
                copied += r;
            }
            return bytes;
        }
    }
}
