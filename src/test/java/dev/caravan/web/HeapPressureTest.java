package dev.caravan.web;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The heap's part in admission: the bound on requests in flight a heap holds, and the refusal that
 * follows the collector's own reports (real garbage collections of this JVM, not figures fed in).
 */
class HeapPressureTest {

    private static final long GB = 1L << 30;
    private static final long KB = 1L << 10;

    @Test
    void theBoundOnRequestsInFlightIsWhatTheHeapHoldsWhenThatIsLess() {
        // (0.85 GB - 96 MB) / 256 KB
        assertThat(HeapPressure.requestsTheHeapHolds(GB, 0.85, 256 * KB, 10_000)).isEqualTo(3097);
        assertThat(HeapPressure.requestsTheHeapHolds(4 * GB, 0.85, 256 * KB, 10_000)).isEqualTo(10_000);
        // no configured bound: the heap's
        assertThat(HeapPressure.requestsTheHeapHolds(GB, 0.85, 256 * KB, -1)).isEqualTo(3097);
        assertThat(HeapPressure.requestsTheHeapHolds(GB, 0.85, 256 * KB, 4)).isEqualTo(4);
        // the heap's share switched off, or no cost per request: the configured bound alone
        assertThat(HeapPressure.requestsTheHeapHolds(GB, 0, 256 * KB, 10_000)).isEqualTo(10_000);
        assertThat(HeapPressure.requestsTheHeapHolds(GB, 1, 256 * KB, 10_000)).isEqualTo(10_000);
        assertThat(HeapPressure.requestsTheHeapHolds(GB, 0.85, 0, 10_000)).isEqualTo(10_000);
        // a heap smaller than what the gateway holds idle still takes one request at a time
        assertThat(HeapPressure.requestsTheHeapHolds(64L << 20, 0.85, 256 * KB, 10_000)).isEqualTo(1);
    }

    @Test
    void aCollectionLeavingMoreInUseThanTheShareRefusesAndOneLeavingLessTakesAgain() {
        // any heap in use at all is over a millionth of it
        try (HeapPressure tight = new HeapPressure(0.000001); HeapPressure roomy = new HeapPressure(0.99)) {
            System.gc();
            await().atMost(Duration.ofSeconds(10)).until(tight::overloaded);
            assertThat(roomy.overloaded()).isFalse();

            tight.observe(0);
            assertThat(tight.overloaded()).isFalse();
        }
    }

    @Test
    void whatIsHeldIsMeasuredAgainstWhatThePoolsThatHoldItCanHold() {
        // G1: the old generation may take the whole heap, the survivor space reports no maximum
        assertThat(HeapPressure.capacityOf(Map.of("G1 Old Gen", GB, "G1 Survivor Space", -1L), GB)).isEqualTo(GB);
        // Serial and Parallel: the old generation is about two thirds of the heap, and that is the bound
        long tenured = 2 * GB / 3;
        long survivor = GB / 30;
        assertThat(HeapPressure.capacityOf(Map.of("Tenured Gen", tenured, "Survivor Space", survivor), GB))
                .isEqualTo(tenured + survivor);
        // generational ZGC: each generation may report the whole heap
        assertThat(HeapPressure.capacityOf(Map.of("ZGC Young Generation", GB, "ZGC Old Generation", GB), GB)).isEqualTo(GB);
        assertThat(HeapPressure.capacityOf(Map.of(), GB)).isEqualTo(GB);

        assertThat(HeapPressure.counted("G1 Eden Space")).isFalse();
        assertThat(HeapPressure.counted("PS Eden Space")).isFalse();
        assertThat(HeapPressure.counted("G1 Old Gen")).isTrue();

        // this JVM's own
        try (HeapPressure heap = new HeapPressure(0.85)) {
            assertThat(heap.capacity()).isPositive().isLessThanOrEqualTo(Runtime.getRuntime().maxMemory());
        }
    }

    @Test
    void switchedOffItNeverRefuses() {
        try (HeapPressure off = new HeapPressure(0)) {
            off.observe(Long.MAX_VALUE);
            System.gc();
            assertThat(off.overloaded()).isFalse();
        }
    }
}
