package dev.icetune.fixes;

import dev.icetune.engine.TrinoConnections;
import dev.icetune.engine.model.LayoutChange;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Table;
import org.apache.iceberg.io.CloseableIterable;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/** What an action plans against: the table as Iceberg has it now (when icetune reads its catalog), and Trino. */
record ActionContext(Optional<Table> table, Optional<TrinoConnections> trino)
{
    ActionContext
    {
        requireNonNull(table, "table is null");
        requireNonNull(trino, "trino is null");
    }

    Table requireTable(String name)
    {
        return table.orElseThrow(() -> new IllegalStateException("no Iceberg table " + name + " in the catalog"));
    }

    /** A step that runs one statement through Trino; a statement Trino refuses changes nothing. */
    Step trinoStep(String statement, String estimate)
    {
        TrinoConnections connections = trino.orElseThrow(() -> new IllegalStateException("this fix runs Trino statements: set icetune.trino.url to apply it"));
        return new Step(statement, estimate, () -> {
            try (Connection connection = connections.open(); Statement sql = connection.createStatement()) {
                sql.execute(statement);
            }
            catch (SQLException e) {
                throw new IllegalStateException("Trino: " + e.getMessage(), e);
            }
        });
    }

    /** A layout change's steps: the change itself, then, when the fix asks for it, the rewrite of the existing files into it. */
    List<Step> withRewrite(LayoutChange fix, Step change)
    {
        return fix.rewrite() == null ? List.of(change) : List.of(change, rewriteStep(fix.rewrite().statement(fix.table()), fix.rewrite().fileSizeThresholdBytes()));
    }

    /** Trino's optimize over the files under the threshold, with what it would rewrite. */
    Step rewriteStep(String statement, long fileSizeThresholdBytes)
    {
        return trinoStep(statement, table.map(current -> rewriteEstimate(current, fileSizeThresholdBytes))
                .orElse("files to rewrite unknown: the table is not in the catalog icetune reads"));
    }

    private static String rewriteEstimate(Table table, long thresholdBytes)
    {
        long files = 0;
        long bytes = 0;
        if (table.currentSnapshot() != null) {
            try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
                for (FileScanTask task : tasks) {
                    if (task.file().fileSizeInBytes() < thresholdBytes) {
                        files++;
                        bytes += task.file().fileSizeInBytes();
                    }
                }
            }
            catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return "rewrites about %d files, %d bytes".formatted(files, bytes);
    }
}
