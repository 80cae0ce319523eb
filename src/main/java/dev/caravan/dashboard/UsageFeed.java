package dev.caravan.dashboard;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;

import dev.caravan.api.GatewayException;
import dev.caravan.billing.BillingJson;
import dev.caravan.billing.UsageQueries;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * The live usage feed behind {@code GET /api/usage/stream}: usage rows reach the browser of their
 * account within about {@code caravan.dashboard.live-poll-interval}, whichever instance settled them,
 * because the feed reads the database (the rows every instance writes), not this instance's memory.
 * One poller per instance, and only while someone watches: one indexed query per interval for all
 * watchers. Metadata only, as in {@code /api/usage}; never content.
 * <p>
 * A row's seq is taken before its transaction commits, so rows can become visible slightly out of seq
 * order. The feed therefore re-reads a short window below the newest seq it has seen (rows already sent
 * are skipped by seq), and gives up on a row only once the seq it lies under has been seen for
 * {@link #SETTLE_WINDOW}. The usage table stays the record; the feed is the notification.
 */
@Component
public class UsageFeed implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(UsageFeed.class);
    static final Duration SETTLE_WINDOW = Duration.ofSeconds(3);
    private static final Duration KEEPALIVE = Duration.ofSeconds(15);
    private static final int MAX_ROWS_PER_POLL = 5000;
    private static final int ACCOUNTS_PER_QUERY = 200;
    private static final int QUEUE_PER_STREAM = 1000;

    /**
     * One open stream. Events reach it through its own queue and virtual thread, so a browser that
     * reads slowly (or not at all) delays only itself, never the poller and the other streams; one that
     * falls {@value #QUEUE_PER_STREAM} events behind is closed, and the browser reconnects.
     * {@code fromSeq}: the newest row when the stream opened; the stream carries only rows after it.
     */
    private final class Watcher {
        final SseEmitter emitter;
        final String accountId;
        final String keyId;
        final String sessionId;
        final long fromSeq;
        private final BlockingQueue<SseEmitter.SseEventBuilder> queue = new LinkedBlockingQueue<>(QUEUE_PER_STREAM);
        private volatile Thread sender;

        Watcher(SseEmitter emitter, String accountId, String keyId, String sessionId, long fromSeq) {
            this.emitter = emitter;
            this.accountId = accountId;
            this.keyId = keyId;
            this.sessionId = sessionId;
            this.fromSeq = fromSeq;
        }

        void start() {
            sender = Thread.ofVirtual().name("usage-feed-stream").start(() -> {
                try {
                    while (true) {
                        emitter.send(queue.take());
                    }
                } catch (InterruptedException ended) {
                    Thread.currentThread().interrupt();
                } catch (IOException | IllegalStateException gone) {
                    remove(this);
                }
            });
        }

        void offer(SseEmitter.SseEventBuilder event) {
            if (!queue.offer(event)) {
                remove(this);
                close();
            }
        }

        /**
         * Ends the stream off the calling thread: the emitter's lock is held by a send that may be stuck
         * on a client that stopped reading, and the poller must never wait for one browser.
         */
        void close() {
            Thread.ofVirtual().name("usage-feed-close").start(emitter::complete);
        }

        void stop() {
            Thread thread = sender;
            if (thread != null) {
                thread.interrupt();
            }
        }
    }

    private record Seen(Instant at, long seq) {
    }

    private final UsageQueries usage;
    private final BillingJson billingJson;
    private final WebSessions sessions;
    private final DashboardSettings settings;
    private final Map<String, List<Watcher>> watchers = new ConcurrentHashMap<>();
    private volatile Thread poller;
    private volatile boolean running;

    // poller thread only
    private long floor = -1;
    private final Set<Long> sentAboveFloor = new HashSet<>();
    private final Deque<Seen> seen = new ArrayDeque<>();
    private Instant lastKeepalive = Instant.now();

    public UsageFeed(UsageQueries usage, BillingJson billingJson, WebSessions sessions, DashboardSettings settings) {
        this.usage = usage;
        this.billingJson = billingJson;
        this.sessions = sessions;
        this.settings = settings;
    }

    /** A new stream for the session's account (optionally one key's requests only), or 429 past the per-account bound. */
    public SseEmitter watch(SessionUser user, String keyId) {
        SseEmitter emitter = new SseEmitter(settings.liveStreamLifetime().toMillis());
        Watcher watcher = new Watcher(emitter, user.accountId(), keyId, user.sessionId(), usage.latestSeq());
        int[] open = {0};
        // counted and added in one step: tabs opening at once cannot pass the bound together
        watchers.compute(user.accountId(), (account, list) -> {
            List<Watcher> ofAccount = list == null ? new CopyOnWriteArrayList<>() : list;
            open[0] = ofAccount.size();
            if (open[0] < settings.liveStreamsPerAccount()) {
                ofAccount.add(watcher);
            }
            return ofAccount;
        });
        if (open[0] >= settings.liveStreamsPerAccount()) {
            throw new GatewayException(429, "rate_limit_error", "too_many_streams", null, "This account has "
                    + open[0] + " live usage streams open already: close a tab, or wait for one to end.", 5L);
        }
        emitter.onCompletion(() -> remove(watcher));
        emitter.onTimeout(() -> remove(watcher));
        emitter.onError(e -> remove(watcher));
        watcher.start();
        // opens the stream at once, so the browser knows it is live before the first request
        watcher.offer(SseEmitter.event().comment("live"));
        return emitter;
    }

    /** Forgets the stream (and its account, once it has none): called from any thread, any number of times. */
    private void remove(Watcher watcher) {
        watchers.computeIfPresent(watcher.accountId, (account, list) -> {
            list.remove(watcher);
            return list.isEmpty() ? null : list;
        });
        watcher.stop();
    }

    void pollOnce() {
        List<String> accounts = watchers.entrySet().stream().filter(e -> !e.getValue().isEmpty()).map(Map.Entry::getKey)
                .toList();
        if (accounts.isEmpty()) {
            // nobody watches: the next watcher starts from the rows of then, not from a backlog
            floor = -1;
            return;
        }
        Instant now = Instant.now();
        long latest = usage.latestSeq();
        if (floor < 0) {
            // from where the first stream began, not from this turn: a row settled in between is its
            floor = watchers.values().stream().flatMap(List::stream).mapToLong(w -> w.fromSeq).min().orElse(latest);
            sentAboveFloor.clear();
            seen.clear();
        }
        seen.addLast(new Seen(now, latest));
        while (seen.size() > 1 && seen.peekFirst().at().isBefore(now.minus(SETTLE_WINDOW))) {
            floor = Math.max(floor, seen.removeFirst().seq());
        }
        sentAboveFloor.removeIf(seq -> seq <= floor);
        for (int i = 0; i < accounts.size(); i += ACCOUNTS_PER_QUERY) {
            for (Map<String, Object> row : usage.after(floor, accounts.subList(i, Math.min(accounts.size(), i + ACCOUNTS_PER_QUERY)),
                    MAX_ROWS_PER_POLL)) {
                long seq = ((Number) row.get("seq")).longValue();
                if (sentAboveFloor.add(seq)) {
                    deliver(row);
                }
            }
        }
        if (now.isAfter(lastKeepalive.plus(KEEPALIVE))) {
            lastKeepalive = now;
            keepaliveAndEndStale();
        }
    }

    private void deliver(Map<String, Object> row) {
        List<Watcher> ofAccount = watchers.get((String) row.get("account_id"));
        if (ofAccount == null) {
            return;
        }
        String keyId = (String) row.get("key_id");
        long seq = ((Number) row.get("seq")).longValue();
        for (Watcher watcher : ofAccount) {
            if (seq > watcher.fromSeq && (watcher.keyId == null || watcher.keyId.equals(keyId))) {
                watcher.offer(SseEmitter.event().name("usage").id((String) row.get("request_id"))
                        .data(billingJson.usageRecord(row), MediaType.APPLICATION_JSON));
            }
        }
    }

    /**
     * A comment line keeps proxies from closing an idle stream; a stream whose session ended is closed.
     * One query for all the streams' sessions.
     */
    private void keepaliveAndEndStale() {
        List<Watcher> all = watchers.values().stream().flatMap(List::stream).toList();
        Set<String> live = sessions.activeAmong(all.stream().map(w -> w.sessionId).collect(Collectors.toSet()));
        for (Watcher watcher : all) {
            if (!live.contains(watcher.sessionId)) {
                remove(watcher);
                watcher.close();
            } else {
                watcher.offer(SseEmitter.event().comment("keepalive"));
            }
        }
    }

    @Override
    public void start() {
        running = true;
        poller = Thread.ofVirtual().name("usage-feed").start(() -> {
            while (running) {
                try {
                    pollOnce();
                } catch (RuntimeException e) {
                    // the database is away: the watchers wait; the next turn tries again
                    log.debug("Live usage feed: poll failed: {}", e.getClass().getName());
                }
                LockSupport.parkNanos(settings.livePollInterval().toNanos());
            }
        });
    }

    @Override
    public void stop() {
        running = false;
        Thread thread = poller;
        if (thread != null) {
            LockSupport.unpark(thread);
        }
        new ArrayList<>(watchers.values()).forEach(list -> list.forEach(w -> {
            w.stop();
            w.emitter.complete();
        }));
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
