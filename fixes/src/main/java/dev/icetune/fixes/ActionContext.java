package dev.icetune.fixes;

import dev.icetune.engine.TrinoConnections;
import dev.icetune.engine.iceberg.TrinoCatalog;
import dev.icetune.engine.model.LayoutChange;
import dev.icetune.store.Failures;
import dev.icetune.store.TableName;
import io.trino.jdbc.TrinoStatement;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Table;
import org.apache.iceberg.exceptions.CommitFailedException;

import java.net.InetSocketAddress;
import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * What an action plans against: the table as Iceberg has it now (when icetune reads its catalog), Trino, how big a
 * rewrite's pieces are, whether a layout change rewrites its data itself ({@code rewrites} false when another fix
 * of the same run rewrites the same files after it), and where a statement still running says how far it got.
 */
record ActionContext(Optional<Table> table, Optional<TrinoConnections> trino, RewritePlan.Limits limits, boolean rewrites, Consumer<String> progress)
{
    ActionContext
    {
        requireNonNull(table, "table is null");
        requireNonNull(trino, "trino is null");
        requireNonNull(limits, "limits is null");
        requireNonNull(progress, "progress is null");
    }

    /** A context whose statements say nothing while they run: one planned, not applied. */
    ActionContext(Optional<Table> table, Optional<TrinoConnections> trino, RewritePlan.Limits limits, boolean rewrites)
    {
        this(table, trino, limits, rewrites, line -> {});
    }

    Table requireTable(String name)
    {
        return table.orElseThrow(() -> new IllegalStateException("no Iceberg table " + name + " in the catalog: dropped or renamed since its rule fired? "
                + "Nothing was changed; reject the recommendation if the table is gone for good"));
    }

    /**
     * Refuses a layout change naming a column the table no longer has (renamed or dropped since its rule fired) before anything is
     * planned, so that a dry run says so too: planned, its first step failed only when applied, with Iceberg's "Cannot find field".
     */
    static void requireColumns(Table table, String name, Collection<String> columns)
    {
        List<String> missing = columns.stream().filter(column -> table.schema().caseInsensitiveFindField(column) == null).toList();
        if (!missing.isEmpty()) {
            throw new ColumnsGone("%s has no column %s any more (renamed or dropped since the rule fired)".formatted(name, String.join(", ", missing)));
        }
    }

    /** A step that runs one statement through Trino; a statement Trino refuses changes nothing. */
    Step trinoStep(String statement, String estimate)
    {
        return trinoStep(statement, statement, estimate, 0);
    }

    /**
     * A step that runs {@code statement} in a session whose catalog and schema are {@code table}'s: for a statement that holds
     * a query's own text (a view's), whose unqualified names must resolve as in the sessions that ran it, not in icetune's.
     */
    Step trinoStepBeside(TableName table, String statement, String estimate)
    {
        return trinoStep(statement, statement, estimate, 0, Optional.of(table));
    }

    /**
     * A step that runs {@code statement} through Trino, shown as {@code description}. A commit that conflicts with
     * another writer's (the statement changed nothing) is tried again, waiting longer each time, as is a statement whose catalog
     * lost its database connection.
     */
    Step trinoStep(String description, String statement, String estimate, long rewriteBytes)
    {
        return trinoStep(description, statement, estimate, rewriteBytes, Optional.empty());
    }

    /** The names Trino gives the output columns of {@code query} run beside {@code table} (an expression not named is {@code _colN}); nothing runs. */
    List<String> columnsOf(TableName table, String query)
    {
        TrinoConnections connections = requireTrino();
        try (Connection connection = open(connections, Optional.of(table)); PreparedStatement statement = connection.prepareStatement(query)) {
            ResultSetMetaData columns = statement.getMetaData();
            List<String> names = new ArrayList<>(columns.getColumnCount());
            for (int column = 1; column <= columns.getColumnCount(); column++) {
                names.add(columns.getColumnLabel(column));
            }
            return names;
        }
        catch (SQLException e) {
            throw new IllegalStateException("Trino: " + e.getMessage(), e);
        }
    }

    private TrinoConnections requireTrino()
    {
        return trino.orElseThrow(() -> new IllegalStateException("this fix runs Trino statements: set icetune.trino.url to apply it"));
    }

