package dev.caravan.auth;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.caravan.api.GatewayException;
import org.apache.camel.Exchange;
import org.apache.camel.support.SynchronizationAdapter;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * A key's requests in flight: at most the key's {@code max_concurrent_requests}, else
 * {@code caravan.auth.max-concurrent-requests} (0: no bound). A place is given back when the exchange
 * completes, which the HTTP consumer does after it has written the response: a stream holds its place
 * until its last byte reached the client (or the client left), long after the route itself ended.
 * In memory per instance.
 */
@Component
public class KeyConcurrency {

    private static final long RETRY_AFTER_SECONDS = 1;

    private final Map<String, Integer> inFlight = new ConcurrentHashMap<>();
    private final int defaultLimit;

    public KeyConcurrency(@Value("${caravan.auth.max-concurrent-requests:1000}") int defaultLimit) {
        this.defaultLimit = defaultLimit;
    }

    /** Takes a place for the exchange's key until the exchange completes, or fails with 429. */
    public void admit(Caller caller, Exchange exchange) {
        int limit = caller.maxConcurrentRequests() != null ? caller.maxConcurrentRequests() : defaultLimit;
        if (limit <= 0) {
            return;
        }
        String keyId = caller.keyId();
        if (inFlight.merge(keyId, 1, Integer::sum) > limit) {
            release(keyId);
            throw new GatewayException(429, "rate_limit_error", "too_many_concurrent_requests", null,
                    "This key may have " + limit + " requests in flight at once; retry when one has ended.",
                    RETRY_AFTER_SECONDS);
        }
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                release(keyId);
            }
        });
    }

    private void release(String keyId) {
        inFlight.computeIfPresent(keyId, (k, count) -> count <= 1 ? null : count - 1);
    }
}
