package dev.caravan.billing;

import java.math.BigDecimal;
import java.util.UUID;

import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * V8 makes the usage row the request's debit: a database migrated from V7 keeps every request's
 * balance after its charge (moved from its debit ledger entry to its usage row), loses no credit
 * entry, and still adds up.
 */
class UsageRowDebitMigrationTest {

    @Test
    void debitEntriesOfAnExistingLedgerMoveIntoTheirUsageRows() {
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:v8_" + UUID.randomUUID().toString().replace("-", "")
                + ";DB_CLOSE_DELAY=-1;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH");
        Flyway.configure().dataSource(h2).locations("classpath:db/migration").target("7").load().migrate();
        JdbcTemplate jdbc = new JdbcTemplate(h2);
        jdbc.update("INSERT INTO accounts (id, name, balance, held, created_at) VALUES ('acct_1', 'a', 9.25, 0, CURRENT_TIMESTAMP)");
        jdbc.update("""
                INSERT INTO api_keys (id, account_id, name, prefix, key_hash, created_at)
                VALUES ('key_1', 'acct_1', 'k', 'cvn-abc', ?, CURRENT_TIMESTAMP)""", "0".repeat(64));
        jdbc.update("""
                INSERT INTO ledger_entries (account_id, kind, amount, balance_after, purchase_id, created_at)
                VALUES ('acct_1', 'credit', 10, 10, 'pur_1', CURRENT_TIMESTAMP)""");
        usageRow(jdbc, "req_1", "0.5");
        jdbc.update("""
                INSERT INTO ledger_entries (account_id, kind, amount, balance_after, request_id, created_at)
                VALUES ('acct_1', 'debit', 0.5, 9.5, 'req_1', CURRENT_TIMESTAMP)""");
        usageRow(jdbc, "req_2", "0.25");
        jdbc.update("""
                INSERT INTO ledger_entries (account_id, kind, amount, balance_after, request_id, created_at)
                VALUES ('acct_1', 'debit', 0.25, 9.25, 'req_2', CURRENT_TIMESTAMP)""");

        Flyway.configure().dataSource(h2).locations("classpath:db/migration").load().migrate();

        assertThat(jdbc.queryForList("SELECT balance_after FROM usage_records ORDER BY seq", BigDecimal.class))
                .usingElementComparator(BigDecimal::compareTo)
                .containsExactly(new BigDecimal("9.5"), new BigDecimal("9.25"));
        assertThat(jdbc.queryForList("SELECT kind FROM ledger_entries", String.class)).containsExactly("credit");
        BigDecimal credits = jdbc.queryForObject("SELECT SUM(amount) FROM ledger_entries", BigDecimal.class);
        BigDecimal usage = jdbc.queryForObject("SELECT SUM(cost) FROM usage_records", BigDecimal.class);
        assertThat(credits.subtract(usage)).isEqualByComparingTo("9.25");
        assertThat(jdbc.queryForObject(
                "SELECT COUNT(*) FROM information_schema.indexes WHERE index_name = 'holds_created'", Integer.class)).isZero();
    }

    private static void usageRow(JdbcTemplate jdbc, String requestId, String cost) {
        jdbc.update("""
                INSERT INTO usage_records (request_id, account_id, key_id, created_at, model, backend, provider, upstream_model,
                    prompt_tokens, completion_tokens, cached_tokens, tokens_estimated, cost, streamed, cancelled, status, latency_ms)
                VALUES (?, 'acct_1', 'key_1', CURRENT_TIMESTAMP, 'm', 'p/m', 'p', 'm', 1, 1, 0, FALSE, ?, FALSE, FALSE, 200, 1)""",
                requestId, new BigDecimal(cost));
    }
}
