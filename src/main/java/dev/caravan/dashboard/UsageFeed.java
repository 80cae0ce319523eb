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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;

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

    /** {@code fromSeq}: the newest row when the stream opened; the stream carries only rows after it. */
    private record Watcher(SseEmitter emitter, String accountId, String keyId, String sessionId, long fromSeq) {
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
        List<Watcher> ofAccount = watchers.computeIfAbsent(user.accountId(), a -> new CopyOnWriteArrayList<>());
        if (ofAccount.size() >= settings.liveStreamsPerAccount()) {
            throw new GatewayException(429, "rate_limit_error", "too_many_streams", null, "This account has "
                    + ofAccount.size() + " live usage streams open already: close a tab, or wait for one to end.", 5L);
        }
        SseEmitter emitter = new SseEmitter(settings.liveStreamLifetime().toMillis());
        Watcher watcher = new Watcher(emitter, user.accountId(), keyId, user.sessionId(), usage.latestSeq());
        ofAccount.add(watcher);
        Runnable remove = () -> ofAccount.remove(watcher);
        emitter.onCompletion(remove);
        emitter.onTimeout(remove);
        emitter.onError(e -> remove.run());
        try {
            // opens the stream at once, so the browser knows it is live before the first request
            emitter.send(SseEmitter.event().comment("live"));
        } catch (IOException gone) {
            remove.run();
        }
        return emitter;
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
            floor = watchers.values().stream().flatMap(List::stream).mapToLong(Watcher::fromSeq).min().orElse(latest);
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
            if (seq > watcher.fromSeq() && (watcher.keyId() == null || watcher.keyId().equals(keyId))) {
                send(watcher, SseEmitter.event().name("usage").id((String) row.get("request_id"))
                        .data(billingJson.usageRecord(row), MediaType.APPLICATION_JSON));
            }
        }
    }

    /** A comment line keeps proxies from closing an idle stream; a stream whose session ended is closed. */
    private void keepaliveAndEndStale() {
        for (List<Watcher> ofAccount : watchers.values()) {
            for (Watcher watcher : ofAccount) {
                if (!sessions.isActive(watcher.sessionId())) {
                    ofAccount.remove(watcher);
                    watcher.emitter().complete();
                } else {
                    send(watcher, SseEmitter.event().comment("keepalive"));
                }
            }
        }
    }

    private void send(Watcher watcher, SseEmitter.SseEventBuilder event) {
        try {
            watcher.emitter().send(event);
        } catch (IOException | IllegalStateException gone) {
            watchers.getOrDefault(watcher.accountId(), List.of()).remove(watcher);
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
        new ArrayList<>(watchers.values()).forEach(list -> list.forEach(w -> w.emitter().complete()));
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
