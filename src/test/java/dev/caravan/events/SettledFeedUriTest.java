package dev.caravan.events;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The settled feed may only be a queue that never makes settlement wait. */
class SettledFeedUriTest {

    @Test
    void acceptsTheShippedQueueAndRefusesWhatCouldBlockSettlement() {
        assertThatCode(() -> SettledFeedUri.check(
                "seda:usage-settled?multipleConsumers=true&discardIfNoConsumers=true&discardWhenFull=true&size=10000"))
                .doesNotThrowAnyException();
        for (String blocking : new String[] {"direct:forward", "kafka:usage", "seda:usage-settled?multipleConsumers=true",
                "https://hooks.example.com/usage"}) {
            assertThatThrownBy(() -> SettledFeedUri.check(blocking)).hasMessageStartingWith("caravan.usage.settled:");
        }
    }
}
