import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The benchmark's own load generator, for what wrk cannot do. A minimal HTTP/1.1 client over plain
 * sockets (keep-alive, Content-Length and chunked bodies), so the client costs little CPU and times
 * every byte. Prints one flat JSON object with the results.
 * <pre>
 *   open   --rate R --duration S [--warmup S] [--connections C]   fixed-rate (open-loop) requests;
 *          latency counts from each request's scheduled time, so queueing is not hidden
 *   closed --concurrency C --duration S [--warmup S]              C connections, each back to back;
 *          [--requests N --warmup-requests W]: stop after N measured requests, the first W not measured
 *   stream --requests N [--concurrency C]                         time to first event and the delay of
 *          every event (the fake upstream stamps each with x_sent_us); events held back are counted
 *   hold   --streams N --ramp S --events E                        N streams open at once, each read to
 *          the end and checked: all events, [DONE], no error chunk
 *   rounds --kind closed|open|stream --rounds R --target NAME=URL... [--pids NAME=PID,PID...] [--gap S]
 *          the targets take turns: R rounds, in each every target gets one closed or open run of
 *          --duration seconds (after its --warmup), or one stream run of --requests streams, then
 *          --gap seconds of quiet. One JSON line per target, its timings and counts summed over the
 *          rounds, and the CPU its --pids used during its turns (gaps included, so work a proxy
 *          finishes after the load counts). Taking turns spreads a change in the machine's speed
 *          over all targets alike, so their ratios hold.
 * common: --url URL --body FILE [--header 'Name: value']... [--label TEXT] [--timeout S]
 * </pre>
 * Every run is bounded in time: --duration (plus a bounded drain) or --timeout.
 */
public final class Load {

    public static void main(String[] args) throws Exception {
        Args a = new Args(args);
        if (a.mode.equals("rounds")) {
            rounds(a).forEach(line -> System.out.println(json(line)));
            System.exit(0);
        }
        Map<String, Object> result = switch (a.mode) {
            case "open" -> open(a, new Recorder());
            case "closed" -> closed(a, new Recorder());
            case "stream" -> stream(a, new Recorder(), new Recorder());
            case "hold" -> hold(a);
            default -> throw new IllegalArgumentException("unknown mode " + a.mode);
        };
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("mode", a.mode);
        if (a.label != null) {
            out.put("label", a.label);
        }
        out.putAll(result);
        System.out.println(json(out));
        System.exit(0);
    }

    // ---------------------------------------------------------------- open loop

