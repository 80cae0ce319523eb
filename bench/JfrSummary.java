import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Summarises a JFR recording of the gateway for the profile section of docs/performance.md: CPU
 * samples by method, inclusive (a method counts every sample it is on the stack of, so
 * {@code Reservations.reserve} includes the database work under it), and allocation by type and by
 * the first {@code dev.caravan} / Camel frame that allocated.
 *
 * <p>Usage: {@code java JfrSummary.java recording.jfr [filter-prefix...] }
 * (default prefixes: dev.caravan, org.apache.camel, org.h2, com.zaxxer, com.knuddels, org.springframework.jdbc,
 * com.fasterxml, org.apache.hc, org.apache.catalina, org.apache.coyote).
 */
public final class JfrSummary {

    public static void main(String[] args) throws Exception {
        if (args.length == 3 && args[1].equals("--callees")) {
            callees(Path.of(args[0]), args[2]);
            return;
        }
        List<String> prefixes = args.length > 1 ? List.of(args).subList(1, args.length)
                : List.of("dev.caravan", "org.apache.camel", "org.h2", "com.zaxxer", "com.knuddels",
                "org.springframework.jdbc", "org.springframework.transaction", "com.fasterxml", "org.apache.hc",
                "org.apache.catalina", "org.apache.coyote", "io.micrometer", "java.security", "sun.security");
        Map<String, Integer> inclusive = new HashMap<>();
        Map<String, Integer> top = new HashMap<>();
        Map<String, Long> allocByType = new HashMap<>();
        Map<String, Long> allocBySite = new HashMap<>();
        int samples = 0;
        long allocated = 0;
        for (RecordedEvent event : RecordingFile.readAllEvents(Path.of(args[0]))) {
            String type = event.getEventType().getName();
            RecordedStackTrace stack = event.getStackTrace();
            if (stack == null) {
                continue;
            }
            if (type.equals("jdk.ExecutionSample")) {
                samples++;
                Set<String> seen = new HashSet<>();
                List<RecordedFrame> frames = stack.getFrames();
                if (!frames.isEmpty()) {
                    top.merge(name(frames.get(0)), 1, Integer::sum);
                }
                for (RecordedFrame frame : frames) {
                    String name = name(frame);
                    if (matches(name, prefixes) && seen.add(name)) {
                        inclusive.merge(name, 1, Integer::sum);
                    }
                }
            } else if (type.equals("jdk.ObjectAllocationSample")) {
                long weight = event.getLong("weight");
                allocated += weight;
                allocByType.merge(event.getClass("objectClass").getName(), weight, Long::sum);
                for (RecordedFrame frame : stack.getFrames()) {
                    String name = name(frame);
                    if (name.startsWith("dev.caravan") || name.startsWith("org.apache.camel.component")
                            || name.startsWith("org.h2") || name.startsWith("com.knuddels")) {
                        allocBySite.merge(name, weight, Long::sum);
                        break;
                    }
                }
            }
        }
        System.out.printf("CPU samples: %d%n%nInclusive samples by method (filtered):%n", samples);
        print(inclusive, samples, 45);
        System.out.printf("%nTop frames (self time):%n");
        print(top, samples, 25);
        System.out.printf("%nAllocation by type (sampled weight, MB): total %.0f MB%n", allocated / 1e6);
        printBytes(allocByType, 20);
        System.out.printf("%nAllocation by first dev.caravan / camel component / h2 / jtokkit frame (MB):%n");
        printBytes(allocBySite, 25);
    }

    /** What a method spends its samples on: its direct callees, inclusive, for a quick drill-down. */
    private static void callees(Path recording, String method) throws Exception {
        Map<String, Integer> counts = new HashMap<>();
        int total = 0;
        for (RecordedEvent event : RecordingFile.readAllEvents(recording)) {
            if (!event.getEventType().getName().equals("jdk.ExecutionSample") || event.getStackTrace() == null) {
                continue;
            }
            List<RecordedFrame> frames = event.getStackTrace().getFrames();
            for (int i = frames.size() - 1; i >= 0; i--) {
                if (name(frames.get(i)).equals(method)) {
                    total++;
                    counts.merge(i == 0 ? "(self)" : name(frames.get(i - 1)), 1, Integer::sum);
                    break;
                }
            }
        }
        System.out.printf("%s: %d samples%n", method, total);
        print(counts, Math.max(1, total), 30);
    }

    private static boolean matches(String name, List<String> prefixes) {
        for (String prefix : prefixes) {
            if (name.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    private static String name(RecordedFrame frame) {
        return frame.getMethod().getType().getName() + "." + frame.getMethod().getName();
    }

    private static void print(Map<String, Integer> counts, int total, int limit) {
        counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(limit)
                .forEach(e -> System.out.printf("  %5.1f%%  %6d  %s%n", 100.0 * e.getValue() / total, e.getValue(), e.getKey()));
    }

    private static void printBytes(Map<String, Long> bytes, int limit) {
        bytes.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(limit)
                .forEach(e -> System.out.printf("  %8.1f  %s%n", e.getValue() / 1e6, e.getKey()));
    }
}
