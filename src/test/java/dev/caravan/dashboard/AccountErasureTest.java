package dev.caravan.dashboard;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import dev.caravan.billing.DeletionRefunds;
import dev.caravan.support.MigratedDatabase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The erasure job on its own, against a real (H2, migrated) database: settings, the claim, the refund hook. */
class AccountErasureTest {

    private JdbcTemplate jdbc;
    private TransactionTemplate tx;
    private final List<String> hookCalls = Collections.synchronizedList(new ArrayList<>());

    @BeforeEach
    void freshDatabase() {
        javax.sql.DataSource dataSource = MigratedDatabase.fresh("erasure");
        jdbc = new JdbcTemplate(dataSource);
        tx = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
    }

    @Test
    void thePeriodIsThirtyDaysAtMost() {
        assertThatThrownBy(() -> deletions(Duration.ofDays(31)))
                .hasMessageContaining("caravan.accounts.deletion-period: from 0 (at once) to 30d");
    }

    @Test
    void twoInstancesErasingAtOnceEraseEachAccountOnceAfterItsRefundHook() throws Exception {
        for (int i = 0; i < 5; i++) {
            closedAccount("acct_" + i, "person" + i + "@example.com");
        }
        AccountDeletions one = deletions(Duration.ofDays(30));
        AccountDeletions two = deletions(Duration.ofDays(30));
        Instant later = Instant.now().plus(Duration.ofDays(30));
        var pool = Executors.newFixedThreadPool(2);
        List<Future<Integer>> runs = pool.invokeAll(List.<Callable<Integer>>of(() -> one.eraseDue(later),
                () -> two.eraseDue(later)));
        pool.shutdown();
        assertThat(runs.get(0).get() + runs.get(1).get()).isEqualTo(5);
        assertThat(hookCalls).hasSize(5).doesNotHaveDuplicates();
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM accounts WHERE erased_at IS NOT NULL", Integer.class))
                .isEqualTo(5);
        assertThat(jdbc.queryForList("SELECT email FROM users", String.class))
                .allMatch(email -> email.startsWith("deleted-usr_") && email.endsWith("@invalid"));
        one.stop();
        two.stop();
    }

    @Test
    void aFailingRefundPostponesTheErasureTheAccountStaysClosed() {
        closedAccount("acct_x", "x@example.com");
        AccountDeletions failing = new AccountDeletions(jdbc, tx, null, null, List.of(new DeletionRefunds() {
            @Override
            public void beforeErasure(String accountId) {
                throw new IllegalStateException("refund service down");
            }
        }), Duration.ofDays(30), Duration.ofHours(1));
        assertThat(failing.eraseDue(Instant.now().plus(Duration.ofDays(30)))).isZero();
        assertThat(jdbc.queryForObject("SELECT email FROM users", String.class)).isEqualTo("x@example.com");
        failing.stop();
        // the next run (here: another instance at once, the claim released) erases it
        AccountDeletions next = deletions(Duration.ofDays(30));
        assertThat(next.eraseDue(Instant.now().plus(Duration.ofDays(30)))).isEqualTo(1);
        assertThat(hookCalls).containsExactly("acct_x");
        next.stop();
    }

    @Test
    void aPeriodOfZeroErasesWhatWasAskedForUpToNowAndAPeriodErasesNothingEarlierThanOneRunBeforeIt() {
        closedAccount("acct_now", "now@example.com");
        AccountDeletions monthly = deletions(Duration.ofDays(30));
        // due at request + 30 days; the job (every hour) takes it at the last run before that
        assertThat(monthly.eraseDue(Instant.now().plus(Duration.ofDays(29)))).isZero();
        assertThat(monthly.eraseDue(Instant.now().plus(Duration.ofDays(30)).minus(Duration.ofMinutes(59)))).isEqualTo(1);
        monthly.stop();
        closedAccount("acct_zero", "zero@example.com");
        AccountDeletions atOnce = deletions(Duration.ZERO);
        assertThat(atOnce.eraseDue(Instant.now())).isEqualTo(1);
        atOnce.stop();
    }

    private AccountDeletions deletions(Duration period) {
        return new AccountDeletions(jdbc, tx, null, null, List.of(new DeletionRefunds() {
            @Override
            public void beforeErasure(String accountId) {
                hookCalls.add(accountId);
            }
        }), period, Duration.ofHours(1));
    }

    private void closedAccount(String id, String email) {
        Timestamp now = Timestamp.from(Instant.now());
        jdbc.update("INSERT INTO accounts (id, name, email, created_at, deletion_requested_at) VALUES (?, ?, ?, ?, ?)",
                id, email, email, now, now);
        jdbc.update("INSERT INTO users (id, email, password_hash, account_id, created_at) VALUES (?, ?, ?, ?, ?)",
                "usr_" + id, email, "{argon2}x", id, now);
    }
}
