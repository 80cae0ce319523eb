package dev.caravan.web;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

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
 * garbage collection, against a fraction of the largest heap ({@code caravan.http.max-heap-in-use}).
 *
 * <p>Why: every request in flight holds its connection's buffers, its thread's stack and its exchange
 * (about 155 KB for a held stream: docs/performance.md, "Heap per held stream"), so a bound on
 * requests in flight sized for the largest heap is too many for a smaller one, and long prompts hold
 * megabytes each. Without this, a
 * gateway given more streams than its heap holds threw {@code OutOfMemoryError} in its own threads
 * (the watchdog, Tomcat's acceptor) and never recovered; with it, new requests are refused with 503
 * while the ones in flight finish. The figure after a collection is the one that counts: before it the
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

    private final long bound;
    private final Set<String> heapPools;
    private final List<NotificationEmitter> listenedTo = new ArrayList<>();
    private volatile boolean over;
    private volatile long lastCheck = System.nanoTime();
    private volatile long lastLogged = System.nanoTime() - LOG_EVERY_NANOS;
    private volatile int changesUnlogged;

    /**
     * @param maxFraction the largest share of the maximum heap in use after a collection with which new
     *                    requests are still taken; 0 or less, or 1 and more: never refuse
     */
    public HeapPressure(double maxFraction) {
        long maxHeap = Runtime.getRuntime().maxMemory();
        this.bound = maxFraction > 0 && maxFraction < 1 && maxHeap != Long.MAX_VALUE ? (long) (maxHeap * maxFraction) : -1;
        this.heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(pool -> pool.getType() == MemoryType.HEAP).map(MemoryPoolMXBean::getName)
                // the young space is empty after a young collection and full of garbage after any other
                // (G1's remark and cleanup pauses notify too): what is left in it is not what is held
                .filter(name -> !name.contains("Eden"))
                .collect(Collectors.toUnmodifiableSet());
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
     * The bound on requests in flight a heap holds: its allowed share less what the gateway holds idle,
     * a request in flight costing {@code bytesPerRequest} (a held stream about 155 KB: its connection's
     * buffers in Tomcat and to the upstream, its virtual thread's stack, its exchange). The configured
     * bound when that is lower, or when there is no heap bound (the fraction off).
     */
    static int requestsTheHeapHolds(long maxHeap, double maxFraction, long bytesPerRequest, int configured) {
        if (!(maxFraction > 0 && maxFraction < 1) || bytesPerRequest <= 0 || maxHeap == Long.MAX_VALUE) {
            return configured;
        }
        long holds = Math.max(1, ((long) (maxHeap * maxFraction) - IDLE_HEAP_BYTES) / bytesPerRequest);
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
