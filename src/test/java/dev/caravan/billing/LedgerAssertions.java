package dev.caravan.billing;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/** Checks of the ledger shared by the billing and payment scenarios. */
public final class LedgerAssertions {

    private LedgerAssertions() {
    }

    /**
     * The balance is the balance after whatever changed it last: the newest ledger entry or the
     * newest usage row (each request's debit). The two tables share no order, so either may be it.
     */
    public static void assertBalanceIsTheLastBalanceAfter(JdbcTemplate jdbc, String accountId, BigDecimal balance) {
        List<BigDecimal> newest = new ArrayList<>();
        newest.addAll(jdbc.queryForList("SELECT balance_after FROM ledger_entries WHERE account_id = ? ORDER BY id DESC LIMIT 1",
                BigDecimal.class, accountId));
        newest.addAll(jdbc.queryForList("SELECT balance_after FROM usage_records WHERE account_id = ? ORDER BY seq DESC LIMIT 1",
                BigDecimal.class, accountId));
        if (newest.isEmpty()) {
            assertThat(balance).isZero();
        } else {
            assertThat(newest).anySatisfy(after -> assertThat(after).isEqualByComparingTo(balance));
        }
    }
}
