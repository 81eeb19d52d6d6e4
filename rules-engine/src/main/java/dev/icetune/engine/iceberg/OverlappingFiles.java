package dev.icetune.engine.iceberg;

import org.apache.iceberg.DataFile;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Comparators;
import org.apache.iceberg.types.Conversions;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * How far a table's data files' min/max ranges of each column overlap, from the bounds their manifests keep: the average
 * number of files whose range overlaps one file's, that file included. 1 when the files were written in the column's order
 * (or sorted by it), a few where neighbours share a boundary value, every file when each spans all values. A filter on the
 * column that selects a file's worth of values reads that many files by min/max, and sorting brings it to about 1: what tells
 * an unsorted column from a filter that selects much.
 */
final class OverlappingFiles
{
    /** Bounds kept for one table at most: its first files' when it has more (a table of 100 columns: 10,000 files). */
    private static final int MAX_BOUNDS = 1_000_000;

    private final Map<Integer, Column> columns = new HashMap<>();
    private final int maxFiles;
    private int files;

    OverlappingFiles(Schema schema)
    {
        for (Types.NestedField field : schema.columns()) {
            if (field.type().isPrimitiveType() && field.type().typeId() != Type.TypeID.BOOLEAN) {
                columns.put(field.fieldId(), new Column(field.name(), field.type().asPrimitiveType()));
            }
        }
        this.maxFiles = columns.isEmpty() ? 0 : MAX_BOUNDS / columns.size();
    }

    void add(DataFile file)
    {
        if (files++ >= maxFiles || file.lowerBounds() == null || file.upperBounds() == null) {
            return;
        }
        columns.forEach((id, column) -> column.add(file.lowerBounds().get(id), file.upperBounds().get(id)));
    }

    /** Each column's average, of the columns with bounds in two files or more. */
    Map<String, Double> averages()
    {
        Map<String, Double> averages = new HashMap<>();
        columns.values().forEach(column -> column.average().ifPresent(average -> averages.put(column.name, average)));
        return averages;
    }

    private static final class Column
    {
        private final String name;
        private final Type.PrimitiveType type;
        private final List<Object> lowers = new ArrayList<>();
        private final List<Object> uppers = new ArrayList<>();

        Column(String name, Type.PrimitiveType type)
        {
            this.name = name;
            this.type = type;
        }

        /** A file without bounds of the column (only nulls, or no metrics kept) holds no value a range compares with. */
        void add(ByteBuffer lower, ByteBuffer upper)
        {
            if (lower != null && upper != null) {
                lowers.add(Conversions.fromByteBuffer(type, lower));
                uppers.add(Conversions.fromByteBuffer(type, upper));
            }
        }

        OptionalDouble average()
        {
            if (lowers.size() < 2) {
                return OptionalDouble.empty();
            }
            Comparator<Object> order = Comparators.forType(type);
            Object[] lows = lowers.toArray();
            Object[] highs = uppers.toArray();
            Arrays.sort(lows, order);
            Arrays.sort(highs, order);
            // the files overlapping one: those starting at or below its end, less those ending before its start
            long overlapping = 0;
            for (int file = 0; file < lowers.size(); file++) {
                overlapping += count(lows, uppers.get(file), order, true) - count(highs, lowers.get(file), order, false);
            }
            return OptionalDouble.of((double) overlapping / lows.length);
        }

        /** The values of {@code sorted} below {@code value}, or at or below it. */
        private static int count(Object[] sorted, Object value, Comparator<Object> order, boolean orEqual)
        {
            int low = 0;
            int high = sorted.length;
            while (low < high) {
                int middle = (low + high) >>> 1;
                int compared = order.compare(sorted[middle], value);
                if (compared < 0 || orEqual && compared == 0) {
                    low = middle + 1;
                }
                else {
                    high = middle;
                }
            }
            return low;
        }
    }
}
