package dev.icetune.engine.iceberg;

import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Table;

/**
 * Which data files a compaction rewrites, one rule for the fix that plans it (RewritePlan) and the table facts that count
 * them for the small-files rule: were the two to disagree, the rule would recommend a compaction that rewrites nothing.
 * A compaction rewrites the files under its size threshold and those that deletes apply to, partition by partition.
 */
public final class CompactedFiles
{
    private CompactedFiles() {}

    /** The file's partition, of its spec: files of two specs never share one. */
    public static String partition(FileScanTask task)
    {
        return task.file().specId() + "/" + task.spec().partitionToPath(task.file().partition());
    }

    /** Under the threshold, or with deletes to apply: a file the compaction considers. */
    public static boolean considered(FileScanTask task, long thresholdBytes)
    {
        return task.file().fileSizeInBytes() < thresholdBytes || !task.deletes().isEmpty();
    }

    /**
     * A considered file the compaction rewrites only beside another of its partition's: without deletes and in the current spec,
     * alone it has nothing to be merged with (Trino's optimize would not rewrite it; a file of an older spec it rewrites into the
     * current one, one with deletes to apply them).
     */
    public static boolean onlyBesideOthers(FileScanTask task, Table table)
    {
        return task.deletes().isEmpty() && task.file().specId() == table.spec().specId();
    }

    /** A considered file the compaction leaves all the same: one {@link #onlyBesideOthers} alone among its partition's considered files. */
    public static boolean leftAlone(FileScanTask task, Table table, long consideredInPartition)
    {
        return consideredInPartition == 1 && onlyBesideOthers(task, table);
    }
}
