package dev.caravan.events;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import javax.sql.DataSource;

import dev.caravan.support.KafkaGatewayTest;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The relay fails after the broker acknowledged a batch and before the marks commit, as when the
 * instance is killed at that moment: here the marking is made to fail by holding row locks on the
 * events (H2 then times the relay's update out), which leaves the outbox as such a crash would: the
 * events sent, not marked. They go again, and every copy carries the same event_id and content.
 */
class UsageEventRedeliveryTest extends KafkaGatewayTest {

    @Autowired
    DataSource dataSource;

    @Autowired
    JdbcTemplate jdbc;

    @Test
    void eventsSentButNotMarkedAreSentAgainWithTheSameEventId() throws Exception {
        String key = newFundedKey("10");
        String accountId = json(get("/v1/key", key)).path("data").path("account_id").asText();
        int requests = 3;
        try (Connection relayLock = transaction(); Connection eventLocks = transaction()) {
            // hold the relay lock, as another instance relaying would: this one skips its turns
            lock(relayLock, "SELECT name FROM usage_outbox_relay WHERE name = ? FOR UPDATE", "relay");
            for (int i = 0; i < requests; i++) {
                assertThat(post("/v1/chat/completions", chat("chat", ""), key).statusCode()).isEqualTo(200);
            }
            awaitUnsent(accountId, requests);
            lock(eventLocks, "SELECT seq FROM usage_outbox WHERE account_id = ? FOR UPDATE", accountId);
            relayLock.commit();

            // sent and acknowledged, at least once more than marked
            List<ConsumerRecord<String, String>> sentTwice = KAFKA.awaitRecords(Set.of(accountId), 2 * requests,
                    EVENTS_ARRIVE);
            assertThat(sentTwice).hasSizeGreaterThanOrEqualTo(2 * requests);
            assertThat(unsent(accountId)).isEqualTo(requests);
            eventLocks.rollback();
        }
        awaitUnsent(accountId, 0);

        Map<String, List<String>> copies = new HashMap<>();
        for (ConsumerRecord<String, String> record : KAFKA.awaitRecords(Set.of(accountId), Integer.MAX_VALUE,
                java.time.Duration.ofSeconds(2))) {
            String eventId = JSON.readTree(record.value()).path("event_id").asText();
            copies.computeIfAbsent(eventId, id -> new java.util.ArrayList<>()).add(record.value());
        }
        assertThat(copies).hasSize(requests);
        copies.values().forEach(sameEvent -> {
            assertThat(sameEvent).hasSizeGreaterThanOrEqualTo(2);
            assertThat(Set.copyOf(sameEvent)).hasSize(1);
        });
    }

    private Connection transaction() throws Exception {
        Connection connection = dataSource.getConnection();
        connection.setAutoCommit(false);
        return connection;
    }

    private static void lock(Connection connection, String lockingSelect, String parameter) throws Exception {
        try (PreparedStatement statement = connection.prepareStatement(lockingSelect)) {
            statement.setString(1, parameter);
            try (ResultSet rows = statement.executeQuery()) {
                assertThat(rows.next()).isTrue();
            }
        }
    }

    private int unsent(String accountId) {
        return jdbc.queryForObject("SELECT COUNT(*) FROM usage_outbox WHERE account_id = ? AND sent_at IS NULL",
                Integer.class, accountId);
    }

    private void awaitUnsent(String accountId, int expected) throws InterruptedException {
        long deadline = System.currentTimeMillis() + EVENTS_ARRIVE.toMillis();
        while (unsent(accountId) != expected && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
        assertThat(unsent(accountId)).isEqualTo(expected);
    }
}