    private static Connection open(TrinoConnections connections, Optional<TableName> session)
            throws SQLException
    {
        Connection connection = connections.open();
        if (session.isPresent()) {
            connection.setCatalog(session.get().catalog());
            connection.setSchema(session.get().schema());
        }
        return connection;
    }

    private Step trinoStep(String description, String statement, String estimate, long rewriteBytes, Optional<TableName> session)
    {
        TrinoConnections connections = requireTrino();
        return new Step(description, estimate, rewriteBytes, () -> {
            try {
                retryingConflicts(() -> {
                    try (Connection connection = open(connections, session); Statement sql = connection.createStatement();
                            StatementProgress said = new StatementProgress(progress, coordinator(connection), () -> cancel(sql))) {
                        if (sql.isWrapperFor(TrinoStatement.class)) {
                            sql.unwrap(TrinoStatement.class).setProgressMonitor(said);
                        }
                        try {
                            // a statement with a result (ANALYZE's row count) returns from execute() before it is done: read it to the end
                            if (sql.execute(statement)) {
                                try (ResultSet result = sql.getResultSet()) {
                                    while (result.next()) {
                                        // done when the result is
                                    }
                                }
                            }
                        }
                        catch (SQLException e) {
                            throw said.explained(e);
                        }
                        said.failIfCoordinatorGone();
                    }
                }, e -> e instanceof SQLException sql && (isCommitConflict(sql) || TrinoConnections.isCatalogConnectionLost(sql)), () -> {});
            }
            catch (SQLException e) {
                throw new IllegalStateException(trinoFailure(e, limits), e);
            }
        });
    }

    /** The host and port a Trino connection's client talks to, where its URL names a port. */
    private static Optional<InetSocketAddress> coordinator(Connection connection)
            throws SQLException
    {
        URI url = URI.create(connection.getMetaData().getURL().replaceFirst("^jdbc:", ""));
        return url.getHost() == null || url.getPort() < 0 ? Optional.empty() : Optional.of(InetSocketAddress.createUnresolved(url.getHost(), url.getPort()));
    }

    private static void cancel(Statement statement)
    {
        try {
            statement.cancel();
        }
        catch (SQLException e) {
            // already closed: the statement ended meanwhile
        }
    }

    /**
     * Trino's message, without the dump of a file's every field Iceberg adds to a conflict (its path kept), and what to do about a failure
     * whose cause a person can change. A conflict here is the last of the limits' attempts: the others were tried again.
     */
    static String trinoFailure(SQLException e, RewritePlan.Limits limits)
    {
        // the driver's "Error fetching results" says why in its causes ("Failed to connect to ...")
        String message = Failures.message(e);
        Matcher dump = FILE_DUMP.matcher(message);
        String shown = dump.find() ? message.substring(0, dump.start()) + dump.group(1) : message;
        String advice = "";
        if (message.contains("open writers for partitions")) {
            // pieces write at most icetune.rewrite.piece-partitions; a file of an older spec alone may span more of the new one's
            advice = " (the catalog's iceberg.max-partitions-per-writer: set icetune.rewrite.piece-partitions to at most it, or raise it"
                    + " where a single file spans more partitions of the new layout)";
        }
        else if (MEMORY_LIMIT.matcher(message).find()) {
            // a rewrite's piece over the limit is halved first (RewritePlan.rewrite): this is a statement that could not be made smaller
            advice = " (a rewrite's piece over it is halved down to two files of a partition first: give Trino's queries more memory,"
                    + " query.max-memory-per-node and query.max-memory)";
        }
        else if (message.contains("Failed to connect to")) {
            // met from outside: Trino stopped before or during an apply (during one, StatementProgress ends the statement once nothing
            // listens at the coordinator's address; before one, the connection is refused at once)
            advice = " (Trino is not answering at icetune.trino.url: apply again once it is up)";
        }
        else if (TrinoConnections.isCatalogConnectionLost(e)) {
            advice = " (Trino's catalog lost its connection to its database, tried %d times: apply again once that database answers)".formatted(limits.commitAttempts());
        }
        else if (isCommitConflict(e)) {
            // a table updated row by row all the time: each commit found deletes written meanwhile for files it rewrote
            advice = " (tried %d times: a rewrite whose files other writers keep changing commits once they are quieter; apply it again then)".formatted(limits.commitAttempts());
        }
        return "Trino: " + shown + advice;
    }

