package dev.caravan.support;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;

/**
 * The gateway's routing clock in tests (free-tier windows, 429 parking): it stands still until a test
 * moves it, so that a quota window passes without waiting a minute and a window never turns over in
 * the middle of a test. Starts at a minute boundary.
 */
public final class TestClock extends Clock {

    private static final TestClock INSTANCE = new TestClock();

    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2030-01-01T00:00:00Z"));

    public static TestClock get() {
        return INSTANCE;
    }

    public void advance(Duration duration) {
        now.updateAndGet(t -> t.plus(duration));
    }

    /** Moves to the start of the next UTC day: every free-tier window is fresh. */
    public void startNextDay() {
        now.updateAndGet(t -> t.truncatedTo(java.time.temporal.ChronoUnit.DAYS).plus(Duration.ofDays(1)));
    }

    @Override
    public Instant instant() {
        return now.get();
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("the test clock is UTC only");
    }

    /** Puts the test clock in place of the gateway's routing clock. */
    @TestConfiguration(proxyBeanMethods = false)
    public static class Config {
        @Bean
        @Primary
        Clock testRoutingClock() {
            return INSTANCE;
        }
    }
}
