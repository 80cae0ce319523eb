package dev.caravan.billing;

import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import dev.caravan.api.ClientInput;
import dev.caravan.api.GatewayException;
import dev.caravan.auth.ApiKeyFormat;
import dev.caravan.auth.ApiKeys;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/** Accounts, their keys and top-ups: what the admin API changes. */
@Component
public class Accounts {

    /**
     * {@code totalUncollected}: cost at catalog prices that upstreams delivered beyond the requests' holds.
     * {@code totalRefunds}: purchased credit refunded or being refunded (docs/payments.md), so that
     * balance = totalCredits - totalUsage - totalRefunds.
     */
    public record Account(String id, String name, String email, BigDecimal balance, BigDecimal held,
                          BigDecimal totalCredits, BigDecimal totalUsage, BigDecimal totalUncollected, Instant createdAt,
                          BigDecimal totalRefunds) {
        public BigDecimal available() {
            return balance.subtract(held);
        }
    }

    public record Key(String id, String accountId, String name, String prefix, Integer rpmLimit, BigDecimal spendLimit,
                      BigDecimal spent, BigDecimal held, Instant expiresAt, Instant revokedAt, Instant createdAt,
                      Integer maxConcurrentRequests, Set<String> models) {
    }

    /**
     * What a new key is allowed; all but the name optional (null).
     *
     * @param models the catalog model ids the key may use; null: every model
     */
    public record KeySpec(String name, Integer rpmLimit, BigDecimal spendLimit, Instant expiresAt,
                          Integer maxConcurrentRequests, List<String> models) {
    }

    /** The longest model scope stored (the api_keys.models column), as its JSON. */
    public static final int MAX_SCOPE_LENGTH = 20000;

    public record NewKey(Key key, String secret) {
    }

    public record TopUp(String purchaseId, BigDecimal amount, BigDecimal balance, boolean repeated) {
    }

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final ApiKeys apiKeys;
    private final String keyPrefix;

