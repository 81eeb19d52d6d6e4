package dev.icetune.fixes;

import org.apache.iceberg.DataFile;
import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.ManifestFile;
import org.apache.iceberg.ManifestFiles;
import org.apache.iceberg.ManifestReader;
import org.apache.iceberg.RewriteFiles;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.util.ContentFileUtil;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Delete files whose one data file is no longer in the table. Trino's optimize drops the delete files of the files it
 * rewrites only when its scan is not bounded by {@code "$path"}; a rewrite in pieces, each bounded by {@code "$path"},
 * leaves them behind, where every query still plans them and delete-file-buildup finds them again. A delete file that may
 * hold positions of several data files, and an equality delete file, cannot be told dangling from its metadata: they stay.
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
        return context.icebergStep("then remove the delete files whose data files the rewrite replaced", context.requireTable(name), table -> {
            table.refresh();
            List<DeleteFile> dangling = of(table);
            if (!dangling.isEmpty()) {
                RewriteFiles rewrite = table.newRewrite();
                dangling.forEach(rewrite::deleteFile);
                rewrite.commit();
            }
        });
    }

    /** The current snapshot's delete files that each name one data file, which the snapshot no longer has. */
    static List<DeleteFile> of(Table table)
    {
        Snapshot current = table.currentSnapshot();
        if (current == null) {
            return List.of();
        }
        Set<String> live = new HashSet<>();
        List<DeleteFile> dangling = new ArrayList<>();
        try (CloseableIterable<FileScanTask> tasks = table.newScan().useSnapshot(current.snapshotId()).planFiles()) {
            for (FileScanTask task : tasks) {
                DataFile file = task.file();
                live.add(file.location());
            }
            for (ManifestFile manifest : current.deleteManifests(table.io())) {
                try (ManifestReader<DeleteFile> reader = ManifestFiles.readDeleteManifest(manifest, table.io(), table.specs())) {
                    for (DeleteFile file : reader) {
                        String referenced = ContentFileUtil.referencedDataFileLocation(file);
                        if (referenced != null && !live.contains(referenced)) {
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
