package dev.caravan.web;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

import com.sun.management.GarbageCollectionNotificationInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the heap is too full to take on another request: the heap still in use after the latest
 * garbage collection (the young space left out), against a share ({@code caravan.http.max-heap-in-use})
 * of what the counted pools can hold ({@link #capacity()}).
 *
 * <p>Why: every request in flight holds its connection's buffers, its thread's stack and its exchange
 * (about 155 KB for a held stream: docs/performance.md, "Heap per held stream"), so a bound on
 * requests in flight sized for the largest heap is too many for a smaller one, and long prompts hold
 * megabytes each. Without this, a gateway given more streams than its heap holds threw
 * {@code OutOfMemoryError} in its own threads (the watchdog, Tomcat's acceptor) and never recovered;
 * with it, new requests are refused with 503 while the ones in flight finish. The figure after a collection is the one that counts: before it the
 * heap is full of garbage at any load.
 *
 * <p>The state follows the collector's notifications. Left refused with no collection coming (the
 * load stopped), the current use is checked at most every {@value #RECHECK_NANOS} ns: when even that
 * (garbage included) is under the bound, the heap has room again.
 */
public final class HeapPressure implements NotificationListener, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HeapPressure.class);
    private static final long RECHECK_NANOS = 100_000_000L;
    /** Under pressure the state may change at every collection: one line per change at most this often. */
    private static final long LOG_EVERY_NANOS = 10_000_000_000L;
    /**
     * What the gateway holds with nothing in flight (classes' statics, caches, pools, the tokenizer's
     * tables): 76 MB live in a 1 GB heap, measured with {@code jmap -histo:live} (docs/performance.md).
     */
    static final long IDLE_HEAP_BYTES = 96L << 20;

    /** The collections whose figures are what is held: not G1's remark and cleanup, nor ZGC's pauses (which report none). */
    private static final Set<String> COLLECTION_ENDS = Set.of("end of minor GC", "end of major GC", "end of GC cycle");

    private final double maxFraction;
    private final long capacity;
    private final long bound;
    private final Set<String> heapPools;
    private final List<NotificationEmitter> listenedTo = new ArrayList<>();
    private volatile boolean over;
    private volatile long lastCheck = System.nanoTime();
    private volatile long lastLogged = System.nanoTime() - LOG_EVERY_NANOS;
    private volatile int changesUnlogged;

    /**
     * @param maxFraction the largest share of the heap ({@link #capacity()}) in use after a collection with which new
     *                    requests are still taken; 0 or less, or 1 and more: never refuse
     */
    public HeapPressure(double maxFraction) {
        Map<String, Long> maxima = new HashMap<>();
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && counted(pool.getName())) {
                maxima.put(pool.getName(), pool.getUsage().getMax());
            }
        }
        this.maxFraction = maxFraction;
        this.heapPools = Set.copyOf(maxima.keySet());
        this.capacity = capacityOf(maxima, Runtime.getRuntime().maxMemory());
        this.bound = maxFraction > 0 && maxFraction < 1 && capacity != Long.MAX_VALUE ? (long) (capacity * maxFraction) : -1;
        if (bound > 0) {
            for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
                if (collector instanceof NotificationEmitter emitter) {
                    emitter.addNotificationListener(this, null, null);
                    listenedTo.add(emitter);
                }
            }
        }
    }

    /**
     * Whether a heap pool's use after a collection is what the gateway holds: the young space is not
     * (empty after a young collection, and whatever it holds is about to be collected or promoted).
     */
    static boolean counted(String poolName) {
        return !poolName.contains("Eden");
    }

    /**
     * What the counted pools can hold: the sum of their maxima, at most the whole heap (ZGC's two
     * generations may each report the whole heap; G1's survivor space reports none). Less than the
     * heap under Serial and Parallel, whose old generation is about two thirds of it: a fraction of the
     * whole heap would never be reached there before the old generation is full.
     */
    static long capacityOf(Map<String, Long> poolMaxima, long maxHeap) {
        long sum = 0;
        for (long max : poolMaxima.values()) {
            if (max > 0) {
                sum += max;
            }
        }
        return sum > 0 ? Math.min(sum, maxHeap) : maxHeap;
    }

    /** What the pools whose use after a collection is counted can hold (see {@link #capacityOf}). */
    public long capacity() {
        return capacity;
    }

    /** {@link #requestsTheHeapHolds} for this JVM's heap and this share of it. */
    public int requestsItHolds(long bytesPerRequest, int configured) {
        return requestsTheHeapHolds(capacity, maxFraction, bytesPerRequest, configured);
    }

    /**
     * The bound on requests in flight a heap holds: its allowed share less what the gateway holds idle,
     * a request in flight costing {@code bytesPerRequest} (a held stream about 155 KB: its connection's
     * buffers in Tomcat and to the upstream, its virtual thread's stack, its exchange). The configured
     * bound when that is lower, or when there is no heap bound (the fraction off).
     */
    static int requestsTheHeapHolds(long capacity, double maxFraction, long bytesPerRequest, int configured) {
        if (!(maxFraction > 0 && maxFraction < 1) || bytesPerRequest <= 0 || capacity == Long.MAX_VALUE) {
            return configured;
        }
        long holds = Math.max(1, ((long) (capacity * maxFraction) - IDLE_HEAP_BYTES) / bytesPerRequest);
        return configured > 0 && configured <= holds ? configured : (int) Math.min(Integer.MAX_VALUE, holds);
    }

    /** True while new requests should be refused. */
    public boolean overloaded() {
        if (!over) {
            return false;
        }
        long now = System.nanoTime();
        if (now - lastCheck > RECHECK_NANOS) {
            lastCheck = now;
            observe(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return over;
    }

    /** The bytes in use after a collection (or now, which is never less); takes effect at once. */
    void observe(long usedBytes) {
        boolean before = over;
        over = bound > 0 && usedBytes > bound;
        if (over == before) {
            return;
        }
        long now = System.nanoTime();
        if (now - lastLogged < LOG_EVERY_NANOS) {
            changesUnlogged++;
            return;
        }
        lastLogged = now;
        String earlier = changesUnlogged == 0 ? "" : " (" + changesUnlogged + " changes since the last line)";
        changesUnlogged = 0;
        if (over) {
            LOG.warn("Heap in use after collection {} MB is over caravan.http.max-heap-in-use ({} MB): refusing new requests with 503 until it falls{}",
                    usedBytes >> 20, bound >> 20, earlier);
        } else {
            LOG.info("Heap in use {} MB is under caravan.http.max-heap-in-use again ({} MB): taking requests{}",
                    usedBytes >> 20, bound >> 20, earlier);
        }
    }

    @Override
    public void handleNotification(Notification notification, Object handback) {
        if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
            return;
        }
        var info = GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData());
        if (!COLLECTION_ENDS.contains(info.getGcAction())) {
            return;
        }
        long used = 0;
        for (var pool : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
            if (heapPools.contains(pool.getKey())) {
                used += pool.getValue().getUsed();
            }
        }
        lastCheck = System.nanoTime();
        observe(used);
    }

    @Override
    public void close() {
        for (NotificationEmitter emitter : listenedTo) {
            try {
                emitter.removeNotificationListener(this);
            } catch (ListenerNotFoundException alreadyGone) {
                // nothing to remove
            }
        }
        listenedTo.clear();
    }
}