    public Accounts(JdbcTemplate jdbc, TransactionTemplate tx, ApiKeys apiKeys,
                    @Value("${caravan.auth.key-prefix:" + ApiKeyFormat.DEFAULT_PREFIX + "}") String keyPrefix) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.apiKeys = apiKeys;
        this.keyPrefix = ApiKeyFormat.checkPrefix(keyPrefix);
    }

    public Account create(String name, String email) {
        return createWithId(ApiKeyFormat.newId("acct"), name, email);
    }

    Account createWithId(String id, String name, String email) {
        jdbc.update("INSERT INTO accounts (id, name, email, balance, held, created_at) VALUES (?, ?, ?, 0, 0, ?)",
                id, name, email, Timestamp.from(Instant.now()));
        return get(id);
    }

    public Account get(String id) {
        if (!ClientInput.isId(id)) {
            throw notFound("account", id);
        }
        List<Account> found = jdbc.query("""
                SELECT a.id, a.name, a.email, a.balance, a.held, a.created_at,
                  (SELECT COALESCE(SUM(amount), 0) FROM credit_purchases p WHERE p.account_id = a.id) AS total_credits,
                  (SELECT COALESCE(SUM(credit), 0) FROM payment_refunds r WHERE r.account_id = a.id AND r.status <> 'failed')
                    AS total_refunds,
                  u.total_usage, u.total_uncollected
                FROM accounts a, (SELECT COALESCE(SUM(cost), 0) AS total_usage, COALESCE(SUM(uncollected), 0) AS total_uncollected
                  FROM usage_records WHERE account_id = ?) u
                WHERE a.id = ?""", (rs, i) -> new Account(rs.getString("id"), rs.getString("name"),
                rs.getString("email"), rs.getBigDecimal("balance"), rs.getBigDecimal("held"),
                rs.getBigDecimal("total_credits"), rs.getBigDecimal("total_usage"), rs.getBigDecimal("total_uncollected"),
                rs.getTimestamp("created_at").toInstant(), rs.getBigDecimal("total_refunds")), id, id);
        if (found.isEmpty()) {
            throw notFound("account", id);
        }
        return found.get(0);
    }

    /** One line of the operator's account list: what a search shows, without the usage sums. */
    public record Summary(String id, String name, String email, BigDecimal balance, BigDecimal held, Instant createdAt,
                          Instant deletionRequestedAt) {
    }

    /**
     * Accounts, newest first, whose name or email contains {@code search} (any case; null: all),
     * after the account {@code afterId} of a previous page (null: from the newest), at most {@code limit}.
     */
    public List<Summary> list(String search, String afterId, int limit) {
        StringBuilder sql = new StringBuilder(
                "SELECT id, name, email, balance, held, created_at, deletion_requested_at FROM accounts WHERE 1 = 1");
        List<Object> args = new ArrayList<>();
        if (search != null) {
            // the caller's text is matched as it is: % and _ are not wildcards here
            String pattern = "%" + search.toLowerCase(Locale.ROOT).replace("\\", "\\\\").replace("%", "\\%")
                    .replace("_", "\\_") + "%";
            sql.append(" AND (LOWER(name) LIKE ? ESCAPE '\\' OR LOWER(email) LIKE ? ESCAPE '\\')");
            args.add(pattern);
            args.add(pattern);
        }
        if (afterId != null) {
            Timestamp after = jdbc.query("SELECT created_at FROM accounts WHERE id = ?",
                    rs -> rs.next() ? rs.getTimestamp(1) : null, afterId);
            if (after == null) {
                throw GatewayException.invalidRequest("cursor", "'cursor' is not an account of a previous page.");
            }
            sql.append(" AND (created_at < ? OR (created_at = ? AND id < ?))");
            args.addAll(List.of(after, after, afterId));
        }
        sql.append(" ORDER BY created_at DESC, id DESC LIMIT ?");
        args.add(limit);
        return jdbc.query(sql.toString(), (rs, i) -> new Summary(rs.getString(1), rs.getString(2), rs.getString(3),
                rs.getBigDecimal(4), rs.getBigDecimal(5), rs.getTimestamp(6).toInstant(),
                rs.getTimestamp(7) == null ? null : rs.getTimestamp(7).toInstant()), args.toArray());
    }

    public boolean exists(String id) {
        Integer count = jdbc.queryForObject("SELECT COUNT(*) FROM accounts WHERE id = ?", Integer.class, id);
        return count != null && count > 0;
    }

    /** Credits once per idempotency key: a repeated top-up returns the first one's result. */
    public TopUp addCredits(String accountId, BigDecimal amount, String reference, String idempotencyKey) {
        get(accountId);
        BigDecimal credited = Money.ledger(amount);
        try {
            return tx.execute(status -> {
                String purchaseId = ApiKeyFormat.newId("pur");
                Timestamp now = Timestamp.from(Instant.now());
                jdbc.update("""
                        INSERT INTO credit_purchases (id, account_id, amount, reference, idempotency_key, created_at)
                        VALUES (?, ?, ?, ?, ?, ?)""", purchaseId, accountId, credited, reference, idempotencyKey, now);
                BigDecimal balance = jdbc.queryForObject(
                        "SELECT balance FROM accounts WHERE id = ? FOR UPDATE", BigDecimal.class, accountId).add(credited);
                jdbc.update("UPDATE accounts SET balance = ? WHERE id = ?", balance, accountId);
                jdbc.update("""
                        INSERT INTO ledger_entries (account_id, kind, amount, balance_after, purchase_id, created_at)
                        VALUES (?, 'credit', ?, ?, ?, ?)""", accountId, credited, balance, purchaseId, now);
                return new TopUp(purchaseId, credited, balance, false);
            });
        } catch (DuplicateKeyException repeated) {
            Map<String, Object> first = jdbc.queryForMap(
                    "SELECT id, amount FROM credit_purchases WHERE account_id = ? AND idempotency_key = ?",
                    accountId, idempotencyKey);
            BigDecimal firstAmount = (BigDecimal) first.get("amount");
            if (firstAmount.compareTo(credited) != 0) {
                throw new GatewayException(409, "invalid_request_error", "idempotency_key_reused", "Idempotency-Key",
                        "This Idempotency-Key was already used for a top-up of " + Money.plain(firstAmount)
                                + "; use a new key for a different top-up.", null);
            }
            return new TopUp((String) first.get("id"), firstAmount, get(accountId).balance(), true);
        }
    }

    public NewKey createKey(String accountId, KeySpec spec) {
        get(accountId);
        // a deleted (or being deleted) account stays closed: no key may reopen it
        requireOpen(accountId);
        String secret = ApiKeyFormat.newKey(keyPrefix);
        String id = ApiKeyFormat.newId("key");
        jdbc.update("""
                INSERT INTO api_keys (id, account_id, name, prefix, key_hash, rpm_limit, spend_limit, spent, held,
                    expires_at, created_at, max_concurrent_requests, models)
                VALUES (?, ?, ?, ?, ?, ?, ?, 0, 0, ?, ?, ?, ?)""", id, accountId, spec.name(),
                ApiKeyFormat.displayPrefix(secret, keyPrefix), ApiKeyFormat.sha256(secret), spec.rpmLimit(),
                spec.spendLimit() == null ? null : Money.ledger(spec.spendLimit()),
                spec.expiresAt() == null ? null : Timestamp.from(spec.expiresAt()), Timestamp.from(Instant.now()),
                spec.maxConcurrentRequests(), scopeColumn(spec.models()));
        return new NewKey(key(id), secret);
    }

    /** Deleted, or being deleted: its keys are revoked and no new one may be made. */
    public boolean isClosed(String accountId) {
        return jdbc.queryForObject("SELECT deletion_requested_at FROM accounts WHERE id = ?", Timestamp.class, accountId) != null;
    }

    /** A 409 {@code account_closed} for an account deleted or being deleted (docs/dashboard.md, "Account deletion"). */
    public void requireOpen(String accountId) {
        if (isClosed(accountId)) {
            throw new GatewayException(409, "invalid_request_error", "account_closed", null,
                    "The account " + accountId + " is deleted or being deleted.", null);
        }
    }

    /** Sets the model scope of every key of the account (null: every model); cached keys follow within minutes. */
    public void limitKeysToModels(String accountId, List<String> models) {
        List<String> hashes = jdbc.queryForList("SELECT key_hash FROM api_keys WHERE account_id = ?", String.class, accountId);
        jdbc.update("UPDATE api_keys SET models = ? WHERE account_id = ?", scopeColumn(models), accountId);
        hashes.forEach(apiKeys::forget);
    }

    private static String scopeColumn(List<String> models) {
        String column = ApiKeyFormat.scopeColumn(models);
        if (column != null && column.length() > MAX_SCOPE_LENGTH) {
            throw GatewayException.invalidRequest("models", "'models' lists more than the " + MAX_SCOPE_LENGTH
                    + " characters a key's scope may take.");
        }
        return column;
    }

    public List<Key> keys(String accountId) {
        get(accountId);
        return jdbc.query("SELECT * FROM api_keys WHERE account_id = ? ORDER BY created_at, id", this::mapKey, accountId);
    }

    public Key key(String keyId) {
        if (!ClientInput.isId(keyId)) {
            throw notFound("key", keyId);
        }
        List<Key> found = jdbc.query("SELECT * FROM api_keys WHERE id = ?", this::mapKey, keyId);
        if (found.isEmpty()) {
            throw notFound("key", keyId);
        }
        return found.get(0);
    }

    /** Effective on the next request everywhere: reservations re-check revocation in the database. */
    public Key revoke(String keyId) {
        key(keyId);
        jdbc.update("UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                Timestamp.from(Instant.now()), keyId);
        String hash = jdbc.queryForObject("SELECT key_hash FROM api_keys WHERE id = ?", String.class, keyId);
        apiKeys.forget(hash);
        return key(keyId);
    }

    private Key mapKey(java.sql.ResultSet rs, int row) throws java.sql.SQLException {
        return new Key(rs.getString("id"), rs.getString("account_id"), rs.getString("name"), rs.getString("prefix"),
                (Integer) rs.getObject("rpm_limit"), rs.getBigDecimal("spend_limit"), rs.getBigDecimal("spent"),
                rs.getBigDecimal("held"), instant(rs.getTimestamp("expires_at")), instant(rs.getTimestamp("revoked_at")),
                instant(rs.getTimestamp("created_at")), (Integer) rs.getObject("max_concurrent_requests"),
                ApiKeyFormat.scopeOf(rs.getString("models")));
    }

    private static Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }

    public static GatewayException notFound(String what, String id) {
        // an id that cannot exist is not quoted back at length
        String shown = ClientInput.isId(id) ? "'" + id + "'" : "like that";
        return new GatewayException(404, "invalid_request_error", what + "_not_found", null,
                "No " + what + " with id " + shown + ".", null);
    }
}