    /** Whether {@code failure} is Trino's refusal of a statement over its memory limit. */
    static boolean exceededMemory(Throwable failure)
    {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException && cause.getMessage() != null && MEMORY_LIMIT.matcher(cause.getMessage()).find()) {
                return true;
            }
        }
        return false;
    }

    /** Trino's EXCEEDED_LOCAL_MEMORY_LIMIT and EXCEEDED_GLOBAL_MEMORY_LIMIT ("Query exceeded per-node memory limit of 512MB ..."). */
    private static final Pattern MEMORY_LIMIT = Pattern.compile("Query exceeded (?:per-node|distributed) [\\w ]*memory limit");

    /** Iceberg's text of a data or delete file ({@code GenericDataFile{content=data, file_path=..., ...}}), to its message's end. */
    private static final Pattern FILE_DUMP = Pattern.compile("\\b\\w*(?:DataFile|DeleteFile)\\{[^{}]*?file_path=([^,}]+).*", Pattern.DOTALL);

    /**
     * A change of {@code table}'s metadata through Iceberg, shown as {@code description}. A commit that loses to another
     * writer's is made again on the table as that writer left it (Iceberg retries some updates itself, not a spec's).
     */
    Step icebergStep(String description, Table table, Consumer<Table> change)
    {
        return new Step(description, () -> retryingConflicts(() -> change.accept(table), e -> e instanceof CommitFailedException, table::refresh));
    }

    /**
     * A change of {@code table}'s metadata: {@code throughIceberg}, or, on a table icetune reads through Trino and cannot commit to,
     * Trino's {@code statement} that makes the same change (a layout's statement sets the layout whole).
     */
    Step metadataStep(Table table, Step throughIceberg, String statement)
    {
        return TrinoCatalog.readThroughTrino(table) ? trinoStep(statement, throughIceberg.estimate()) : throughIceberg;
    }

    /** Runs {@code action} until it does not fail as {@code conflict} tells, at most the limit's attempts, waiting longer each time. */
    private void retryingConflicts(Step.Action action, Predicate<Exception> conflict, Runnable beforeRetry)
            throws Exception
    {
        for (int attempt = 1; ; attempt++) {
            try {
                action.run();
                return;
            }
            catch (Exception e) {
                if (attempt >= limits.commitAttempts() || !conflict.test(e)) {
                    throw e;
                }
                Thread.sleep(limits.firstRetryDelay().multipliedBy(1L << Math.min(attempt - 1, 10)));
                beforeRetry.run();
            }
        }
    }

    /**
     * A layout change's steps: the change itself unless the table has it already, then, when the fix asks for it, the pieces of the
     * rewrite of the files not yet in it. A table that has the layout and files outside it is one whose apply failed in its rewrite
     * (or was changed by hand): applying again rewrites what is left. None when both are done. {@code newSpec}: the partition spec a
     * change of it rewrites the files into (none: the table's own).
     */
    List<Step> withRewrite(LayoutChange fix, Optional<Step> change, Predicate<DataFile> inTargetLayout, Optional<PartitionSpec> newSpec)
    {
        RewritePlan.LayoutRewrite rewrite = fix.rewrite() != null && rewrites
                ? RewritePlan.layout(this, fix.table(), fix.rewrite(), inTargetLayout, newSpec) : RewritePlan.LayoutRewrite.NONE;
        List<Step> steps = new ArrayList<>();
        // a file alone in its partition keeps its sort order and bloom filters: said where the change is planned, not left to surprise
        change.map(step -> rewrite.leftAlone() == 0 ? step
                : step.noting((rewrite.leftAlone() == 1 ? "its 1 file alone in its partition keeps" : "its %,d files, each alone in its partition, keep".formatted(rewrite.leftAlone()))
                        + " the old layout: Trino's optimize rewrites no lone file; later writes and rewrites take the new one"))
                .ifPresent(steps::add);
        steps.addAll(rewrite.steps());
        return steps;
    }

    /** Iceberg's optimistic commit lost to another writer's: nothing was committed, the same statement may simply run again. */
    static boolean isCommitConflict(SQLException e)
    {
        String message = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
        return message.contains("failed to commit") || message.contains("commitfailedexception") || message.contains("conflict");
    }
}
