package dev.caravan.dashboard;

import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/** The dashboard's reads beyond billing's: spend over periods, per day and model, keys' last use. */
@Component
public class DashboardQueries {

    public record DaySpend(String date, String model, BigDecimal cost, long requests) {
    }

    private final JdbcTemplate jdbc;

    public DashboardQueries(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    public BigDecimal spentSince(String accountId, Instant since) {
        return jdbc.queryForObject("SELECT COALESCE(SUM(cost), 0) FROM usage_records WHERE account_id = ? AND created_at >= ?",
                BigDecimal.class, accountId, Timestamp.from(since));
    }

    /** Per UTC day and model, from {@code since}; oldest first. */
    public List<DaySpend> spendByDayAndModel(String accountId, Instant since) {
        return jdbc.query("""
                SELECT CAST(created_at AS DATE) AS usage_day, model, SUM(cost) AS cost, COUNT(*) AS requests
                FROM usage_records WHERE account_id = ? AND created_at >= ?
                GROUP BY CAST(created_at AS DATE), model ORDER BY usage_day, model""",
                (rs, i) -> new DaySpend(rs.getDate("usage_day").toLocalDate().toString(), rs.getString("model"),
                        rs.getBigDecimal("cost"), rs.getLong("requests")), accountId, Timestamp.from(since));
    }

    /** Each key's latest request, by key id (keys never used are absent). */
    public Map<String, Instant> keysLastUsed(String accountId) {
        Map<String, Instant> lastUsed = new HashMap<>();
        jdbc.query("SELECT key_id, MAX(created_at) AS last_used FROM usage_records WHERE account_id = ? GROUP BY key_id",
                rs -> {
                    lastUsed.put(rs.getString("key_id"), rs.getTimestamp("last_used").toInstant());
                }, accountId);
        return lastUsed;
    }

    public Instant deletionRequestedAt(String accountId) {
        Timestamp at = jdbc.queryForObject("SELECT deletion_requested_at FROM accounts WHERE id = ?", Timestamp.class,
                accountId);
        return at == null ? null : at.toInstant();
    }
}
