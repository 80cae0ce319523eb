package dev.caravan.routing;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Interrupts attempts made on a request's own thread ({@link UpstreamAttempt#runHere}) that have not
 * answered by their first-byte deadline. One thread looks every {@link #TICK_MILLIS} ms. A timer task
 * per attempt was measured to cost more than it saves: scheduling and cancelling each one woke the
 * timer thread twice per request, which made a request at concurrency 1 use more CPU than with the
 * thread hand-offs the inline attempt removes. A deadline is thus kept to within a tick; first-byte
 * timeouts are seconds.
 */
final class FirstByteWatchdog {

    static final long TICK_MILLIS = 25;

    private final Set<UpstreamAttempt> watched = ConcurrentHashMap.newKeySet();
    private final Thread thread = Thread.ofPlatform().name("first-byte-watchdog").daemon().start(this::loop);
    private volatile boolean stopped;

    void watch(UpstreamAttempt attempt) {
        watched.add(attempt);
    }

    void forget(UpstreamAttempt attempt) {
        watched.remove(attempt);
    }

    void stop() {
        stopped = true;
        thread.interrupt();
    }

    private void loop() {
        while (!stopped) {
            try {
                Thread.sleep(TICK_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
            long now = System.nanoTime();
            for (UpstreamAttempt attempt : watched) {
                if (now - attempt.firstByteDeadlineNanos >= 0) {
                    watched.remove(attempt);
                    attempt.timeOut();
                }
            }
        }
    }
}
