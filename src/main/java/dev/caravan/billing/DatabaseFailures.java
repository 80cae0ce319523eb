package dev.caravan.billing;

import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.util.Set;

import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.RecoverableDataAccessException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.transaction.TransactionSystemException;
import org.springframework.transaction.TransactionTimedOutException;

/**
 * Tells a database that cannot be reached now (down, restarting, out of connections, a deadlock
 * victim) from a statement it refuses for good (a constraint, a bad value). The first is waited out:
 * a settlement is retried until it succeeds, a request is answered 503. The second is the record's
 * own fault: retrying it would never end.
 */
public final class DatabaseFailures {

    /**
     * SQLState classes of an unavailable database: 08 connection, 40 transaction rollback
     * (serialization, deadlock), 53 insufficient resources, 57 operator intervention (PostgreSQL's
     * 57P01 when the server shuts down).
     */
    private static final Set<String> TRANSIENT_STATE_CLASSES = Set.of("08", "40", "53", "57");
    /**
     * H2's own codes for the same: connection broken, database closed, called at shutdown, lock
     * timeout, deadlock.
     */
    private static final Set<Integer> H2_TRANSIENT_CODES = Set.of(90067, 90098, 90121, 50200, 40001);

    private DatabaseFailures() {
    }

    /** Whether {@code failure}, or what caused it, says the database is unavailable for now. */
    public static boolean isUnavailable(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof TransientDataAccessException || cause instanceof RecoverableDataAccessException
                    || cause instanceof DataAccessResourceFailureException
                    || cause instanceof CannotCreateTransactionException || cause instanceof TransactionSystemException
                    || cause instanceof TransactionTimedOutException || cause instanceof SQLTransientException
                    || cause instanceof SQLRecoverableException || cause instanceof SQLNonTransientConnectionException) {
                return true;
            }
            if (cause instanceof SQLException sql && transientState(sql)) {
                return true;
            }
        }
        return false;
    }

    private static boolean transientState(SQLException sql) {
        String state = sql.getSQLState();
        return (state != null && state.length() >= 2 && TRANSIENT_STATE_CLASSES.contains(state.substring(0, 2)))
                || H2_TRANSIENT_CODES.contains(sql.getErrorCode());
    }
}