    static Map<String, Object> open(Args a, Recorder recorder) throws Exception {
        double rate = a.number("rate", 1000);
        double warmup = a.number("warmup", 1);
        double duration = a.number("duration", 10);
        int connections = (int) a.number("connections", 64);
        long period = (long) (1e9 / rate);
        LinkedBlockingQueue<Long> queue = new LinkedBlockingQueue<>();
        long start = System.nanoTime() + 50_000_000L;
        long measureFrom = start + (long) (warmup * 1e9);
        long end = measureFrom + (long) (duration * 1e9);
        long drainDeadline = end + TimeUnit.SECONDS.toNanos(10);
        int recordedBefore = recorder.count();
        AtomicInteger errors = new AtomicInteger();
        AtomicInteger answered = new AtomicInteger();
        List<Thread> workers = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            workers.add(Thread.ofPlatform().daemon().start(() -> {
                Client client = null;
                while (true) {
                    Long scheduled;
                    try {
                        scheduled = queue.poll(100, TimeUnit.MILLISECONDS);
                    } catch (InterruptedException e) {
                        return;
                    }
                    if (scheduled == null) {
                        if (System.nanoTime() > end) {
                            return;
                        }
                        continue;
                    }
                    if (scheduled < 0 || System.nanoTime() > drainDeadline) {
                        return;
                    }
                    try {
                        if (client == null) {
                            client = a.connect();
                        }
                        Response response = client.exchange(a.request(), null);
                        answered.incrementAndGet();
                        if (response.status != 200) {
                            errors.incrementAndGet();
                        }
                        if (response.close) {
                            client.close();
                            client = null;
                        }
                        if (scheduled >= measureFrom && response.status == 200) {
                            recorder.add((System.nanoTime() - scheduled) / 1000);
                        }
                    } catch (IOException e) {
                        errors.incrementAndGet();
                        if (client != null) {
                            client.close();
                        }
                        client = null;
                    }
                }
            }));
        }
        long sent = 0;
        for (long t = start; t < end; t += period) {
            parkUntil(t);
            queue.add(t);
            if (t >= measureFrom) {
                sent++;
            }
        }
        for (Thread worker : workers) {
            worker.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(drainDeadline - System.nanoTime()) + 1000));
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("rate", rate);
        r.put("connections", connections);
        r.put("seconds", duration);
        r.put("sent", sent);
        r.put("answered_total", answered.get());
        r.put("errors", errors.get());
        r.put("unanswered", Math.max(0, queue.size()));
        r.put("ok", recorder.count() - recordedBefore);
        r.put("rps", (recorder.count() - recordedBefore) / duration);
        recorder.percentiles(r, "lat");
        return r;
    }

    // ---------------------------------------------------------------- closed loop

    static Map<String, Object> closed(Args a, Recorder recorder) throws Exception {
        int concurrency = (int) a.number("concurrency", 16);
        double warmup = a.number("warmup", 1);
        double duration = a.number("duration", 10);
        // --requests N: stop after N measured requests (--duration stays the bound in time), the first
        // --warmup-requests W answers not measured: for requests too slow to count by seconds
        int maxRequests = (int) a.number("requests", 0);
        int warmupRequests = (int) a.number("warmup-requests", 0);
        long begun = System.nanoTime();
        long measureFrom = begun + (long) (warmup * 1e9);
        long end = measureFrom + (long) (duration * 1e9);
        int recordedBefore = recorder.count();
        AtomicInteger errors = new AtomicInteger();
        AtomicInteger answered = new AtomicInteger();
        AtomicInteger issued = new AtomicInteger();
        java.util.concurrent.atomic.AtomicLong lastDone = new java.util.concurrent.atomic.AtomicLong(measureFrom);
        java.util.concurrent.atomic.AtomicLong firstMeasured = new java.util.concurrent.atomic.AtomicLong(Long.MAX_VALUE);
        List<Thread> workers = new ArrayList<>();
        for (int i = 0; i < concurrency; i++) {
            workers.add(Thread.ofPlatform().daemon().start(() -> {
                Client client = null;
                while (System.nanoTime() < end) {
                    int index = issued.getAndIncrement();
                    if (maxRequests > 0 && index >= warmupRequests + maxRequests) {
                        break;
                    }
                    boolean measured = index >= warmupRequests;
                    long started = System.nanoTime();
                    try {
                        if (client == null) {
                            client = a.connect();
                        }
                        Response response = client.exchange(a.request(), null);
                        if (response.close) {
                            client.close();
                            client = null;
                        }
                        long done = System.nanoTime();
                        answered.incrementAndGet();
                        if (response.status != 200) {
                            errors.incrementAndGet();
                        } else if (measured && started >= measureFrom && done <= end) {
                            recorder.add((done - started) / 1000);
                            firstMeasured.accumulateAndGet(started, Math::min);
                            lastDone.accumulateAndGet(done, Math::max);
                        }
                    } catch (IOException e) {
                        errors.incrementAndGet();
                        if (client != null) {
                            client.close();
                        }
                        client = null;
                    }
                }
                if (client != null) {
                    client.close();
                }
            }));
        }
        for (Thread worker : workers) {
            worker.join(TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime()) + 30_000);
        }
        Map<String, Object> r = new LinkedHashMap<>();
        // a run bounded by count lasts as long as its measured requests took
        double seconds = maxRequests > 0 && firstMeasured.get() != Long.MAX_VALUE
                ? Math.max(1e-6, (lastDone.get() - firstMeasured.get()) / 1e9) : duration;
        r.put("concurrency", concurrency);
        r.put("seconds", seconds);
        if (maxRequests > 0) {
            r.put("requests", maxRequests);
        }
        r.put("answered_total", answered.get());
        r.put("ok", recorder.count() - recordedBefore);
        r.put("errors", errors.get());
        r.put("rps", (recorder.count() - recordedBefore) / seconds);
        recorder.percentiles(r, "lat");
        return r;
    }

    // ---------------------------------------------------------------- targets taking turns

    static List<Map<String, Object>> rounds(Args a) throws Exception {
        String kind = a.values.getOrDefault("kind", "closed");
        if (!List.of("closed", "open", "stream").contains(kind)) {
            throw new IllegalArgumentException("rounds --kind closed|open|stream, not " + kind);
        }
        List<String> timings = kind.equals("stream") ? List.of("ttfb", "lag") : List.of("lat");
        int rounds = (int) a.number("rounds", 4);
        long gapMillis = (long) (a.number("gap", 1) * 1000);
        Map<String, Args> targets = new LinkedHashMap<>();
        Map<String, List<Long>> pids = new LinkedHashMap<>();
        for (String target : a.repeated("target")) {
            String name = target.substring(0, target.indexOf('='));
            targets.put(name, a.withUrl(kind, target.substring(name.length() + 1)));
        }
        for (String entry : a.repeated("pids")) {
            String name = entry.substring(0, entry.indexOf('='));
            pids.put(name, Arrays.stream(entry.substring(name.length() + 1).split(",")).filter(p -> !p.isBlank())
                    .map(Long::parseLong).toList());
        }
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("rounds needs at least one --target NAME=URL");
        }
        Map<String, Map<String, Recorder>> recorders = new LinkedHashMap<>();
        Map<String, Map<String, Object>> totals = new LinkedHashMap<>();
        Map<String, Long> cpuTicks = new LinkedHashMap<>();
        for (int round = 0; round < rounds; round++) {
            for (Map.Entry<String, Args> target : targets.entrySet()) {
                String name = target.getKey();
                Map<String, Recorder> recorder = recorders.computeIfAbsent(name, n -> new LinkedHashMap<>());
                timings.forEach(timing -> recorder.computeIfAbsent(timing, t -> new Recorder()));
                List<Long> proxy = pids.getOrDefault(name, List.of());
                long before = cpuTicks(proxy);
                Map<String, Object> run = switch (kind) {
                    case "closed" -> closed(target.getValue(), recorder.get("lat"));
                    case "open" -> open(target.getValue(), recorder.get("lat"));
                    default -> stream(target.getValue(), recorder.get("ttfb"), recorder.get("lag"));
                };
                Thread.sleep(gapMillis);
                cpuTicks.merge(name, cpuTicks(proxy) - before, Long::sum);
                Map<String, Object> total = totals.computeIfAbsent(name, n -> new LinkedHashMap<>());
                for (String key : List.of("seconds", "sent", "answered_total", "ok", "errors", "unanswered",
                        "requests", "complete", "failed", "events", "held_back", "shared_reads")) {
                    if (run.get(key) instanceof Number value) {
                        total.merge(key, value.doubleValue(), (x, y) -> (double) x + (double) y);
                    }
                }
                for (String key : List.of("concurrency", "rate", "connections")) {
                    if (run.containsKey(key)) {
                        total.put(key, run.get(key));
                    }
                }
            }
        }
        long ticksPerSecond = (long) a.number("clock-ticks", 100);
        List<Map<String, Object>> lines = new ArrayList<>();
        for (Map.Entry<String, Map<String, Object>> target : totals.entrySet()) {
            String name = target.getKey();
            Map<String, Object> total = target.getValue();
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("mode", kind);
            line.put("label", a.label == null ? name : a.label.replace("{target}", name));
            line.put("rounds", rounds);
            for (Map.Entry<String, Object> e : total.entrySet()) {
                line.put(e.getKey(), e.getValue() instanceof Double d && d == Math.rint(d) && !e.getKey().equals("seconds")
                        ? (Object) d.longValue() : e.getValue());
            }
            if (total.containsKey("ok")) {
                line.put("rps", ((Number) total.get("ok")).doubleValue() / ((Number) total.get("seconds")).doubleValue());
            }
            recorders.get(name).forEach((timing, recorder) -> recorder.percentiles(line, timing));
            if (pids.containsKey(name)) {
                line.put("proxy_cpu_ms", cpuTicks.get(name) * 1000 / ticksPerSecond);
            }
            lines.add(line);
        }
        return lines;
    }

    /** CPU time (user + system, in clock ticks) the processes used so far, from /proc. */
    static long cpuTicks(List<Long> pids) throws IOException {
        long ticks = 0;
        for (long pid : pids) {
            Path stat = Path.of("/proc/" + pid + "/stat");
            if (Files.exists(stat)) {
                String text = Files.readString(stat);
                String[] fields = text.substring(text.lastIndexOf(')') + 2).split(" ");
                ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
            }
        }
        return ticks;
    }

    // ---------------------------------------------------------------- stream timing

    static Map<String, Object> stream(Args a, Recorder ttfb, Recorder lag) throws Exception {
        int requests = (int) a.number("requests", 50);
        int concurrency = (int) a.number("concurrency", 1);
        AtomicInteger next = new AtomicInteger();
        AtomicInteger complete = new AtomicInteger();
        AtomicInteger heldBack = new AtomicInteger();
        AtomicInteger sharedReads = new AtomicInteger();
        AtomicInteger events = new AtomicInteger();
        AtomicInteger failures = new AtomicInteger();
        long deadline = System.nanoTime() + (long) (a.number("timeout", 300) * 1e9);
        List<Thread> workers = new ArrayList<>();
        for (int w = 0; w < concurrency; w++) {
            workers.add(Thread.ofPlatform().daemon().start(() -> {
                Client client = null;
                while (next.getAndIncrement() < requests && System.nanoTime() < deadline) {
                    StreamReader reader = new StreamReader();
                    try {
                        if (client == null) {
                            client = a.connect();
                        }
                        reader.sentNanos = System.nanoTime();
                        Response response = client.exchange(a.request(), reader);
                        if (response.close) {
                            client.close();
                            client = null;
                        }
                        if (response.status != 200 || !reader.done || reader.error || reader.sent.isEmpty()) {
                            failures.incrementAndGet();
                            continue;
                        }
                        complete.incrementAndGet();
                        ttfb.add((reader.firstEventNanos - reader.sentNanos) / 1000);
                        for (int i = 0; i < reader.sent.size(); i++) {
                            long arrived = reader.arrived.get(i);
                            lag.add(arrived - reader.sent.get(i));
                            // only events the upstream spaced apart can tell (the usage chunk follows
                            // the last event at once): one that arrived after the next was sent, or in
                            // the same read as the next, was held back
                            if (i + 1 < reader.sent.size() && reader.sent.get(i + 1) - reader.sent.get(i) >= 1000) {
                                if (arrived > reader.sent.get(i + 1)) {
                                    heldBack.incrementAndGet();
                                }
                                if (reader.readIds.get(i).equals(reader.readIds.get(i + 1))) {
                                    sharedReads.incrementAndGet();
                                }
                            }
                        }
                        events.addAndGet(reader.sent.size());
                    } catch (IOException e) {
                        failures.incrementAndGet();
                        if (client != null) {
                            client.close();
                        }
                        client = null;
                    }
                }
            }));
        }
        for (Thread worker : workers) {
            worker.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()) + 1000));
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("requests", requests);
        r.put("concurrency", concurrency);
        r.put("answered_total", complete.get() + failures.get());
        r.put("complete", complete.get());
        r.put("failed", failures.get());
        r.put("events", events.get());
        r.put("held_back", heldBack.get());
        r.put("shared_reads", sharedReads.get());
        ttfb.percentiles(r, "ttfb");
        lag.percentiles(r, "lag");
        return r;
    }

    // ---------------------------------------------------------------- many streams held open

    static Map<String, Object> hold(Args a) throws Exception {
        int streams = (int) a.number("streams", 100);
        double ramp = a.number("ramp", 2);
        int expected = (int) a.number("events", 5);
        long deadline = System.nanoTime() + (long) (a.number("timeout", 600) * 1e9);
        AtomicInteger open = new AtomicInteger();
        AtomicInteger peak = new AtomicInteger();
        AtomicInteger complete = new AtomicInteger();
        AtomicInteger cut = new AtomicInteger();
        AtomicInteger errorChunk = new AtomicInteger();
        AtomicInteger missing = new AtomicInteger();
        AtomicInteger badStatus = new AtomicInteger();
        AtomicInteger connectFailed = new AtomicInteger();
        ConcurrentLinkedQueue<String> samples = new ConcurrentLinkedQueue<>();
        CountDownLatch finished = new CountDownLatch(streams);
        long start = System.nanoTime();
        for (int i = 0; i < streams; i++) {
            long at = start + (long) (ramp * 1e9 * i / streams);
            Thread.ofVirtual().start(() -> {
                parkUntil(at);
                Client client = null;
                boolean counted = false;
                try {
                    try {
                        client = a.connect();
                    } catch (IOException e) {
                        connectFailed.incrementAndGet();
                        if (samples.size() < 5) {
                            samples.add("connect: " + e);
                        }
                        return;
                    }
                    StreamReader reader = new StreamReader() {
                        @Override
                        void onHeaders() {
                            peak.accumulateAndGet(open.incrementAndGet(), Math::max);
                        }
                    };
                    reader.sentNanos = System.nanoTime();
                    Response response;
                    try {
                        response = client.exchange(a.request(), reader);
                    } finally {
                        if (reader.headersSeen) {
                            open.decrementAndGet();
                        }
                    }
                    counted = true;
                    if (response.status != 200) {
                        badStatus.incrementAndGet();
                    } else if (reader.error) {
                        errorChunk.incrementAndGet();
                    } else if (!reader.done) {
                        cut.incrementAndGet();
                    } else if (reader.contentEvents != expected) {
                        missing.incrementAndGet();
                    } else {
                        complete.incrementAndGet();
                    }
                } catch (IOException e) {
                    if (!counted) {
                        cut.incrementAndGet();
                        if (samples.size() < 5) {
                            samples.add("read: " + e);
                        }
                    }
                } finally {
                    if (client != null) {
                        client.close();
                    }
                    finished.countDown();
                }
            });
        }
        boolean all = finished.await(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("streams", streams);
        r.put("answered_total", streams);
        r.put("events_each", expected);
        r.put("complete", complete.get());
        r.put("cut", cut.get());
        r.put("error_chunk", errorChunk.get());
        r.put("missing_events", missing.get());
        r.put("bad_status", badStatus.get());
        r.put("connect_failed", connectFailed.get());
        r.put("unfinished", finished.getCount());
        r.put("peak_open", peak.get());
        r.put("seconds", Math.round((System.nanoTime() - start) / 1e8) / 10.0);
        r.put("all_finished", all);
        if (!samples.isEmpty()) {
            r.put("sample_failures", String.join(" | ", samples));
        }
        return r;
    }

    // ---------------------------------------------------------------- HTTP client

    record Response(int status, boolean close) {
    }

    /** Receives a response body as it arrives; {@code arrivedMicros} is the wall clock of the read that brought it. */
    static class StreamReader {
        private static final Pattern SENT = Pattern.compile("\"x_sent_us\":(\\d+)");
        long sentNanos;
        long firstEventNanos;
        boolean headersSeen;
        boolean done;
        boolean error;
        int contentEvents;
        final List<Long> sent = new ArrayList<>();
        final List<Long> arrived = new ArrayList<>();
        final List<Long> readIds = new ArrayList<>();
        private final StringBuilder pending = new StringBuilder();

        void onHeaders() {
        }

        void headers() {
            headersSeen = true;
            onHeaders();
        }

        void body(byte[] bytes, int off, int len, long readId, long arrivedNanos, long arrivedMicros) {
            pending.append(new String(bytes, off, len, StandardCharsets.UTF_8));
            int end;
            while ((end = pending.indexOf("\n\n")) >= 0) {
                String event = pending.substring(0, end);
                pending.delete(0, end + 2);
                if (!event.startsWith("data:")) {
                    continue;
                }
                if (firstEventNanos == 0) {
                    firstEventNanos = arrivedNanos;
                }
                if (event.contains("[DONE]")) {
                    done = true;
                    continue;
                }
                if (event.contains("\"finish_reason\":\"error\"")) {
                    error = true;
                }
                if (!event.contains("\"choices\":[]")) {
                    contentEvents++;
                }
                Matcher m = SENT.matcher(event);
                if (m.find()) {
                    sent.add(Long.parseLong(m.group(1)));
                    arrived.add(arrivedMicros);
                    readIds.add(readId);
                }
            }
        }
    }

    static final class Client {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;
        private final byte[] buffer = new byte[8192];
        private int pos;
        private int limit;
        private long reads;
        private long readNanos;
        private long readMicros;

        Client(String host, int port, int timeoutMillis) throws IOException {
            socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(host, port), 10_000);
            socket.setSoTimeout(timeoutMillis);
            in = socket.getInputStream();
            out = socket.getOutputStream();
        }

        void close() {
            try {
                socket.close();
            } catch (IOException e) {
                // closing anyway
            }
        }

        Response exchange(byte[] request, StreamReader reader) throws IOException {
            out.write(request);
            out.flush();
            String statusLine = line();
            if (statusLine == null) {
                throw new IOException("connection closed before the status line");
            }
            int status = Integer.parseInt(statusLine.split(" ")[1]);
            long length = -1;
            boolean chunked = false;
            boolean close = statusLine.startsWith("HTTP/1.0");
            for (String header = line(); header != null && !header.isEmpty(); header = line()) {
                int colon = header.indexOf(':');
                if (colon < 0) {
                    continue;
                }
                String name = header.substring(0, colon).trim();
                String value = header.substring(colon + 1).trim();
                if (name.equalsIgnoreCase("Content-Length")) {
                    length = Long.parseLong(value);
                } else if (name.equalsIgnoreCase("Transfer-Encoding") && value.toLowerCase(Locale.ROOT).contains("chunked")) {
                    chunked = true;
                } else if (name.equalsIgnoreCase("Connection")) {
                    close = value.equalsIgnoreCase("close");
                }
            }
            if (reader != null) {
                reader.headers();
            }
            if (chunked) {
                while (true) {
                    String sizeLine = line();
                    if (sizeLine == null) {
                        throw new IOException("connection closed inside a chunked body");
                    }
                    int semicolon = sizeLine.indexOf(';');
                    long size = Long.parseLong((semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim(), 16);
                    if (size == 0) {
                        for (String trailer = line(); trailer != null && !trailer.isEmpty(); trailer = line()) {
                            // ignored
                        }
                        break;
                    }
                    body(size, reader);
                    line();
                }
            } else if (length >= 0) {
                body(length, reader);
            } else {
                body(Long.MAX_VALUE, reader); // until the server closes
                close = true;
            }
            return new Response(status, close);
        }

        private void body(long length, StreamReader reader) throws IOException {
            long left = length;
            while (left > 0) {
                if (pos == limit && !fill()) {
                    if (length == Long.MAX_VALUE) {
                        return;
                    }
                    throw new IOException("connection closed inside a body");
                }
                int n = (int) Math.min(left, limit - pos);
                if (reader != null) {
                    reader.body(buffer, pos, n, reads, readNanos, readMicros);
                }
                pos += n;
                left -= n;
            }
        }

        private boolean fill() throws IOException {
            int n = in.read(buffer, 0, buffer.length);
            if (n <= 0) {
                return false;
            }
            pos = 0;
            limit = n;
            reads++;
            readNanos = System.nanoTime();
            Instant now = Instant.now();
            readMicros = now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
            return true;
        }

        private String line() throws IOException {
            StringBuilder line = new StringBuilder(64);
            while (true) {
                if (pos == limit && !fill()) {
                    return line.isEmpty() ? null : line.toString();
                }
                byte c = buffer[pos++];
                if (c == '\n') {
                    int end = line.length();
                    return end > 0 && line.charAt(end - 1) == '\r' ? line.substring(0, end - 1) : line.toString();
                }
                line.append((char) c);
            }
        }
    }

    // ---------------------------------------------------------------- results

    /** Latencies in microseconds, kept whole for exact percentiles. */
    static final class Recorder {
        private long[] values = new long[1 << 16];
        private int count;

        synchronized void add(long micros) {
            if (count == values.length) {
                values = Arrays.copyOf(values, count * 2);
            }
            values[count++] = micros;
        }

        synchronized int count() {
            return count;
        }

        synchronized void percentiles(Map<String, Object> into, String prefix) {
            long[] sorted = Arrays.copyOf(values, count);
            Arrays.sort(sorted);
            for (double p : new double[] {50, 90, 99, 99.9}) {
                String name = prefix + "_p" + (p == 99.9 ? "999" : String.valueOf((int) p)) + "_ms";
                into.put(name, sorted.length == 0 ? null : sorted[Math.min(sorted.length - 1,
                        (int) Math.ceil(p / 100 * sorted.length) - 1)] / 1000.0);
            }
            into.put(prefix + "_max_ms", sorted.length == 0 ? null : sorted[sorted.length - 1] / 1000.0);
            into.put(prefix + "_mean_ms", sorted.length == 0 ? null : Arrays.stream(sorted).average().orElse(0) / 1000.0);
        }
    }

    static String json(Map<String, Object> map) {
        StringBuilder s = new StringBuilder("{");
        for (Map.Entry<String, Object> e : map.entrySet()) {
            if (s.length() > 1) {
                s.append(',');
            }
            s.append('"').append(e.getKey()).append("\":");
            Object v = e.getValue();
            if (v == null || v instanceof Number || v instanceof Boolean) {
                s.append(v instanceof Double d ? String.format(Locale.ROOT, "%.4f", d) : String.valueOf(v));
            } else {
                s.append('"').append(v.toString().replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
            }
        }
        return s.append('}').toString();
    }

    static void parkUntil(long deadline) {
        long left;
        while ((left = deadline - System.nanoTime()) > 0) {
            LockSupport.parkNanos(left);
        }
    }

    static final class Args {
        final String mode;
        final Map<String, String> values = new LinkedHashMap<>();
        final List<String> headers = new ArrayList<>();
        final Map<String, List<String>> repeated = new LinkedHashMap<>();
        final String label;
        private final String[] args;
        private final byte[] request;
        private final String host;
        private final int port;

        Args(String[] args) throws IOException {
            if (args.length == 0) {
                throw new IllegalArgumentException("usage: Load open|closed|stream|hold --url URL --body FILE ...");
            }
            this.args = args.clone();
            mode = args[0];
            for (int i = 1; i < args.length; i++) {
                if (!args[i].startsWith("--") || i + 1 >= args.length) {
                    throw new IllegalArgumentException("expected --name value at " + args[i]);
                }
                String name = args[i].substring(2);
                String value = args[++i];
                if (name.equals("header")) {
                    headers.add(value);
                } else if (name.equals("target") || name.equals("pids")) {
                    repeated.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
                } else {
                    values.put(name, value);
                }
            }
            label = values.get("label");
            if (mode.equals("rounds")) {
                request = null;
                host = null;
                port = 0;
                return;
            }
            URI url = URI.create(values.get("url"));
            host = url.getHost();
            port = url.getPort() > 0 ? url.getPort() : 80;
            byte[] body = Files.readAllBytes(Path.of(values.get("body")));
            StringBuilder head = new StringBuilder("POST " + url.getRawPath() + " HTTP/1.1\r\nHost: " + host + ":" + port
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n");
            for (String header : headers) {
                head.append(header).append("\r\n");
            }
            head.append("\r\n");
            byte[] headBytes = head.toString().getBytes(StandardCharsets.UTF_8);
            request = Arrays.copyOf(headBytes, headBytes.length + body.length);
            System.arraycopy(body, 0, request, headBytes.length, body.length);
        }

        List<String> repeated(String name) {
            return repeated.getOrDefault(name, List.of());
        }

        /** These arguments as a run of {@code mode} against {@code url} (for a target of rounds). */
        Args withUrl(String mode, String url) throws IOException {
            List<String> copy = new ArrayList<>(List.of(args));
            copy.set(0, mode);
            for (int i = 1; i + 1 < copy.size(); i += 2) {
                if (copy.get(i).equals("--url")) {
                    copy.set(i + 1, url);
                }
            }
            if (!values.containsKey("url")) {
                copy.addAll(List.of("--url", url));
            }
            return new Args(copy.toArray(String[]::new));
        }

        double number(String name, double fallback) {
            String value = values.get(name);
            return value == null ? fallback : Double.parseDouble(value);
        }

        byte[] request() {
            return request;
        }

        Client connect() throws IOException {
            return new Client(host, port, (int) (number("read-timeout", 60) * 1000));
        }
    }
}
