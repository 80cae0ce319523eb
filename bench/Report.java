import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Turns the JSON lines written by bench/run into the markdown report: the budget line by line, then
 * every measurement as absolute figures and as ratios to the floor (direct to the fake upstream)
 * measured in the same run.
 *
 * <p>Usage: {@code java Report.java RESULTS.jsonl --command "bench/run ..." --out FILE.md
 * [--update-docs docs/performance.md]} (replaces the text between the bench-results markers).
 */
public final class Report {

    /** Portkey's published gateway throughput, requests/s per core (650-700): the top of the range. */
    static final double PORTKEY_PER_CORE = 700;
    static final String BEGIN = "<!-- bench-results:begin -->";
    static final String END = "<!-- bench-results:end -->";
    static final List<String> TARGETS = List.of("direct", "nginx", "passthrough", "full");
    static final Map<String, String> NAMES = Map.of(
            "direct", "direct (floor)", "nginx", "nginx reverse proxy",
            "passthrough", "Caravan, bare pass-through route", "full", "Caravan, full flow");

    private final List<Map<String, Object>> lines;
    private final StringBuilder md = new StringBuilder();

    Report(List<Map<String, Object>> lines) {
        this.lines = lines;
    }

    public static void main(String[] args) throws IOException {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 1; i + 1 < args.length; i += 2) {
            options.put(args[i].substring(2), args[i + 1]);
        }
        List<Map<String, Object>> lines = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of(args[0]))) {
            if (!line.isBlank()) {
                lines.add(parse(line.trim()));
            }
        }
        Report run = new Report(lines);
        if (options.containsKey("baseline")) {
            Path path = Path.of(options.get("baseline"));
            List<Map<String, Object>> theirs = new ArrayList<>();
            if (Files.exists(path)) {
                for (String line : Files.readAllLines(path)) {
                    if (!line.isBlank()) {
                        theirs.add(parse(line.trim()));
                    }
                }
            }
            run.baseline = new Report(theirs);
            run.baselineName = options.get("baseline");
        }
        String report = run.render(options.getOrDefault("command", "bench/run"));
        System.out.println(report);
        if (options.containsKey("out")) {
            Files.writeString(Path.of(options.get("out")), report);
        }
        if (options.containsKey("update-docs")) {
            Path docs = Path.of(options.get("update-docs"));
            String text = Files.readString(docs);
            int begin = text.indexOf(BEGIN);
            int end = text.indexOf(END);
            if (begin < 0 || end < begin) {
                throw new IllegalStateException(docs + " has no " + BEGIN + " ... " + END + " section");
            }
            Files.writeString(docs, text.substring(0, begin + BEGIN.length()) + "\n" + report.replaceFirst("^# ", "### ")
                    .replaceAll("(?m)^## ", "#### ") + "\n" + text.substring(end));
        }
        if (run.regressionLine != null) {
            System.err.println("bench regression check: " + run.regressionLine);
        }
        // --check (CI's smoke run): whatever the speed, every answer must have come and been paid for;
        // the regression line is a report, never one of these problems
        if (options.containsKey("check")) {
            List<String> problems = run.problems();
            problems.forEach(problem -> System.err.println("bench check failed: " + problem));
            if (!problems.isEmpty()) {
                System.exit(1);
            }
            System.err.println("bench checks passed: no errors, every stream complete, the ledger consistent");
        }
    }

    /** What went wrong in the run, timing aside: errors, streams not complete, a ledger that does not add up. */
    List<String> problems() {
        List<String> problems = new ArrayList<>();
        for (Map<String, Object> r : all(m -> m.containsKey("errors") && !label(m).startsWith("warmup"))) {
            if (zero(num(r, "errors")) > 0 || zero(num(r, "unanswered")) > 0) {
                problems.add(label(r) + ": " + plain(r.get("errors")) + " errors, " + plain(r.getOrDefault("unanswered", 0)) + " unanswered");
            }
        }
        for (Map<String, Object> r : all(m -> ("stream".equals(m.get("mode")) || "hold".equals(m.get("mode"))) && !label(m).startsWith("warmup"))) {
            double expected = num(r, "hold".equals(r.get("mode")) ? "streams" : "requests");
            if (num(r, "complete") < expected) {
                problems.add(label(r) + ": " + plain(r.get("complete")) + " of " + plain(expected) + " streams complete");
            }
        }
        Map<String, Object> ledger = first(m -> "ledger".equals(m.get("mode")));
        if (ledger.isEmpty()) {
            problems.add("no ledger line: the run did not finish");
        } else {
            long answered = answeredThroughFullFlow();
            if (num(ledger, "usage_rows") < answered) {
                problems.add(plain(ledger.get("usage_rows")) + " usage rows for " + answered + " answers");
            }
            if (num(ledger, "held") != 0) {
                problems.add("holds still open at the end: " + plain(ledger.get("held")));
            }
            if (Math.abs(num(ledger, "total_credits") - num(ledger, "total_usage") - num(ledger, "balance")) > 1e-6) {
                problems.add("balance " + plain(ledger.get("balance")) + " is not credits - usage");
            }
        }
        if (!Boolean.TRUE.equals(first(m -> "end".equals(m.get("mode"))).get("gateway_alive"))) {
            problems.add("the gateway was not alive at the end");
        }
        return problems;
    }

    String render(String command) {
        Map<String, Object> machine = first(m -> "machine".equals(m.get("mode")));
        Map<String, Object> startup = first(m -> "startup".equals(m.get("mode")));
        Map<String, Object> end = first(m -> "end".equals(m.get("mode")));
        boolean quick = String.valueOf(machine.get("run")).matches("(quick|smoke).*");
        md.append("# Benchmark run ").append(machine.get("stamp")).append(" UTC")
                .append(quick ? " (quick run: a harness check, not the benchmark)" : "").append("\n\n");
        md.append("- Command: `").append(command).append("`, at commit ").append(machine.get("commit")).append('\n');
        md.append("- Machine: ").append(fmt0(num(machine, "cores"))).append(" x ").append(machine.get("cpu")).append(", ")
                .append(fmt0(num(machine, "mem_gb"))).append(" GB, ").append(machine.get("os")).append(", kernel ")
                .append(machine.get("kernel")).append('\n');
        md.append("- Software: ").append(machine.get("jdk")).append(", nginx ").append(machine.get("nginx"))
                .append("; gateway JVM flags `").append(startup.get("flags")).append("`, ")
                .append(startup.getOrDefault("database", "H2 file database")).append("\n");
        md.append("- Load average (1, 5, 15 min) at start: ").append(machine.get("load_start")).append(", at end: ")
                .append(end.get("load_end")).append(" (everything shares these cores: load generator, fake upstream, ")
                .append("nginx, gateway)\n");
        Map<String, Object> speedStart = labelled("speed|start"), speedEnd = labelled("speed|end");
        if (!speedStart.isEmpty() && !speedEnd.isEmpty()) {
            md.append("- Machine speed: the direct floor at concurrency 1 answered ").append(fmt0(num(speedStart, "rps")))
                    .append(" requests/s at the start and ").append(fmt0(num(speedEnd, "rps")))
                    .append(" at the end; this machine's speed was seen to vary by a factor of two to four within an")
                    .append(" evening, so compare runs by their ratios\n");
        }
        md.append("- Warm-up before any measurement: ").append(fmt0(num(machine, "gateway_warmup")))
                .append(" s of load per gateway route at concurrency 16, then ")
                .append(fmt0(num(machine, "gateway_warmup_alone"))).append(" s at concurrency 1 (JIT compilation); each closed-loop point: ")
                .append(fmt0(num(machine, "duration"))).append(" s measured per target, the targets taking turns (")
                .append(fmt0(num(machine, "rounds"))).append(" turns each, every turn after ")
                .append(num(machine, "turn_warmup")).append(" s of warm-up on fresh connections and followed by 1 s of quiet),")
                .append(" so that a change in the machine's speed falls on every target alike\n\n");
        budget();
        closedLoop();
        openLoop();
        streaming();
        longPrompts();
        tools();
        held();
        memory();
        ledger();
        return md.toString();
    }

    // ---------------------------------------------------------------- sections

    /** The budget of issue 18; every line computed from this run's measurements. */
    static final double BARE_CPU_US = 150, FULL_OVER_BARE = 2, ADDED_P50_MS = 0.3, NGINX_SHARE = 0.25,
            TTFB_MS = 0.5, MS_PER_MB = 10, BODY_COPIES = 2, HEAP_MB = 1024, RSS_IDLE_MB = 300, READY_MS = 5000;
    static final int BUDGET_STREAMS = 10_000;

    private void budget() {
        Map<String, Object> full1 = closed("full", 1), direct1 = closed("direct", 1);
        Map<String, Object> full64 = closed("full", 64), nginx64 = closed("nginx", 64), bare64 = closed("passthrough", 64);
        Map<String, Object> fullStream = labelled("stream|full"), directStream = labelled("stream|direct");
        Map<String, Object> hold = first(m -> "hold".equals(m.get("mode")));
        Map<String, Object> streamsMemory = phase("streams");
        Map<String, Object> startup = first(m -> "startup".equals(m.get("mode")));
        md.append("## Budget\n\nIssue 18's budget; every line computed from this run.\n\n")
                .append("| budget | target | this run | |\n|---|---|---|---|\n");
        double bare = cpuPerRequest(bare64);
        row("bare pass-through route: CPU per request at concurrency 64", "<= " + fmt0(BARE_CPU_US) + " µs",
                fmt0(bare) + " µs", bare <= BARE_CPU_US);
        double full = cpuPerRequest(full64);
        row("full flow: CPU per request at concurrency 64", "<= " + fmt0(FULL_OVER_BARE) + " x the bare route's",
                fmt0(full) + " µs = " + ratio(full / bare) + " x", full / bare <= FULL_OVER_BARE);
        double added = num(full1, "lat_p50_ms") - num(direct1, "lat_p50_ms");
        row("full flow: added latency p50 at concurrency 1", "<= " + ADDED_P50_MS + " ms", ms(added), added <= ADDED_P50_MS);
        double rps = num(full64, "rps");
        double share = rps / num(nginx64, "rps");
        row("full flow: throughput at concurrency 64, share of nginx's in this run", ">= " + pct(NGINX_SHARE),
                pct(share) + " (" + fmt0(rps) + " of " + fmt0(num(nginx64, "rps")) + " req/s)", share >= NGINX_SHARE);
        double ttfb = num(fullStream, "ttfb_p50_ms") - num(directStream, "ttfb_p50_ms");
        row("streaming: added time to first byte, p50", "<= " + TTFB_MS + " ms", ms(ttfb), ttfb <= TTFB_MS);
        long heldBack = (long) num(fullStream, "held_back");
        row("streaming: events held back (batched)", "none", heldBack + " of " + fmt0(num(fullStream, "events")),
                !fullStream.isEmpty() && heldBack == 0);
        for (double mb : longSizes()) {
            double perMb = longAdded("full", mb) / mb;
            row("long prompt of " + fmt0(mb) + " MB: added time per MB of prompt (p50, one at a time)",
                    "<= " + fmt0(MS_PER_MB) + " ms per MB", fmt3(perMb) + " ms per MB (" + ms(longAdded("full", mb)) + " added)",
                    perMb <= MS_PER_MB);
        }
        for (double mb : longSizes()) {
            double copies = copies(mb);
            String state = Double.isNaN(copies) ? "not measured" : copies <= BODY_COPIES ? "met" : "**not shown**";
            rowState("long prompt of " + fmt0(mb) + " MB: heap per request in flight (see \"Long prompts\")",
                    "<= " + fmt0(BODY_COPIES) + " copies of the body", Double.isNaN(copies) ? "n/a"
                            : "allocated " + ratio(copies) + " x the body per request; heap peak "
                            + fmt0(num(phase("long-" + fmt0(mb)), "heap_peak_mb")) + " MB", state);
        }
        long streams = (long) num(hold, "streams");
        long complete = (long) num(hold, "complete");
        double heap = num(streamsMemory, "heap_peak_mb");
        row(fmt0(streams) + " concurrent streams (budget: " + fmt0(BUDGET_STREAMS) + ")", "all complete, heap <= 1 GB",
                fmt0(complete) + " complete, " + fmt0(streams - complete) + " not; heap peak " + fmt0(heap) + " MB",
                complete == streams && heap <= HEAP_MB && streams >= BUDGET_STREAMS);
        double rssIdle = num(startup, "rss_idle_mb");
        row("RSS idle after start", "<= " + fmt0(RSS_IDLE_MB) + " MB", fmt0(rssIdle) + " MB", rssIdle <= RSS_IDLE_MB);
        double ready = num(startup, "ready_ms");
        row("start-up to ready, from the packaged jar", "<= " + fmt0(READY_MS / 1000) + " s", fmt0(ready) + " ms",
                ready <= READY_MS);
        double perCore = 1e6 / full;
        md.append("| (for comparison) full flow, requests/s per core of gateway CPU at concurrency 64 | Portkey ~")
                .append(fmt0(PORTKEY_PER_CORE)).append("/core | ").append(fmt0(perCore)).append(" req/s | ")
                .append(perCore >= PORTKEY_PER_CORE ? "above" : "below").append(" |\n");
        if (streams < BUDGET_STREAMS) {
            md.append("\nThis run held ").append(fmt0(streams)).append(" streams, not the budget's ")
                    .append(fmt0(BUDGET_STREAMS)).append(" (--quick, --smoke or BENCH_HOLD_STREAMS): that line is not met by this run.\n");
        }
        Map<String, Object> machine = first(m -> "machine".equals(m.get("mode")));
        if (machine.get("nofile") != null && !"unlimited".equals(machine.get("nofile"))) {
            double nofile = Double.parseDouble(String.valueOf(machine.get("nofile")));
            if (nofile < 2 * num(machine, "hold_streams") + 1000) {
                md.append("\nThe descriptor limit was ").append(fmt0(nofile)).append(": each stream takes two sockets in ")
                        .append("the gateway (the client's and the upstream's), so ").append(fmt0(num(machine, "hold_streams")))
                        .append(" streams need about ").append(fmt0(2 * num(machine, "hold_streams") + 1000))
                        .append(". Streams that failed for want of descriptors say nothing of the gateway's memory.\n");
            }
        }
        md.append('\n');
        regression();
    }

    /** The full flow's CPU per request at concurrency 64 against the newest full run git keeps: a report, never a failure. */
    private void regression() {
        if (baseline == null) {
            return;
        }
        md.append("## Regression check\n\n");
        if (baseline.lines.isEmpty()) {
            md.append("No committed full run to compare with.\n\n");
            return;
        }
        Map<String, Object> theirs = baseline.closed("full", 64);
        Map<String, Object> machine = baseline.first(m -> "machine".equals(m.get("mode")));
        double before = cpuPerRequest(theirs), now = cpuPerRequest(closed("full", 64));
        double change = now / before - 1;
        String verdict = Double.isNaN(change) ? "not comparable (a figure is missing)"
                : change > REGRESSION ? "**regression**: " + pct(change) + " more CPU per request than the committed run (more than "
                        + pct(REGRESSION) + ")"
                : "no regression (" + (change >= 0 ? "+" : "") + pct(change) + ", threshold +" + pct(REGRESSION) + ")";
        md.append("Full flow, CPU per request at concurrency 64: ").append(fmt0(now)).append(" µs in this run, ")
                .append(fmt0(before)).append(" µs in `").append(baselineName).append("` (run ").append(machine.get("stamp"))
                .append(", commit ").append(machine.get("commit")).append("): ").append(verdict)
                .append(". A report, not a failure: CPU per request moves by about 15 % between identical runs on this machine.\n\n");
        regressionLine = "full flow CPU per request at concurrency 64: " + fmt0(now) + " µs against " + fmt0(before)
                + " µs in " + baselineName + ": " + verdict.replace("**", "");
    }

    static final double REGRESSION = 0.20;
    Report baseline;
    String baselineName;
    String regressionLine;

    private void rowState(String what, String target, String measured, String state) {
        md.append("| ").append(what).append(" | ").append(target).append(" | ").append(measured).append(" | ")
                .append(state).append(" |\n");
    }

    private Map<String, Object> phase(String name) {
        return first(m -> "memory".equals(m.get("mode")) && name.equals(m.get("phase")));
    }

    /** The prompt sizes (MB) the long-prompt step measured. */
    private List<Double> longSizes() {
        List<Double> sizes = new ArrayList<>();
        for (Map<String, Object> r : all(m -> label(m).startsWith("long|direct|"))) {
            sizes.add(Double.parseDouble(label(r).substring("long|direct|".length())));
        }
        return sizes;
    }

    private Map<String, Object> longRun(String target, double mb) {
        return labelled("long|" + target + "|" + fmt0(mb));
    }

    private double longAdded(String target, double mb) {
        return num(longRun(target, mb), "lat_p50_ms") - num(longRun("direct", mb), "lat_p50_ms");
    }

    private Map<String, Object> longAlloc(double mb) {
        return first(m -> "long_alloc".equals(m.get("mode")) && num(m, "size_mb") == mb);
    }

    /** Bytes the gateway allocated per long-prompt request (GC log), in copies of the prompt. */
    private double copies(double mb) {
        Map<String, Object> a = longAlloc(mb);
        double allocated = num(a, "gc_log_allocated_bytes");
        return allocated < 0 ? Double.NaN : allocated / num(a, "requests") / num(a, "prompt_bytes");
    }

    private void row(String what, String target, String measured, boolean met) {
        md.append("| ").append(what).append(" | ").append(target).append(" | ").append(measured).append(" | ")
                .append(met ? "met" : "**not met**").append(" |\n");
    }

    private void closedLoop() {
        md.append("## Non-stream requests, closed loop\n\n")
                .append("Each connection sends its next request when the answer to the last one is complete. ")
                .append("Latency in ms; \"added\" is the target's minus the floor's, \"x floor\" its throughput over ")
                .append("the floor's, both from this run.\n\n")
                .append("Proxy CPU: CPU time the proxy (nginx's processes, or the gateway's JVM with its settlement, ")
                .append("garbage collection and JIT compilation) used per answered request, in µs. It depends less on ")
                .append("what else runs on the machine than latency does, but not at all would be too strong: on a ")
                .append("loaded machine it rises too (cache and scheduler contention, and a JIT still compiling).\n\n")
                .append("| target | concurrency | req/s | x floor | p50 | p90 | p99 | p99.9 | added p50 | added p99 | errors | proxy CPU µs/req |\n")
                .append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (int c : List.of(1, 16, 64)) {
            Map<String, Object> floor = closed("direct", c);
            for (String target : TARGETS) {
                Map<String, Object> r = closed(target, c);
                if (r.isEmpty()) {
                    continue;
                }
                md.append("| ").append(NAMES.get(target)).append(" | ").append(c).append(" | ")
                        .append(fmt0(num(r, "rps"))).append(" | ").append(ratio(num(r, "rps") / num(floor, "rps")))
                        .append(" | ").append(fmt3(num(r, "lat_p50_ms"))).append(" | ").append(fmt3(num(r, "lat_p90_ms")))
                        .append(" | ").append(fmt3(num(r, "lat_p99_ms"))).append(" | ").append(fmt3(num(r, "lat_p999_ms")))
                        .append(" | ").append(target.equals("direct") ? "" : fmt3(num(r, "lat_p50_ms") - num(floor, "lat_p50_ms")))
                        .append(" | ").append(target.equals("direct") ? "" : fmt3(num(r, "lat_p99_ms") - num(floor, "lat_p99_ms")))
                        .append(" | ").append(fmt0(num(r, "errors"))).append(" | ")
                        .append(target.equals("direct") ? "" : fmt0(cpuPerRequest(r))).append(" |\n");
            }
        }
        md.append('\n');
    }

    private void openLoop() {
        List<Map<String, Object>> runs = all(m -> "open".equals(m.get("mode")) && label(m).startsWith("open|"));
        if (runs.isEmpty()) {
            return;
        }
        md.append("## Non-stream requests, open loop at a fixed rate\n\n")
                .append(fmt0(num(runs.get(0), "rate"))).append(" requests/s for every target (half the slowest ")
                .append("target's closed-loop rate at concurrency 64), up to 64 connections. Latency counts from ")
                .append("when each request was due, so time spent waiting for a connection is included.\n\n")
                .append("| target | sent | answered | errors | p50 | p90 | p99 | p99.9 | max | added p50 | added p99 |\n")
                .append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        Map<String, Object> floor = byTarget(runs, "direct");
        for (String target : TARGETS) {
            Map<String, Object> r = byTarget(runs, target);
            if (r.isEmpty()) {
                continue;
            }
            md.append("| ").append(NAMES.get(target)).append(" | ").append(fmt0(num(r, "sent"))).append(" | ")
                    .append(fmt0(num(r, "ok"))).append(" | ").append(fmt0(num(r, "errors"))).append(" | ")
                    .append(fmt3(num(r, "lat_p50_ms"))).append(" | ").append(fmt3(num(r, "lat_p90_ms"))).append(" | ")
                    .append(fmt3(num(r, "lat_p99_ms"))).append(" | ").append(fmt3(num(r, "lat_p999_ms"))).append(" | ")
                    .append(fmt3(num(r, "lat_max_ms"))).append(" | ")
                    .append(target.equals("direct") ? "" : fmt3(num(r, "lat_p50_ms") - num(floor, "lat_p50_ms"))).append(" | ")
                    .append(target.equals("direct") ? "" : fmt3(num(r, "lat_p99_ms") - num(floor, "lat_p99_ms"))).append(" |\n");
        }
        md.append('\n');
    }

    private void streaming() {
        List<Map<String, Object>> runs = all(m -> "stream".equals(m.get("mode")) && label(m).startsWith("stream|"));
        if (runs.isEmpty()) {
            return;
        }
        md.append("## Streaming\n\n")
                .append("One stream at a time; the fake upstream sends each event with its wall-clock time. ")
                .append("Time to first byte: from sending the request to the first event. Event delay: from the ")
                .append("upstream writing an event to the client reading it. Held back: events that reached the ")
                .append("client only after the upstream had sent the next one (batching).\n\n")
                .append("| target | streams complete | TTFB p50 | TTFB p99 | added TTFB p50 | event delay p50 | p99 | max | added event delay p50 | held back |\n")
                .append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        Map<String, Object> floor = byTarget(runs, "direct");
        for (String target : TARGETS) {
            Map<String, Object> r = byTarget(runs, target);
            if (r.isEmpty()) {
                continue;
            }
            md.append("| ").append(NAMES.get(target)).append(" | ").append(fmt0(num(r, "complete"))).append(" / ")
                    .append(fmt0(num(r, "requests"))).append(" | ").append(fmt3(num(r, "ttfb_p50_ms"))).append(" | ")
                    .append(fmt3(num(r, "ttfb_p99_ms"))).append(" | ")
                    .append(target.equals("direct") ? "" : fmt3(num(r, "ttfb_p50_ms") - num(floor, "ttfb_p50_ms")))
                    .append(" | ").append(fmt3(num(r, "lag_p50_ms"))).append(" | ").append(fmt3(num(r, "lag_p99_ms")))
                    .append(" | ").append(fmt3(num(r, "lag_max_ms"))).append(" | ")
                    .append(target.equals("direct") ? "" : fmt3(num(r, "lag_p50_ms") - num(floor, "lag_p50_ms")))
                    .append(" | ").append(fmt0(num(r, "held_back"))).append(" of ").append(fmt0(num(r, "events"))).append(" |\n");
        }
        md.append('\n');
    }

    private void longPrompts() {
        List<Double> sizes = longSizes();
        if (sizes.isEmpty()) {
            return;
        }
        md.append("## Long prompts\n\n")
                .append("One request at a time, a user message of that many MB (MiB) of ASCII text, `max_tokens` 16; ")
                .append("the targets take turns, each turn after unmeasured warm-up requests. Latency p50 in ms; ")
                .append("\"added\" is the target's minus direct's. Then the full flow alone between two forced ")
                .append("collections: the bytes the gateway allocated per request, from its GC log (every byte, humongous ")
                .append("objects included) and from `jvm_gc_memory_allocated_bytes_total` (Micrometer counts only what ")
                .append("was allocated in the young generation, so a body large enough to go straight to the old ")
                .append("generation is missing from it), in copies of the prompt; and the heap peak in that phase (jstat, ")
                .append("each second, before collection).\n\n")
                .append("| prompt | requests | direct p50 | nginx p50 | full flow p50 | nginx added | full flow added | added per MB | allocated per request (GC log) | copies of the prompt | Prometheus counter per request | heap peak |\n")
                .append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (double mb : sizes) {
            Map<String, Object> alloc = longAlloc(mb);
            double perRequest = num(alloc, "gc_log_allocated_bytes") / num(alloc, "requests");
            double prom = num(alloc, "prometheus_allocated_bytes") / num(alloc, "requests");
            md.append("| ").append(fmt0(mb)).append(" MB | ").append(fmt0(num(longRun("full", mb), "ok"))).append(" | ")
                    .append(fmt3(num(longRun("direct", mb), "lat_p50_ms"))).append(" | ")
                    .append(fmt3(num(longRun("nginx", mb), "lat_p50_ms"))).append(" | ")
                    .append(fmt3(num(longRun("full", mb), "lat_p50_ms"))).append(" | ")
                    .append(fmt3(longAdded("nginx", mb))).append(" | ").append(fmt3(longAdded("full", mb))).append(" | ")
                    .append(fmt3(longAdded("full", mb) / mb)).append(" | ")
                    .append(perRequest < 0 ? "n/a" : fmt1(perRequest / 1048576) + " MB").append(" | ")
                    .append(ratio(copies(mb))).append(" | ")
                    .append(prom < 0 ? "n/a" : fmt1(prom / 1048576) + " MB").append(" | ")
                    .append(fmt0(num(phase("long-" + fmt0(mb)), "heap_peak_mb"))).append(" MB |\n");
        }
        md.append("\nAllocation is an upper bound on what is live at once: at most ").append(fmt0(BODY_COPIES))
                .append(" copies allocated per request proves the heap bound; more does not disprove it (copies may ")
                .append("not be live together), hence \"not shown\" in the budget.\n\n");
    }

    private void tools() {
        List<Map<String, Object>> calibration = all(m -> label(m).startsWith("calibrate|"));
        List<Map<String, Object>> both = all(m -> label(m).startsWith("tools|"));
        if (calibration.isEmpty() && both.isEmpty()) {
            return;
        }
        md.append("## Load generators against a known latency\n\n")
                .append("The harness's load generator (`Load`, Java) and wrk (one thread, `--latency`), one after the ")
                .append("other, against the fake upstream answering after a fixed delay. A correct tool reports p50 = ")
                .append("delay + the floor it measures direct without delay, and with c connections c / (delay + floor) ")
                .append("requests/s; \"Little\" is mean latency x requests/s / connections, 1.00 for a consistent tool. ")
                .append("Tool CPU: the CPU the load generator itself used per request (the Java tool's includes its JVM's ")
                .append("start and JIT).\n\n")
                .append("| tool | delay | connections | p50 | p50 - delay | floor p50 (same tool, direct) | req/s | expected req/s | mean | Little | tool CPU µs/req |\n")
                .append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Map<String, Object> r : calibration) {
            String[] parts = label(r).split("\\|");
            String tool = parts[1];
            double delay = Double.parseDouble(parts[2]);
            double c = Double.parseDouble(parts[3]);
            double floor = num(labelled("tools|" + tool + "|direct|1"), "lat_p50_ms");
            md.append("| ").append(tool.equals("load") ? "Load" : "wrk").append(" | ").append(fmt0(delay)).append(" ms | ")
                    .append(fmt0(c)).append(" | ").append(fmt3(num(r, "lat_p50_ms"))).append(" | ")
                    .append(fmt3(num(r, "lat_p50_ms") - delay)).append(" | ").append(fmt3(floor)).append(" | ")
                    .append(fmt0(num(r, "rps"))).append(" | ").append(fmt0(c * 1000 / (delay + floor))).append(" | ")
                    .append(fmt3(num(r, "lat_mean_ms"))).append(" | ").append(ratio(little(r))).append(" | ")
                    .append(fmt0(toolCpu(r))).append(" |\n");
        }
        md.append("\n## Full flow and direct by both tools\n\n")
                .append("The same targets, each tool in turn, ").append("without the other targets taking turns (so the ")
                .append("figures are not those of the tables above). Proxy CPU: the gateway's per request.\n\n")
                .append("| target | connections | tool | req/s | p50 | p90 | p99 | mean | Little | errors | proxy CPU µs/req | tool CPU µs/req |\n")
                .append("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Map<String, Object> r : both) {
            String[] parts = label(r).split("\\|");
            md.append("| ").append(NAMES.get(parts[2])).append(" | ").append(parts[3]).append(" | ")
                    .append(parts[1].equals("load") ? "Load" : "wrk").append(" | ").append(fmt0(num(r, "rps"))).append(" | ")
                    .append(fmt3(num(r, "lat_p50_ms"))).append(" | ").append(fmt3(num(r, "lat_p90_ms"))).append(" | ")
                    .append(fmt3(num(r, "lat_p99_ms"))).append(" | ").append(fmt3(num(r, "lat_mean_ms"))).append(" | ")
                    .append(ratio(little(r))).append(" | ").append(fmt0(num(r, "errors"))).append(" | ")
                    .append(parts[2].equals("direct") ? "" : fmt0(cpuPerRequest(r))).append(" | ")
                    .append(fmt0(toolCpu(r))).append(" |\n");
        }
        for (String c : List.of("1", "64")) {
            Map<String, Object> load = labelled("tools|load|full|" + c), wrk = labelled("tools|wrk|full|" + c);
            if (!load.isEmpty() && !wrk.isEmpty()) {
                md.append(c.equals("1") ? "\n" : "").append("- Full flow, concurrency ").append(c).append(": p50 ")
                        .append(fmt3(num(load, "lat_p50_ms"))).append(" ms (Load) against ").append(fmt3(num(wrk, "lat_p50_ms")))
                        .append(" ms (wrk), ").append(fmt0(num(load, "rps"))).append(" against ").append(fmt0(num(wrk, "rps")))
                        .append(" req/s (wrk ").append(pct(num(wrk, "rps") / num(load, "rps") - 1)).append(")\n");
            }
        }
        md.append('\n');
    }

    private static double little(Map<String, Object> r) {
        return num(r, "lat_mean_ms") / 1000 * num(r, "rps") / num(r, "concurrency");
    }

    private static double toolCpu(Map<String, Object> r) {
        return num(r, "tool_cpu_ms") * 1000 / num(r, "answered_total");
    }

    private void held() {
        Map<String, Object> hold = first(m -> "hold".equals(m.get("mode")));
        if (hold.isEmpty()) {
            return;
        }
        Map<String, Object> memory = first(m -> "memory".equals(m.get("mode")) && "streams".equals(m.get("phase")));
        md.append("## Concurrent streams through the full flow\n\n")
                .append("Streams opened over the ramp, each held open by a slow upstream (one event a second) and ")
                .append("read to the end: complete means every event, the usage chunk and `[DONE]`, no error chunk.\n\n")
                .append("| streams | events each | complete | cut | error chunk | missing events | bad status | peak open at once | heap peak | RSS peak | seconds |\n")
                .append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
                .append("| ").append(fmt0(num(hold, "streams"))).append(" | ").append(fmt0(num(hold, "events_each")))
                .append(" | ").append(fmt0(num(hold, "complete"))).append(" | ").append(fmt0(num(hold, "cut")))
                .append(" | ").append(fmt0(num(hold, "error_chunk"))).append(" | ").append(fmt0(num(hold, "missing_events")))
                .append(" | ").append(fmt0(num(hold, "bad_status") + num(hold, "connect_failed"))).append(" | ")
                .append(fmt0(num(hold, "peak_open"))).append(" | ").append(fmt0(num(memory, "heap_peak_mb"))).append(" MB | ")
                .append(fmt0(num(memory, "rss_peak_mb"))).append(" MB | ").append(num(hold, "seconds")).append(" |\n");
        if (hold.get("sample_failures") != null) {
            md.append("\nFirst failures: ").append(hold.get("sample_failures")).append('\n');
        }
        md.append('\n');
    }

    private void memory() {
        Map<String, Object> startup = first(m -> "startup".equals(m.get("mode")));
        Map<String, Object> load = first(m -> "memory".equals(m.get("mode")) && "load-c64".equals(m.get("phase")));
        Map<String, Object> streams = first(m -> "memory".equals(m.get("mode")) && "streams".equals(m.get("phase")));
        Map<String, Object> idle = first(m -> "memory".equals(m.get("mode")) && "idle-end".equals(m.get("phase")));
        Map<String, Object> nginx = first(m -> "nginx".equals(m.get("mode")));
        md.append("## Memory and start-up\n\n")
                .append("| start-up to ready | RSS idle after start | RSS peak, full flow at concurrency 64 | heap peak, same | RSS peak, concurrent streams | RSS idle at the end | nginx RSS (all processes) |\n")
                .append("|---:|---:|---:|---:|---:|---:|---:|\n")
                .append("| ").append(fmt0(num(startup, "ready_ms"))).append(" ms (Spring: ")
                .append(startup.get("spring_started_s")).append(" s) | ").append(fmt0(num(startup, "rss_idle_mb")))
                .append(" MB | ").append(fmt0(num(load, "rss_peak_mb"))).append(" MB | ")
                .append(fmt0(num(load, "heap_peak_mb"))).append(" MB | ").append(fmt0(num(streams, "rss_peak_mb")))
                .append(" MB | ").append(fmt0(num(idle, "rss_peak_mb"))).append(" MB | ")
                .append(fmt0(num(nginx, "rss_mb"))).append(" MB |\n\n")
                .append("Start-up to ready: from launching the JVM to `/actuator/health/readiness` answering UP. ")
                .append("Heap: used (eden, survivors, old) sampled each second by jstat, before collection; the ")
                .append("heap is capped by `-Xmx`.\n\n");
    }

    private void ledger() {
        Map<String, Object> ledger = first(m -> "ledger".equals(m.get("mode")));
        List<Map<String, Object>> settles = all(m -> "settle".equals(m.get("mode")) && !String.valueOf(m.get("after")).startsWith("warmup"));
        long answered = answeredThroughFullFlow();
        md.append("## Settlement\n\n")
                .append("Settlement runs off the response path. After each full-flow load the run waits until the ")
                .append("account holds nothing, and records how long that took.\n\n")
                .append("| after | wait for holds to settle | held then |\n|---|---:|---:|\n");
        for (Map<String, Object> s : settles) {
            md.append("| ").append(String.valueOf(s.get("after")).replace("|", " ")).append(" | ").append(fmt0(num(s, "wait_ms"))).append(" ms | ")
                    .append(plain(s.get("held"))).append(" |\n");
        }
        double credits = num(ledger, "total_credits"), usage = num(ledger, "total_usage"), balance = num(ledger, "balance");
        md.append("\nAt the end: ").append(fmt0(num(ledger, "usage_rows"))).append(" usage rows for ")
                .append(fmt0(answered)).append(" answers the load tools counted through the full flow (warm-up and the ")
                .append("requests still in flight when a timed run stopped are settled too, so rows can be more); ")
                .append("holds open: ").append(plain(ledger.get("held"))).append("; balance ").append(plain(ledger.get("balance")))
                .append(" = credits ").append(plain(ledger.get("total_credits"))).append(" - usage ")
                .append(plain(ledger.get("total_usage")))
                .append(Math.abs(credits - usage - balance) < 1e-6 ? " (consistent)" : " (**inconsistent**)").append(".\n");
    }

    // ---------------------------------------------------------------- lookups and formatting

    /** Answers the load tools counted through the full flow, warm-up included: each must have its usage row. */
    private long answeredThroughFullFlow() {
        long answered = 0;
        for (Map<String, Object> r : all(m -> label(m).contains("|full"))) {
            answered += (long) zero(num(r, "answered_total"));
        }
        return answered;
    }

    private Map<String, Object> closed(String target, int concurrency) {
        return labelled("closed|" + target + "|" + concurrency);
    }

    private Map<String, Object> labelled(String label) {
        return first(m -> label.equals(m.get("label")));
    }

    private static Map<String, Object> byTarget(List<Map<String, Object>> runs, String target) {
        for (Map<String, Object> r : runs) {
            String[] parts = label(r).split("\\|");
            if (parts.length > 1 && parts[1].equals(target)) {
                return r;
            }
        }
        return Map.of();
    }

    private static String label(Map<String, Object> m) {
        Object label = m.get("label");
        return label == null ? "" : label.toString();
    }

    private Map<String, Object> first(Predicate<Map<String, Object>> test) {
        for (Map<String, Object> line : lines) {
            if (test.test(line)) {
                return line;
            }
        }
        return Map.of();
    }

    private List<Map<String, Object>> all(Predicate<Map<String, Object>> test) {
        return lines.stream().filter(test).toList();
    }

    private static double num(Map<String, Object> m, String key) {
        Object v = m.get(key);
        return v instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    private static double cpuPerRequest(Map<String, Object> r) {
        return num(r, "proxy_cpu_ms") * 1000 / num(r, "answered_total");
    }

    private static double zero(double v) {
        return Double.isNaN(v) ? 0 : v;
    }

    private static String plain(Object v) {
        return v instanceof Double d ? new java.math.BigDecimal(d.toString()).stripTrailingZeros().toPlainString()
                : String.valueOf(v);
    }

    private static String fmt0(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%,.0f", v);
    }

    private static String fmt1(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.1f", v);
    }

    private static String fmt3(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.3f", v);
    }

    private static String ms(double v) {
        return fmt3(v) + " ms";
    }

    private static String pct(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.0f %%", v * 100);
    }

    private static String ratio(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.2f", v);
    }

    /** A flat JSON object: string, number, boolean and null values. */
    static Map<String, Object> parse(String json) {
        Map<String, Object> map = new LinkedHashMap<>();
        int i = json.indexOf('{') + 1;
        while (i < json.length()) {
            i = skip(json, i);
            if (json.charAt(i) == '}') {
                break;
            }
            int keyEnd = json.indexOf('"', i + 1);
            String key = json.substring(i + 1, keyEnd);
            i = skip(json, json.indexOf(':', keyEnd) + 1);
            Object value;
            if (json.charAt(i) == '"') {
                StringBuilder s = new StringBuilder();
                i++;
                while (json.charAt(i) != '"') {
                    char c = json.charAt(i++);
                    s.append(c == '\\' ? json.charAt(i++) : c);
                }
                i++;
                value = s.toString();
            } else {
                int end = i;
                while (end < json.length() && ",}".indexOf(json.charAt(end)) < 0) {
                    end++;
                }
                String raw = json.substring(i, end).trim();
                value = switch (raw) {
                    case "null" -> null;
                    case "true" -> Boolean.TRUE;
                    case "false" -> Boolean.FALSE;
                    default -> Double.parseDouble(raw);
                };
                i = end;
            }
            map.put(key, value);
            i = skip(json, i);
            if (json.charAt(i) == ',') {
                i++;
            }
        }
        return map;
    }

    private static int skip(String s, int i) {
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        return i;
    }
}
