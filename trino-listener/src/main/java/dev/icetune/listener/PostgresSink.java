package dev.icetune.listener;

import com.google.inject.Inject;
import dev.icetune.store.Database;
import dev.icetune.store.SchemaMigrator;

import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static java.util.Objects.requireNonNull;

/**
 * Writes batches to PostgreSQL with COPY, one transaction a batch part, the parts of a batch on
 * {@code icetune.db.writers} connections side by side (one backend ingests at most one core's worth). Idempotent on query id: a batch that
 * collides with rows already stored (a replay after a commit whose acknowledgement was lost) is written
 * again through staging tables, keeping only queries not yet stored, so a replay never duplicates and
 * the common case pays nothing for it.
 */
final class PostgresSink
        implements AutoCloseable
{
    static final String LOGS_COLUMNS = "query_id, \"timestamp\", state, success, error_code, error_type, error_message, user_name, principal, source, "
            + "client_tags, resource_group, catalog, schema_name, server_version, query_text, query_text_length, query_text_truncated, "
            + "query_pattern, query_pattern_hash, update_type, plan, create_time, execution_start_time, end_time, latency, queued_ms, "
            + "planning_ms, execution_ms, cpu_ms, scheduled_ms, physical_input_bytes, physical_input_rows, processed_input_bytes, "
            + "processed_input_rows, bytes_scanned, files_scanned, rows_returned, output_bytes, written_bytes, written_rows, "
            + "peak_memory_bytes, spilled_bytes, completed_splits, skew_ratio, skew_stage_id, input_count, main_input, input_snapshots, "
            + "join_input_rows, join_output_rows, cross_join, sort_without_limit, cluster_name, prepared_statement";
    static final String INPUTS_COLUMNS = "query_id, \"timestamp\", input_index, query_pattern_hash, update_type, catalog, schema_name, table_name, connector, columns, "
            + "physical_input_bytes, physical_input_rows, snapshot_id, format_version, partition_fields, file_format, total_data_files, "
            + "total_records, total_delete_files, files_scanned, bytes_scanned, manifests_scanned, manifests_skipped, "
            + "delete_files_scanned, scan_planning_ms, bytes_read_from_cache, bytes_read_externally, pruning_ratio, "
            + "constraint_columns, filter_predicate, cluster_name, estimated_rows, output_rows, reads_as_of";
    static final String STARTS_COLUMNS = "query_id, create_time, user_name, source, catalog, schema_name, query_pattern_hash, cluster_name";

    private static final String UNIQUE_VIOLATION = "23505";
    /** SQLSTATE class 08: the connection failed or was dropped (08006, an I/O error on a connection the server closed). */
    private static final String CONNECTION_EXCEPTION = "08";
    private static final Duration MAINTENANCE_INTERVAL = Duration.ofHours(1);

    private final Database database;
    private final int partitionsAheadDays;
    private final int retentionDays;

    /** One connection per part slot, each used only by its slot's thread: a slot writes its parts in the order given. */
    private final Connection[] connections;
    private final ExecutorService[] slots;
    private boolean migrated;
    private Instant lastMaintenance = Instant.EPOCH;

    @Inject
    PostgresSink(Database database, ListenerConfig config)
    {
        this.database = requireNonNull(database, "database is null");
        requireNonNull(config, "config is null");
        this.partitionsAheadDays = config.getPartitionsAheadDays();
        this.retentionDays = config.getRetentionDays();
        this.connections = new Connection[config.getDbWriters()];
        this.slots = new ExecutorService[config.getDbWriters()];
        for (int slot = 0; slot < slots.length; slot++) {
            String name = "icetune-writer-connection-" + slot;
            slots[slot] = Executors.newSingleThreadExecutor(runnable -> {
                Thread thread = new Thread(runnable, name);
                thread.setDaemon(true);
                return thread;
            });
        }
    }

    /** A batch handed to the slots: its parts are written, or wait behind the parts of the batch before. */
    record Pending(EncodedBatch batch, long startNanos, List<Future<?>> parts)
    {
        Pending
        {
            requireNonNull(batch, "batch is null");
            parts = List.copyOf(parts);
        }
    }

    /**
     * Starts writing one batch, each part in one transaction on a connection of its own, the parts side by side.
     * A slot takes the next batch's part as soon as its own part of this one is committed, so no connection waits for
     * the slowest between batches. A failure to prepare is not thrown here: it is the batch's, seen by {@link #await}.
     */
    Pending submit(EncodedBatch batch)
    {
        long start = System.nanoTime();
        List<EncodedBatch.Rows> parts = batch.parts();
        if (parts.size() > connections.length) {
            throw new IllegalArgumentException("batch has " + parts.size() + " parts for " + connections.length + " connections");
        }
        if (batch.size() == 0) {
            return new Pending(batch, start, List.of());
        }
        try {
            prepare();
        }
        catch (SQLException | RuntimeException e) {
            return new Pending(batch, start, List.of(CompletableFuture.failedFuture(e)));
        }
        List<Future<?>> written = new ArrayList<>(parts.size());
        for (int slot = 0; slot < parts.size(); slot++) {
            int part = slot;
            written.add(slots[slot].submit(() -> {
                writePart(part, parts.get(part));
                return null;
            }));
        }
        return new Pending(batch, start, written);
    }

    /**
     * Waits for every part of a batch. On failure the batch throws and the caller writes it again or journals it:
     * parts that did commit then collide with themselves and are skipped, so a partial success never duplicates.
     */
    void await(Pending pending)
            throws SQLException
    {
        Throwable failure = null;
        for (Future<?> part : pending.parts()) {
            Throwable cause = awaitUninterruptibly(part);
            if (failure == null) {
                failure = cause;
            }
            else if (cause != null) {
                failure.addSuppressed(cause);
            }
        }
        rethrow(failure);
    }

    /** What failed on a slot's thread, thrown on the caller's: a missing schema is forgotten, to be created again. */
    private void rethrow(Throwable failure)
            throws SQLException
    {
        switch (failure) {
            case null -> {}
            case SQLException e -> throw forgetSchemaIfMissing(e);
            case RuntimeException e -> throw e;
            default -> throw new IllegalStateException(failure);
        }
    }

    /**
     * A server without our tables or functions (a failover to a fresh server behind the same URL, a restored backup)
     * gets the schema again before the next attempt.
     */
    private SQLException forgetSchemaIfMissing(SQLException failure)
    {
        if (SchemaMigrator.isSchemaMissing(failure)) {
            migrated = false;
            lastMaintenance = Instant.EPOCH;
        }
        return failure;
    }

    /**
     * One part, on the slot's connection. A connection PostgreSQL dropped while it sat idle (a restart, a backend killed) fails at
     * its next use: the part is tried once more on a new one before the batch is given up to the journal. Had the commit itself
     * gone through with its answer lost, the second attempt collides with it and is written deduplicated.
     */
    private void writePart(int slot, EncodedBatch.Rows rows)
            throws SQLException
    {
        boolean reused = connections[slot] != null;
        try {
            writePartOnce(slot, rows);
        }
        catch (SQLException e) {
            if (!reused || e.getSQLState() == null || !e.getSQLState().startsWith(CONNECTION_EXCEPTION)) {
                throw e;
            }
            writePartOnce(slot, rows);
        }
    }

    /** One part in one transaction; a unique violation means a replay, written again through staging tables. */
    private void writePartOnce(int slot, EncodedBatch.Rows rows)
            throws SQLException
    {
        Connection current = connection(slot);
        try {
            copyRows(current, rows);
            current.commit();
        }
        catch (SQLException e) {
            rollbackQuietly(current);
            if (!UNIQUE_VIOLATION.equals(e.getSQLState())) {
                closeConnection(slot);
                throw e;
            }
            try {
                copyRowsDeduplicated(current, rows);
                current.commit();
            }
            catch (SQLException retry) {
                rollbackQuietly(current);
                closeConnection(slot);
                throw retry;
            }
        }
    }

    private static Throwable awaitUninterruptibly(Future<?> future)
    {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    future.get();
                    return null;
                }
                catch (InterruptedException e) {
                    interrupted = true;
                }
                catch (ExecutionException e) {
                    return e.getCause();
                }
            }
        }
        finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The common case: straight COPY into the tables. A query id already stored fails it with a unique violation. */
    private static void copyRows(Connection current, EncodedBatch.Rows rows)
            throws SQLException
    {
        CopyManager copy = current.unwrap(PGConnection.class).getCopyAPI();
        copyIn(copy, "query_logs", LOGS_COLUMNS, rows.logs());
        copyIn(copy, "query_inputs", INPUTS_COLUMNS, rows.inputs());
        copyIn(copy, "query_starts", STARTS_COLUMNS, rows.starts());
    }

    /**
     * A replay of rows partly stored already: through staging tables, keeping only new queries. Inputs have
     * no key of their own (it would cost a third of the ingest rate): they go in with their query's row.
     */
    private static void copyRowsDeduplicated(Connection current, EncodedBatch.Rows rows)
            throws SQLException
    {
        CopyManager copy = current.unwrap(PGConnection.class).getCopyAPI();
        try (Statement statement = current.createStatement()) {
            for (String table : List.of("query_logs", "query_inputs", "query_starts")) {
                statement.execute("CREATE TEMPORARY TABLE IF NOT EXISTS icetune_stage_" + table + " (LIKE " + table + ") ON COMMIT DELETE ROWS");
            }
            copyIn(copy, "icetune_stage_query_logs", LOGS_COLUMNS, rows.logs());
            copyIn(copy, "icetune_stage_query_inputs", INPUTS_COLUMNS, rows.inputs());
            copyIn(copy, "icetune_stage_query_starts", STARTS_COLUMNS, rows.starts());
            statement.execute("WITH stored AS ("
                    + "INSERT INTO query_logs (" + LOGS_COLUMNS + ") SELECT " + LOGS_COLUMNS + " FROM icetune_stage_query_logs "
                    + "ON CONFLICT DO NOTHING RETURNING query_id, \"timestamp\") "
                    + "INSERT INTO query_inputs (" + INPUTS_COLUMNS + ") SELECT " + qualified("i", INPUTS_COLUMNS)
                    + " FROM icetune_stage_query_inputs i JOIN stored USING (query_id, \"timestamp\")");
            statement.execute("INSERT INTO query_starts (" + STARTS_COLUMNS + ") SELECT " + STARTS_COLUMNS
                    + " FROM icetune_stage_query_starts ON CONFLICT DO NOTHING");
        }
    }

    private static String qualified(String alias, String columns)
    {
        return String.join(", ", java.util.Arrays.stream(columns.split(", ")).map(column -> alias + "." + column).toList());
    }

    private static void copyIn(CopyManager copy, String table, String columns, CopyRows.Data rows)
            throws SQLException
    {
        if (rows.isEmpty()) {
            return;
        }
        try {
            copy.copyIn("COPY " + table + " (" + columns + ") FROM STDIN (FORMAT binary)", rows.stream());
        }
        catch (IOException e) {
            throw new SQLException("COPY into " + table + " failed", "08006", e);
        }
    }

    static void appendQuery(CopyRows rows, CapturedQuery query)
    {
        rows.text(query.queryId()).timestamp(query.endTime()).text(query.state()).bool(query.success())
                .text(query.errorCode()).text(query.errorType()).text(query.errorMessage())
                .text(query.userName()).text(query.principal()).text(query.source()).array(query.clientTags())
                .text(query.resourceGroup()).text(query.catalog()).text(query.schemaName()).text(query.serverVersion())
                .text(query.queryText()).number(query.queryTextLength()).bool(query.queryTextTruncated())
                .text(query.queryPattern()).text(query.queryPatternHash()).text(query.updateType()).text(query.plan())
                .timestamp(query.createTime()).timestamp(query.executionStartTime()).timestamp(query.endTime())
                .number(query.wallMs()).number(query.queuedMs()).number(query.planningMs()).number(query.executionMs())
                .number(query.cpuMs()).number(query.scheduledMs())
                .number(query.physicalInputBytes()).number(query.physicalInputRows())
                .number(query.processedInputBytes()).number(query.processedInputRows())
                .number(query.physicalInputBytes()).number(query.filesScanned()).number(query.outputRows())
                .number(query.outputBytes()).number(query.writtenBytes()).number(query.writtenRows())
                .number(query.peakMemoryBytes()).number(query.spilledBytes()).number(query.completedSplits())
                .number(query.skewRatio()).number(query.skewStageId()).number(query.inputs().size())
                .text(query.mainInput()).text(query.inputSnapshots())
                .number(query.joinInputRows()).number(query.joinOutputRows()).bool(query.crossJoin()).bool(query.sortWithoutLimit())
                .text(query.clusterName()).text(query.preparedStatement());
        rows.endRow();
    }

    static void appendInput(CopyRows rows, CapturedQuery query, CapturedInput input)
    {
        rows.text(query.queryId()).timestamp(query.endTime()).number(input.inputIndex())
                .text(query.queryPatternHash()).text(query.updateType())
                .text(input.catalog()).text(input.schemaName()).text(input.tableName()).text(input.connector())
                .array(input.columns()).number(input.physicalInputBytes()).number(input.physicalInputRows())
                .number(input.snapshotId()).number(input.formatVersion()).array(input.partitionFields()).text(input.fileFormat())
                .number(input.totalDataFiles()).number(input.totalRecords()).number(input.totalDeleteFiles())
                .number(input.filesScanned()).number(input.bytesScanned()).number(input.manifestsScanned())
                .number(input.manifestsSkipped()).number(input.deleteFilesScanned()).number(input.scanPlanningMs())
                .number(input.bytesReadFromCache()).number(input.bytesReadExternally()).number(input.pruningRatio())
                .array(input.constraintColumns()).text(input.filterPredicate()).text(query.clusterName())
                .number(input.estimatedRows()).number(input.outputRows()).bool(query.readsAsOf(input));
        rows.endRow();
    }

    static void appendStart(CopyRows rows, CapturedStart start)
    {
        rows.text(start.queryId()).timestamp(start.createTime()).text(start.userName()).text(start.source())
                .text(start.catalog()).text(start.schemaName()).text(start.queryPatternHash()).text(start.clusterName());
        rows.endRow();
    }

    /** PostgreSQL out of reach: no connection (class 08), or the server ending it (57P01-57P03: shut down, crashed, starting again). */
    static boolean isOutage(SQLException e)
    {
        return e.getSQLState() != null && (e.getSQLState().startsWith(CONNECTION_EXCEPTION) || e.getSQLState().startsWith("57P0"));
    }

    /** The schema is in place and the day partitions are kept ahead: nothing to prepare before the next batch. */
    boolean isPrepared()
    {
        return migrated && Duration.between(lastMaintenance, Instant.now()).compareTo(MAINTENANCE_INTERVAL) < 0;
    }

    /** Applies migrations once, and keeps the day partitions ahead: at start-up, and before a batch is written. */
    void prepare()
            throws SQLException
    {
        if (!migrated) {
            try {
                database.migrateIfEnabled();
            }
            catch (RuntimeException e) {
                throw new SQLException("schema migration failed: " + e.getMessage(), "08001", e);
            }
            migrated = true;
        }
        if (Duration.between(lastMaintenance, Instant.now()).compareTo(MAINTENANCE_INTERVAL) >= 0) {
            // on slot 0's thread, behind any part still being written there: a connection is never used by two threads at once
            rethrow(awaitUninterruptibly(slots[0].submit(() -> {
                maintainPartitions();
                return null;
            })));
            lastMaintenance = Instant.now();
        }
    }

    /**
     * Records the queries whose completion was not kept (query id to cluster), so that their starts are not taken for running
     * queries; a query recorded before is left as it is (a retry after a lost acknowledgement).
     */
    void recordLostCompletions(Map<String, String> lost)
            throws SQLException
    {
        rethrow(awaitUninterruptibly(slots[0].submit(() -> {
            inTransaction(current -> {
                try (PreparedStatement statement = current.prepareStatement(
                        "INSERT INTO lost_completions (query_id, cluster_name) SELECT * FROM unnest(?, ?) ON CONFLICT (query_id) DO NOTHING")) {
                    statement.setArray(1, current.createArrayOf("text", lost.keySet().toArray()));
                    statement.setArray(2, current.createArrayOf("text", lost.values().toArray()));
                    statement.execute();
                }
            });
            return null;
        })));
    }

    /** Says the coordinator alive (now, by PostgreSQL's clock), and forgets coordinators silent for a week. */
    void beat(CoordinatorHeartbeat.Coordinator coordinator)
            throws SQLException
    {
        rethrow(awaitUninterruptibly(slots[0].submit(() -> {
            inTransaction(current -> {
                try (PreparedStatement statement = current.prepareStatement("""
                        INSERT INTO coordinator_heartbeats (cluster_name, coordinator_id, seen_at) VALUES (?, ?, now())
                        ON CONFLICT (cluster_name, coordinator_id) DO UPDATE SET seen_at = excluded.seen_at""")) {
                    statement.setString(1, coordinator.cluster());
                    statement.setString(2, coordinator.id());
                    statement.execute();
                }
                try (Statement statement = current.createStatement()) {
                    statement.execute("DELETE FROM coordinator_heartbeats WHERE seen_at < now() - interval '7 days'");
                }
            });
            return null;
        })));
    }

    private void maintainPartitions()
            throws SQLException
    {
        inTransaction(current -> {
            try (PreparedStatement statement = current.prepareStatement("SELECT icetune_maintain_partitions(?, ?)")) {
                statement.setInt(1, partitionsAheadDays);
                statement.setInt(2, retentionDays);
                statement.execute();
            }
        });
    }

    /** Work of slot 0's thread on its connection, committed; after a failure the connection is dropped, to be opened again. */
    private void inTransaction(Work work)
            throws SQLException
    {
        Connection current = connection(0);
        try {
            work.run(current);
            current.commit();
        }
        catch (SQLException e) {
            rollbackQuietly(current);
            closeConnection(0);
            throw e;
        }
    }

    @FunctionalInterface
    private interface Work
    {
        void run(Connection connection)
                throws SQLException;
    }

    /** The connection of one part slot, opened on first use and again after a failure dropped it. */
    private Connection connection(int slot)
            throws SQLException
    {
        Connection current = connections[slot];
        if (current == null || current.isClosed()) {
            current = database.open();
            current.setAutoCommit(false);
            connections[slot] = current;
        }
        return current;
    }

    private static void rollbackQuietly(Connection current)
    {
        try {
            current.rollback();
        }
        catch (SQLException ignored) {
            // the connection is being discarded anyway
        }
    }

    private void closeConnection(int slot)
    {
        if (connections[slot] != null) {
            try {
                connections[slot].close();
            }
            catch (SQLException ignored) {
                // nothing to do with a failing close
            }
            connections[slot] = null;
        }
    }

    /** After the last batch is awaited: the slots are idle. */
    @Override
    public void close()
    {
        for (ExecutorService slot : slots) {
            slot.shutdownNow();
        }
        for (int slot = 0; slot < connections.length; slot++) {
            closeConnection(slot);
        }
    }
}
