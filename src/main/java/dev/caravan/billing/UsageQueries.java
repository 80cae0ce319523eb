package dev.caravan.billing;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import dev.caravan.api.ClientInput;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/** Reads of the usage history: one generation, a page of records, per-day totals. */
@Component
public class UsageQueries {

    /** Filters of a usage listing; null fields do not filter. {@code after} is the paging cursor (a seq). */
    public record Filter(String accountId, Instant from, Instant to, String model, String keyId, Long after, int limit) {
    }

    public record Page(List<Map<String, Object>> records, boolean hasMore, List<Map<String, Object>> daily) {
    }

    private static final String COLUMNS = """
            seq, request_id, key_id, created_at, model, backend, provider, upstream_model, prompt_tokens,
            completion_tokens, cached_tokens, tokens_estimated, cost, uncollected, settlement, price_version, streamed,
            cancelled, finish_reason, status, latency_ms""";

    private final JdbcTemplate jdbc;

    public UsageQueries(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    public Map<String, Object> generation(String accountId, String requestId) {
        if (!ClientInput.isId(requestId)) {
            throw Accounts.notFound("generation", requestId);
        }
        List<Map<String, Object>> found = jdbc.queryForList(
                "SELECT " + COLUMNS + " FROM usage_records WHERE account_id = ? AND request_id = ?", accountId, requestId);
        if (found.isEmpty()) {
            throw Accounts.notFound("generation", requestId);
        }
        return found.get(0);
    }

    /** The newest usage row's seq (0: none). */
    public long latestSeq() {
        Long latest = jdbc.queryForObject("SELECT MAX(seq) FROM usage_records", Long.class);
        return latest == null ? 0 : latest;
    }

    /** Rows of these accounts after {@code seq}, oldest first, with their account_id: the live feed's read. */
    public List<Map<String, Object>> after(long seq, List<String> accountIds, int limit) {
        String marks = String.join(", ", java.util.Collections.nCopies(accountIds.size(), "?"));
        List<Object> args = new ArrayList<>();
        args.add(seq);
        args.addAll(accountIds);
        args.add(limit);
        return jdbc.queryForList("SELECT account_id, " + COLUMNS + " FROM usage_records WHERE seq > ? AND account_id IN ("
                + marks + ") ORDER BY seq LIMIT ?", args.toArray());
    }

    /** Rows one query of {@link #forEach} reads: an export's memory, and a connection held per chunk only. */
    private static final int EXPORT_CHUNK = 1000;

    /**
     * Every row the filter matches, newest first, up to its limit, read in chunks of
     * {@value #EXPORT_CHUNK} (by seq, as the paging cursor does): an export of many rows never sits in
     * memory whole, and a slow reader of it never holds a database connection.
     */
    public void forEach(Filter filter, Consumer<Map<String, Object>> each) {
        Long cursor = filter.after();
        int left = filter.limit();
        while (left > 0) {
            List<Object> args = new ArrayList<>(List.of(filter.accountId()));
            StringBuilder where = where(filter, args);
            if (cursor != null) {
                where.append(" AND seq < ?");
                args.add(cursor);
            }
            int chunk = Math.min(left, EXPORT_CHUNK);
            args.add(chunk);
            List<Map<String, Object>> rows = jdbc.queryForList(
                    "SELECT " + COLUMNS + " FROM usage_records" + where + " ORDER BY seq DESC LIMIT ?", args.toArray());
            rows.forEach(each);
            if (rows.size() < chunk) {
                return;
            }
            left -= rows.size();
            cursor = ((Number) rows.get(rows.size() - 1).get("seq")).longValue();
        }
    }

    public Page page(Filter filter) {
        List<Object> args = new ArrayList<>(List.of(filter.accountId()));
        StringBuilder where = where(filter, args);
        List<Object> daysArgs = new ArrayList<>(args);
        StringBuilder pageWhere = new StringBuilder(where);
        if (filter.after() != null) {
            pageWhere.append(" AND seq < ?");
            args.add(filter.after());
        }
        args.add(filter.limit() + 1);
        List<Map<String, Object>> rows = jdbc.queryForList(
                "SELECT " + COLUMNS + " FROM usage_records" + pageWhere + " ORDER BY seq DESC LIMIT ?", args.toArray());
        boolean hasMore = rows.size() > filter.limit();
        List<Map<String, Object>> daily = jdbc.queryForList("""
                SELECT CAST(created_at AS DATE) AS usage_day, COUNT(*) AS requests, SUM(prompt_tokens) AS prompt_tokens,
                  SUM(completion_tokens) AS completion_tokens, SUM(cost) AS cost
                FROM usage_records""" + where + " GROUP BY CAST(created_at AS DATE) ORDER BY usage_day DESC",
                daysArgs.toArray());
        return new Page(hasMore ? rows.subList(0, filter.limit()) : rows, hasMore, daily);
    }

    /** The filter's conditions but paging, its values added to {@code args}. */
    private static StringBuilder where(Filter filter, List<Object> args) {
        StringBuilder where = new StringBuilder(" WHERE account_id = ?");
        if (filter.from() != null) {
            where.append(" AND created_at >= ?");
            args.add(Timestamp.from(filter.from()));
        }
        if (filter.to() != null) {
            where.append(" AND created_at < ?");
            args.add(Timestamp.from(filter.to()));
        }
        if (filter.model() != null) {
            where.append(" AND model = ?");
            args.add(filter.model());
        }
        if (filter.keyId() != null) {
            where.append(" AND key_id = ?");
            args.add(filter.keyId());
        }
        return where;
    }
}
