package dev.caravan.billing;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DelegatingDataSource;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * An instance judges other instances' leases only after its own has been renewed without a gap for
 * a whole lease: after an outage, every lease looks expired until the live instances renewed theirs.
 */
class GatewayInstanceTest {

    private static final Duration HEARTBEAT = Duration.ofMillis(100);
    private static final Duration LEASE = Duration.ofMillis(600);

    private volatile boolean down;

    @Test
    void judgesOthersOnlyAfterAWholeLeaseOfItsOwnRenewalsAndAgainOnlyAWholeLeaseAfterAnOutage() throws Exception {
        JdbcTemplate jdbc = new JdbcTemplate(new DelegatingDataSource(new DriverManagerDataSource(
                "jdbc:h2:mem:lease-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1")) {
            @Override
            public Connection getConnection() throws SQLException {
                if (down) {
                    throw new SQLTransientConnectionException("test outage");
                }
                return super.getConnection();
            }
        });
        jdbc.execute("CREATE TABLE gateway_instances (id VARCHAR(40) PRIMARY KEY, started_at TIMESTAMP WITH TIME ZONE, "
                + "heartbeat_at TIMESTAMP WITH TIME ZONE)");
        GatewayInstance instance = new GatewayInstance(jdbc, LEASE, HEARTBEAT);
        try {
            assertThat(instance.mayJudgeOthers()).as("just started").isFalse();
            Thread.sleep(LEASE.plus(HEARTBEAT).toMillis());
            assertThat(instance.mayJudgeOthers()).as("a lease after the start").isTrue();

            down = true;
            Thread.sleep(HEARTBEAT.multipliedBy(3).toMillis());
            assertThat(instance.mayJudgeOthers()).as("its own renewal failed").isFalse();
            down = false;
            Thread.sleep(HEARTBEAT.multipliedBy(3).toMillis());
            assertThat(instance.mayJudgeOthers()).as("renewing again, but not for a whole lease yet").isFalse();
            Thread.sleep(LEASE.toMillis());
            assertThat(instance.mayJudgeOthers()).as("a whole lease of renewals after the outage").isTrue();

            // removed while it was cut off (taken for dead): it puts its lease back
            jdbc.update("DELETE FROM gateway_instances WHERE id = ?", instance.id());
            Thread.sleep(HEARTBEAT.multipliedBy(3).toMillis());
            assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM gateway_instances WHERE id = ?", Integer.class,
                    instance.id())).isOne();
        } finally {
            instance.giveUpLease();
        }
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM gateway_instances", Integer.class)).isZero();
    }

    @Test
    void refusesALeaseShorterThanThreeHeartbeats() {
        assertThatThrownBy(() -> new GatewayInstance(new JdbcTemplate(), Duration.ofSeconds(10), Duration.ofSeconds(5)))
                .hasMessageContaining("caravan.billing.instance-lease");
    }
}
