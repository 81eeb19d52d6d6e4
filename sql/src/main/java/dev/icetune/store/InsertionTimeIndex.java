package dev.icetune.store;

import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;

/**
 * Builds the index on query_logs.inserted_at that migration V8 left out: on the partitions already written at the upgrade,
 * where a plain CREATE INDEX would have read them whole and held the listener's writes meanwhile. Until they have it, each
 * evaluation reads those days to find late rows (as it read them all before V8), for as long as they are in its baseline.
 * Here each one is built CONCURRENTLY (writes go on), one partition at a time, and attached to the partitioned index; a
 * build cut short leaves an invalid index behind, which the next run drops and builds again. Run by the CLI's
 * {@code migrate}, with the credentials of the tables' owner, at an hour the operator chooses.
 */
public final class InsertionTimeIndex
{
    /**
     * The partitions of query_logs holding rows from {@code :since} on (the default partition may hold any) whose inserted_at
     * index is not attached yet, and what their index's name holds now. Older days are read by no evaluation: indexing them
     * would read them for nothing, until retention drops them.
     */
    private static final String MISSING = """
            SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS partition, quote_ident(c.relname || '_inserted_at_idx') AS name,
                   quote_ident(n.nspname) || '.' || quote_ident(c.relname || '_inserted_at_idx') AS qualified,
                   (SELECT i.indisvalid FROM pg_class ic JOIN pg_index i ON i.indexrelid = ic.oid
                    WHERE ic.relname = c.relname || '_inserted_at_idx' AND ic.relnamespace = c.relnamespace) AS existing_valid
            FROM pg_inherits p JOIN pg_class c ON c.oid = p.inhrelid JOIN pg_namespace n ON n.oid = c.relnamespace,
                 LATERAL (SELECT substring(pg_get_expr(c.relpartbound, c.oid) FROM 'TO \\(''([^'']+)''\\)')::timestamptz AS ends) bound
            WHERE p.inhparent = 'query_logs'::regclass
              AND (bound.ends IS NULL OR bound.ends > :since)
              AND NOT EXISTS (SELECT 1 FROM pg_inherits x JOIN pg_index i ON i.indexrelid = x.inhrelid
                              WHERE x.inhparent = 'query_logs_inserted_at_idx'::regclass AND i.indrelid = c.oid)
            ORDER BY c.relname
            """;

    private record Missing(String partition, String name, String qualified, Boolean existingValid) {}

    private InsertionTimeIndex() {}

    /** How many partitions with rows from {@code since} on lack the index: each evaluation reading them reads them whole. */
    public static int missing(Database database, Instant since)
    {
        return database.jdbi().withHandle(handle -> handle.createQuery("SELECT count(*) FROM (" + MISSING + ") missing")
                .bind("since", Timestamp.from(since)).mapTo(Integer.class).one());
    }

    /**
     * Builds and attaches the missing indexes of the partitions with rows from {@code since} on (what evaluations read), saying
     * so for each; returns how many partitions were indexed.
     */
    public static int complete(Database database, Instant since, Consumer<String> progress)
    {
        Jdbi jdbi = Database.jdbi(() -> {
            var connection = database.open();
            // a partition of days of queries takes longer to index than icetune.db.socket-timeout, and a build cut short is
            // an invalid index: this connection waits for as long as the build takes
            connection.setNetworkTimeout(Runnable::run, 0);
            return connection;
        });
        try {
            return jdbi.withHandle(handle -> {
                List<Missing> missing = handle.createQuery(MISSING).bind("since", Timestamp.from(since))
                        .map((row, context) -> new Missing(row.getString("partition"), row.getString("name"), row.getString("qualified"),
                                (Boolean) row.getObject("existing_valid")))
                        .list();
                for (Missing index : missing) {
                    progress.accept("indexing inserted_at of " + index.partition() + ", written before version 8 (writes go on)");
                    build(handle, index);
                }
                return missing.size();
            });
        }
        catch (RuntimeException e) {
            throw new IllegalStateException("cannot index inserted_at of query_logs in " + database.redactedUrl() + ": " + message(e), e);
        }
    }

    /** Outside a transaction, as CONCURRENTLY requires: each statement commits on its own. */
    private static void build(Handle handle, Missing index)
    {
        if (Boolean.FALSE.equals(index.existingValid())) {
            handle.execute("DROP INDEX CONCURRENTLY IF EXISTS " + index.qualified()); // a build cut short
        }
        handle.execute("CREATE INDEX CONCURRENTLY IF NOT EXISTS " + index.name() + " ON " + index.partition() + " USING brin (inserted_at)");
        handle.execute("ALTER INDEX query_logs_inserted_at_idx ATTACH PARTITION " + index.qualified());
    }

    private static String message(RuntimeException e)
    {
        if (!(e.getCause() instanceof SQLException cause)) {
            return e.getMessage();
        }
        // insufficient_privilege: only the tables' owner may index them
        return "42501".equals(cause.getSQLState()) ? cause.getMessage() + " (run migrate with the owner of query_logs as icetune.db.user)" : cause.getMessage();
    }
}
