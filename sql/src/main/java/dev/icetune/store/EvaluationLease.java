package dev.icetune.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Which of several {@code evaluate --service} against one database evaluates: the one holding a PostgreSQL advisory lock, on a
 * connection of its own, for as long as that connection lives. The others stand by and take over once it is gone (the service
 * stopped, its host lost, PostgreSQL restarted). Two services evaluating in turn would each count a recommendation's miss, resolving
 * it in half the evaluations' time, and each say the same things. A service of one cluster ({@code --cluster}) excludes only
 * services of that cluster.
 */
public final class EvaluationLease
        implements AutoCloseable
{
    /** Arbitrary, fixed: the first key of the lock; the second is the hash of the scope. */
    private static final int LOCK_CLASS = 0x1CE7_0E02;

    private final Database database;
    private final String scope;
    private volatile Connection held;
    private volatile boolean closed;

    /** The lease of the evaluations of one cluster, or of every cluster ({@code ""}). */
    public EvaluationLease(Database database, String scope)
    {
        this.database = requireNonNull(database, "database is null");
        this.scope = requireNonNull(scope, "scope is null");
    }

    /**
     * Whether this service holds the evaluations: still, when it held them and its connection lives; or now, when no other holds
     * them. Called by one thread at a time (the service's evaluations run one after another).
     */
    public boolean hold()
            throws SQLException
    {
        if (held != null) {
            if (held.isValid(10)) {
                return true;
            }
            release(); // the connection is gone, and the lock with it: another service may have taken it since
        }
        Connection connection = database.open();
        try (PreparedStatement statement = connection.prepareStatement("SELECT pg_try_advisory_lock(?, hashtext(?))")) {
            statement.setInt(1, LOCK_CLASS);
            statement.setString(2, scope);
            try (ResultSet result = statement.executeQuery()) {
                if (result.next() && result.getBoolean(1)) {
                    held = connection;
                    if (closed) {
                        release(); // the service stopped while this connection was being opened: nothing may hold the lock after it
                        return false;
                    }
                    return true;
                }
            }
        }
        catch (SQLException | RuntimeException e) {
            connection.close();
            throw e;
        }
        connection.close();
        return false;
    }

    /** When the last evaluation of this database finished, by whichever service or person: what a standby reports of its health. */
    public Optional<Instant> lastEvaluation()
            throws SQLException
    {
        try (Connection connection = database.open();
                PreparedStatement statement = connection.prepareStatement("SELECT max(finished_at) FROM evaluations");
                ResultSet result = statement.executeQuery()) {
            Timestamp last = result.next() ? result.getTimestamp(1) : null;
            return Optional.ofNullable(last).map(Timestamp::toInstant);
        }
    }

    /** Gives the evaluations up, to a service standing by. Not synchronized: a stop must not wait for a connection being opened. */
    @Override
    public void close()
    {
        closed = true;
        release();
    }

    private void release()
    {
        Connection connection = held;
        held = null;
        if (connection != null) {
            try {
                connection.close();
            }
            catch (SQLException ignored) {
                // lost already: the lock went with it
            }
        }
    }
}
