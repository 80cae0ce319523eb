package dev.caravan.events;

import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.support.DefaultMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The steps of the {@code relay-usage-events} route: claim a batch from the outbox, shape it into
 * Kafka records keyed by account, mark it sent once acknowledged, and keep the outcome for health and
 * metrics ({@code caravan_usage_events_sent_total}, {@code caravan_usage_events_send_failures_total}).
 */
@Component("usageEventRelay")
public class UsageEventRelay {

    /** The last turn's outcome: {@code error} is null after a success (or before the first turn). */
    public record Status(Instant lastSentAt, String error, Instant failingSince) {
    }

    static final String EVENTS = "usageEvents";
    private static final Logger log = LoggerFactory.getLogger(UsageEventRelay.class);
    private static final Pattern SECRET = Pattern.compile("(?i)(password\\s*=\\s*)(\"[^\"]*\"|\\S+)");

    private final UsageOutbox outbox;
    private final CamelContext camel;
    private final MeterRegistry registry;
    private final Counter sent;
    private volatile Status status = new Status(null, null, null);

    public UsageEventRelay(UsageOutbox outbox, CamelContext camel, MeterRegistry registry) {
        this.outbox = outbox;
        this.camel = camel;
        this.registry = registry;
        this.sent = Counter.builder("caravan.usage.events.sent")
                .description("Usage events the Kafka broker acknowledged (at least once: a re-sent event counts again)")
                .register(registry);
    }

    /**
     * Claims the next batch ({@value #EVENTS} variable) and makes the body its records in two parts:
     * the first event alone, then the rest. The producer waits up to max.block.ms for a topic's
     * metadata on every record, so a broker that cannot be reached fails the turn after one wait
     * rather than one per event; once the first is acknowledged the rest go out together.
     */
    public void claim(Exchange exchange) {
        List<UsageOutbox.Event> events = outbox.claim();
        exchange.setVariable(EVENTS, events);
        List<Message> records = events.stream().map(this::record).toList();
        exchange.getMessage().setBody(records.isEmpty() ? List.of()
                : List.of(records.subList(0, 1), records.subList(1, records.size())));
    }

    private Message record(UsageOutbox.Event event) {
        Message record = new DefaultMessage(camel);
        record.setHeader(KafkaConstants.KEY, event.accountId());
        record.setBody(event.payload());
        return record;
    }

    /** After the broker acknowledged every record of the batch (an empty turn tells nothing). */
    public void acknowledged(Exchange exchange) {
        @SuppressWarnings("unchecked")
        List<UsageOutbox.Event> events = exchange.getVariable(EVENTS, List.class);
        if (events.isEmpty()) {
            return;
        }
        outbox.markSent(events);
        sent.increment(events.size());
        if (status.error() != null) {
            log.info("Usage events are relayed to Kafka again (failing since {})", status.failingSince());
        }
        status = new Status(Instant.now(), null, null);
    }

    /** A failed turn: nothing was marked, the batch is sent again next turn. Logged once per outage. */
    public void failed(Exchange exchange) {
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        String reason = reason(failure);
        Counter.builder("caravan.usage.events.send.failures")
                .description("Relay turns that failed to hand usage events to Kafka")
                .tag("reason", cause(failure).getClass().getSimpleName())
                .register(registry)
                .increment();
        Status before = status;
        if (before.error() == null) {
            log.warn("Usage events are not relayed to Kafka, they wait in the outbox: {}", reason);
        }
        status = new Status(before.lastSentAt(), reason,
                before.failingSince() != null ? before.failingSince() : Instant.now());
    }

    public Status status() {
        return status;
    }

    /** The innermost cause says what went wrong (wrappers only say that something did). */
    private static Throwable cause(Throwable failure) {
        Throwable cause = failure;
        while (cause != null && cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause == null ? new IllegalStateException("unknown failure") : cause;
    }

    /** Class and message of the innermost cause; anything shaped like a password is masked. */
    static String reason(Throwable failure) {
        Throwable cause = cause(failure);
        String message = cause.getMessage() == null ? "" : ": " + cause.getMessage();
        return SECRET.matcher(cause.getClass().getName() + message).replaceAll("$1[hidden]");
    }
}
