package dev.icetune.fixes;

import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.ManifestFile;
import org.apache.iceberg.ManifestFiles;
import org.apache.iceberg.ManifestReader;
import org.apache.iceberg.RewriteFiles;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.io.CloseableIterable;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Delete files that apply to no data file of the table. Trino's optimize drops the delete files of the files it rewrites
 * only when its scan is not bounded by {@code "$path"}; a rewrite in pieces, each bounded by {@code "$path"}, leaves them
 * behind, where every query still plans them and delete-file-buildup finds them again. Iceberg's own scan planning attaches
 * to each data file the delete files that may hold its rows (by partition, sequence number, the paths a position delete
 * names, an equality delete's value ranges): a delete file it attaches to none changes no row of the table.
 */
final class DanglingDeletes
{
    private DanglingDeletes() {}

    /** Whether the table's current snapshot has delete files at all: only then can a rewrite leave some dangling. */
    static boolean possible(Table table)
    {
        Snapshot current = table.currentSnapshot();
        return current != null && !current.deleteManifests(table.io()).isEmpty();
    }

    /** The step after a rewrite's pieces: remove the delete files they left dangling, found when it runs. */
    static Step removal(ActionContext context, String name)
    {
        return context.icebergStep("then remove the delete files that apply to no data file left", context.requireTable(name), table -> {
            table.refresh();
            List<DeleteFile> dangling = of(table);
            if (!dangling.isEmpty()) {
                RewriteFiles rewrite = table.newRewrite();
                dangling.forEach(rewrite::deleteFile);
                rewrite.commit();
            }
        });
    }

    /** The current snapshot's delete files that its scan planning attaches to none of its data files. */
    static List<DeleteFile> of(Table table)
    {
        Snapshot current = table.currentSnapshot();
        if (current == null) {
            return List.of();
        }
        Set<String> applying = new HashSet<>();
        List<DeleteFile> dangling = new ArrayList<>();
        try (CloseableIterable<FileScanTask> tasks = table.newScan().useSnapshot(current.snapshotId()).planFiles()) {
            for (FileScanTask task : tasks) {
                task.deletes().forEach(file -> applying.add(file.location()));
            }
            for (ManifestFile manifest : current.deleteManifests(table.io())) {
                try (ManifestReader<DeleteFile> reader = ManifestFiles.readDeleteManifest(manifest, table.io(), table.specs())) {
                    for (DeleteFile file : reader) {
                        if (!applying.contains(file.location())) {
                            dangling.add(file.copyWithoutStats());
                        }
                    }
                }
            }
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dangling;
    }
}
