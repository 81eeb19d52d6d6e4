package dev.icetune.engine.iceberg;

import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.PartitionField;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.StructLike;
import org.apache.iceberg.Table;
import org.apache.iceberg.transforms.Transform;
import org.apache.iceberg.types.Conversions;
import org.apache.iceberg.types.Type;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Which data files a compaction rewrites, one rule for the fix that plans it (RewritePlan) and the table facts that count
 * them for the small-files rule: were the two to disagree, the rule would recommend a compaction that rewrites nothing.
 * A compaction rewrites the files under its size threshold and those that deletes apply to, partition by partition, into
 * the table's current spec: a file of an older spec lands in the partitions of the current one that its rows fall in.
 */
public final class CompactedFiles
{
    private CompactedFiles() {}

    /** The file's partition, of its spec: files of two specs never share one. */
    public static String partition(FileScanTask task)
    {
        return task.file().specId() + "/" + task.spec().partitionToPath(task.file().partition());
    }

    /**
     * The partition a compaction writes the file's rows into: of the current spec, when the file is of it or its column bounds put
     * every row of it in one partition of it (a file of one day, of a monthly spec, in the day's partition of a daily one); else its
     * own partition, as {@link #partition}, which a rewrite spreads over several of the current spec.
     */
    public static String destination(FileScanTask task, Table table)
    {
        return currentPartition(task.file(), table).map(path -> "current/" + path).orElseGet(() -> partition(task));
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

    /**
     * A considered file a compaction gains from only beside another of its {@link #destination}'s: without deletes, and all its rows
     * in one partition of the current spec. Alone there, rewriting it leaves one file where there was one: Trino's optimize would
     * move a file of an older spec into the current one, which a scan's pruning does not need, as its bounds already fit that partition.
     */
    public static boolean mergedOnlyWithOthers(FileScanTask task, Table table)
    {
        return task.deletes().isEmpty() && currentPartition(task.file(), table).isPresent();
    }

    /** The file's partition of the current spec, as its path, when every row of it falls in that one. */
    private static Optional<String> currentPartition(DataFile file, Table table)
    {
        PartitionSpec spec = table.spec();
        if (file.specId() == spec.specId()) {
            return Optional.of(spec.partitionToPath(file.partition()));
        }
        Object[] values = new Object[spec.fields().size()];
        for (int position = 0; position < values.length; position++) {
            PartitionField field = spec.fields().get(position);
            if (field.transform().isVoid()) {
                continue; // always null
            }
            Type type = table.schema().findType(field.sourceId());
            ByteBuffer lower = bound(file.lowerBounds(), field.sourceId());
            ByteBuffer upper = bound(file.upperBounds(), field.sourceId());
            if (type == null || lower == null || upper == null || count(file.nullValueCounts(), field.sourceId()) > 0 || count(file.nanValueCounts(), field.sourceId()) > 0) {
                return Optional.empty(); // not known, or some rows in the null (or NaN) partition and others not
            }
            if (!field.transform().preservesOrder() && !lower.equals(upper)) {
                return Optional.empty(); // a bucket: values between two bounds of one bucket may fall in any
            }
            @SuppressWarnings("unchecked")
            Transform<Object, Object> transform = (Transform<Object, Object>) field.transform();
            var apply = transform.bind(type);
            Object first = apply.apply(Conversions.fromByteBuffer(type, lower));
            if (!Objects.equals(first, apply.apply(Conversions.fromByteBuffer(type, upper)))) {
                return Optional.empty(); // its rows span several of the current spec's partitions
            }
            values[position] = first;
        }
        return Optional.of(spec.partitionToPath(new Values(values)));
    }

    private static ByteBuffer bound(Map<Integer, ByteBuffer> bounds, int column)
    {
        return bounds == null ? null : bounds.get(column);
    }

    /** A file's count of null (or NaN) values of a column; 0 when not kept, as a writer keeps none for a required column. */
    private static long count(Map<Integer, Long> counts, int column)
    {
        return counts == null || counts.get(column) == null ? 0 : counts.get(column);
    }

    /** A partition's values, as the current spec's transforms give them, for its path. */
    private record Values(Object[] values)
            implements StructLike
    {
        @Override
        public int size()
        {
            return values.length;
        }

        @Override
        public <T> T get(int position, Class<T> javaClass)
        {
            return javaClass.cast(values[position]);
        }

        @Override
        public <T> void set(int position, T value)
        {
            throw new UnsupportedOperationException("a partition's values are read only");
        }
    }
}
