package dev.icetune.fixes;

import dev.icetune.engine.iceberg.CompactedFiles;
import dev.icetune.engine.iceberg.TimeBounds;
import dev.icetune.engine.iceberg.TrinoCatalog;
import dev.icetune.engine.model.Estimate;
import dev.icetune.engine.model.Rewrite;
import dev.icetune.engine.model.Sql;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.PartitionField;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Table;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.transforms.Transform;
import org.apache.iceberg.types.Conversions;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;
import org.apache.iceberg.util.SerializableFunction;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static java.util.Objects.requireNonNull;

/**
 * A rewrite as pieces that commit one at a time, so that writers keep writing: the files it concerns (under the
 * size threshold, not yet in the target layout, and, when the rewrite is bounded in time, holding values from its
 * instant on), newest first, whole partitions to a piece up to {@link Limits#pieceBytes()} and {@link Limits#pieceFiles()}
 * (a partition larger than that is split by bytes, at least two files to a piece), and up to {@link Limits#piecePartitions()}
 * partitions written: Trino's Iceberg writer fails a write of more partitions than its catalog's
 * {@code iceberg.max-partitions-per-writer} (100 unless set), and a file of an older spec is written into every partition of the
 * new one that its time bounds span ({@link #partitionsWritten}). Trino's optimize leaves a file of
 * the current spec alone when no other file of its partition is among those it rewrites, so such a file is not
 * planned, and a piece never holds one file of a partition. Each piece is one {@code optimize ... WHERE "$path" IN (...)}, and a
 * piece whose files another piece or process already rewrote finds nothing to do, so a plan that stopped half way is
 * resumed by planning it again. Old files spanning many new partitions leave each partition a file per piece: when
 * there were several pieces, a last step compacts the partitions of the current spec that they left in several files.
 * A file with deletes is planned whatever its size and alone in its partition, as Trino's optimize rewrites it with its
 * deletes applied; as pieces bounded by {@code "$path"} leave its delete files behind, a last step removes them
 * ({@link DanglingDeletes}).
 */
final class RewritePlan
{
    /** How big a piece may be, and how often a piece is tried again when its commit conflicts with another writer's. */
    record Limits(long pieceBytes, int pieceFiles, int piecePartitions, int commitAttempts, Duration firstRetryDelay)
    {
        static final Limits DEFAULT = new Limits(1L << 30, 500, 100, 5, Duration.ofSeconds(1));

        Limits
        {
            if (pieceBytes <= 0 || pieceFiles <= 0 || piecePartitions <= 0 || commitAttempts <= 0) {
                throw new IllegalArgumentException("rewrite limits must be positive: " + pieceBytes + ", " + pieceFiles + ", " + piecePartitions + ", " + commitAttempts);
            }
            requireNonNull(firstRetryDelay, "firstRetryDelay is null");
        }
    }

    /**
     * A file to rewrite; {@code partition}: the current spec's partition it is written into when known ({@link CompactedFiles#destination});
     * {@code spans}: the partitions of the spec it is rewritten into that it writes, when that spec is another than its own (null: its own
     * partition alone).
     */
    private record Candidate(FileScanTask task, Instant newest, String partition, TimeUnits spans)
    {
        DataFile file()
        {
            return task.file();
        }
    }

    private RewritePlan() {}

    /**
     * A layout change's rewrite: its steps, and how many files outside the layout it leaves as they are (each alone in its partition in
     * the current spec, which Trino's optimize does not rewrite, a new sort order or bloom filter notwithstanding).
     */
    record LayoutRewrite(List<Step> steps, int leftAlone)
    {
        static final LayoutRewrite NONE = new LayoutRewrite(List.of(), 0);
    }

    /**
     * The pieces of a layout change's {@code rewrite} on a table; none when every file it concerns is already in the target layout. After
     * a change to a {@code newSpec}, planned before it commits, no file is left alone: each is then of an older spec, which optimize
     * rewrites into the new one even alone (a table partitioned finer than its data holds a file a partition).
     */
    static LayoutRewrite layout(ActionContext context, String table, Rewrite rewrite, Predicate<DataFile> inTargetLayout, Optional<PartitionSpec> newSpec)
    {
        Table planned = context.requireTable(table);
        List<Candidate> concerned = candidates(planned, rewrite, inTargetLayout.negate(), newSpec.orElse(planned.spec()));
        List<Candidate> rewritten = newSpec.isPresent() ? concerned : withoutLoneFiles(concerned, task -> CompactedFiles.onlyBesideOthers(task, planned));
        int leftAlone = concerned.size() - rewritten.size();
        List<List<Candidate>> pieces = pieces(context, rewritten);
        if (pieces.isEmpty()) {
            return new LayoutRewrite(List.of(), leftAlone); // nothing rewritten leaves no delete file dangling
        }
        List<Step> steps = steps(context, table, rewrite, pieces, "");
        if (pieces.size() > 1) {
            // planned when it runs: the files the pieces wrote do not exist yet
            steps.add(new Step("then compact the partitions the %d pieces left in several files".formatted(pieces.size()), "the pieces' output, in pieces", () -> {
                Table current = context.requireTable(table);
                current.refresh();
                int spec = current.spec().specId();
                List<Candidate> left = candidates(current, rewrite, file -> file.specId() == spec, current.spec());
                Step.inTurn(steps(context, table, rewrite, pieces(context, withoutLoneFiles(left, task -> CompactedFiles.onlyBesideOthers(task, current))), "compaction ")
                        .stream().map(piece -> (Runnable) piece::run).toList());
            }));
        }
        return new LayoutRewrite(withDeletesRemoved(context, table, planned, steps), leftAlone);
    }

    /**
     * A compaction's pieces: the small files of the partitions that receive several (a lone file has nothing to be merged with, nor
     * has a file of an older spec whose rows all fall in a partition of the current spec that receives no other).
     */
    static List<Step> compaction(ActionContext context, String table, Rewrite rewrite)
    {
        Table planned = context.requireTable(table);
        List<List<Candidate>> pieces = pieces(context, withoutLoneFiles(candidates(planned, rewrite, file -> true, planned.spec()), task -> CompactedFiles.mergedOnlyWithOthers(task, planned)));
        if (TrinoCatalog.readThroughTrino(planned) && rewrite.from() == null && pieces.size() == 1 && DanglingDeletes.possible(planned)) {
            // icetune cannot commit to a catalog it reads through Trino, so cannot remove the delete files a piece bounded by "$path"
            // leaves behind; one piece holds every file Trino's optimize rewrites unbounded, and unbounded it drops their delete files itself
            List<Candidate> piece = pieces.getFirst();
            return List.of(context.trinoStep("%s (%s, with their delete files)".formatted(rewrite.statement(table), Estimate.files(piece.size())), rewrite.statement(table),
                    rewrites(piece), bytes(piece)));
        }
        return withDeletesRemoved(context, table, planned, steps(context, table, rewrite, pieces, ""));
    }

    /** The steps, then the removal of the delete files they leave dangling, when the table has any delete files. */
    private static List<Step> withDeletesRemoved(ActionContext context, String name, Table table, List<Step> steps)
    {
        if (DanglingDeletes.possible(table)) {
            steps.add(DanglingDeletes.removal(context, name));
        }
        return steps;
    }

    /**
     * The files a compaction considers ({@link CompactedFiles}: under the threshold, or with deletes) that {@code concerned} accepts, within the
     * rewrite's time bound, each with the partitions of {@code target} it writes.
     */
    private static List<Candidate> candidates(Table table, Rewrite rewrite, Predicate<DataFile> concerned, PartitionSpec target)
    {
        Optional<Types.NestedField> column = Optional.ofNullable(rewrite.column()).map(name -> table.schema().findField(name));
        Instant from = rewrite.from() == null ? null : Instant.parse(rewrite.from());
        List<Candidate> candidates = new ArrayList<>();
        if (table.currentSnapshot() == null) {
            return candidates;
        }
        try (CloseableIterable<FileScanTask> tasks = table.newScan().includeColumnStats().planFiles()) {
            for (FileScanTask task : tasks) {
                DataFile file = task.file();
                if (!CompactedFiles.considered(task, rewrite.fileSizeThresholdBytes()) || !concerned.test(file)) {
                    continue;
                }
                Instant newest = column.map(field -> TimeBounds.instant(field.type(), file.upperBounds() == null ? null : file.upperBounds().get(field.fieldId()))).orElse(null);
                if (from != null && newest != null && newest.isBefore(from)) {
                    continue; // older than anything the workload reads
                }
                candidates.add(new Candidate(task, newest, CompactedFiles.destination(task, table), partitionsWritten(file, table, target)));
            }
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return candidates;
    }

    /** The units {@code first} to {@code last} (hours, days, months or years since 1970) of a time partition field. */
    private record TimeUnits(String field, long first, long last) {}

    /**
     * The partitions of {@code target} a rewrite of {@code file} writes into, when it is of another spec: those its bounds span on the target's
     * first time field ({@code day(ts)}: a file of a monthly spec spans 28 to 31). Null when it is of that spec, or that is not known (no
     * time field, no bounds): its own partition alone.
     */
    private static TimeUnits partitionsWritten(DataFile file, Table table, PartitionSpec target)
    {
        // by its fields: a spec the change has not committed yet has no id of its own
        if (table.specs().get(file.specId()).compatibleWith(target) || file.lowerBounds() == null || file.upperBounds() == null) {
            return null;
        }
        for (PartitionField field : target.fields()) {
            Type type = table.schema().findType(field.sourceId());
            ByteBuffer lower = file.lowerBounds().get(field.sourceId());
            ByteBuffer upper = file.upperBounds().get(field.sourceId());
            if (type != null && TimeBounds.isTime(type) && lower != null && upper != null
                    && List.of("hour", "day", "month", "year").contains(field.transform().toString())) {
                // the hour, day, month or year since 1970 as the field's own transform numbers its partitions
                @SuppressWarnings("unchecked")
                SerializableFunction<Object, Object> unit = ((Transform<Object, Object>) field.transform()).bind(type);
                return new TimeUnits(field.name(), ((Number) unit.apply(Conversions.fromByteBuffer(type, lower))).longValue(),
                        ((Number) unit.apply(Conversions.fromByteBuffer(type, upper))).longValue());
            }
        }
        return null;
    }

    /**
     * The candidates but for those left alone: a file rewritten {@code onlyBesideOthers} that no other candidate is written beside
     * ({@link CompactedFiles#onlyBesideOthers}, what Trino's optimize leaves; {@link CompactedFiles#mergedOnlyWithOthers}, what a
     * compaction gains nothing from).
     */
    private static List<Candidate> withoutLoneFiles(List<Candidate> candidates, Predicate<FileScanTask> onlyBesideOthers)
    {
        Map<String, Long> perPartition = candidates.stream().collect(Collectors.groupingBy(Candidate::partition, Collectors.counting()));
        return candidates.stream().filter(candidate -> perPartition.get(candidate.partition()) > 1 || !onlyBesideOthers.test(candidate.task())).toList();
    }

    /** Partitions newest first (by the time column when the rewrite has one, else by when their files were written), whole to a piece. */
    private static List<List<Candidate>> pieces(ActionContext context, List<Candidate> candidates)
    {
        Comparator<Candidate> newestFirst = Comparator.comparing(Candidate::newest, Comparator.nullsLast(Comparator.reverseOrder()))
                .thenComparing(candidate -> sequence(candidate.file()), Comparator.reverseOrder());
        Map<String, List<Candidate>> partitions = new LinkedHashMap<>();
        candidates.stream().sorted(newestFirst).forEach(candidate -> partitions.computeIfAbsent(candidate.partition(), key -> new ArrayList<>()).add(candidate));
        List<List<Candidate>> pieces = new ArrayList<>();
        List<Candidate> piece = new ArrayList<>();
        for (List<Candidate> partition : partitions.values()) {
            List<List<Candidate>> parts = split(partition, context.limits());
            if (!piece.isEmpty() && (parts.size() > 1 || piece.size() + partition.size() > context.limits().pieceFiles()
                    || bytes(piece) + bytes(partition) > context.limits().pieceBytes()
                    || written(piece, partition, context.limits().piecePartitions()) > context.limits().piecePartitions())) {
                pieces.add(piece);
                piece = new ArrayList<>();
            }
            if (parts.size() > 1) {
                pieces.addAll(parts);
            }
            else {
                piece.addAll(partition);
            }
        }
        if (!piece.isEmpty()) {
            pieces.add(piece);
        }
        return pieces;
    }

    /**
     * A partition too big to commit at once in parts within the limits, of at least two files each unless its files are of another spec
     * (which optimize rewrites alone); otherwise whole.
     */
    private static List<List<Candidate>> split(List<Candidate> partition, Limits limits)
    {
        int least = partition.getFirst().spans() == null ? 2 : 1;
        List<List<Candidate>> parts = new ArrayList<>();
        List<Candidate> part = new ArrayList<>();
        for (Candidate candidate : partition) {
            if (part.size() >= least && (part.size() == limits.pieceFiles() || bytes(part) + candidate.file().fileSizeInBytes() > limits.pieceBytes()
                    || written(part, List.of(candidate), limits.piecePartitions()) > limits.piecePartitions())) {
                parts.add(part);
                part = new ArrayList<>();
            }
            part.add(candidate);
        }
        if (part.size() < least && !parts.isEmpty()) {
            parts.getLast().addAll(part); // a file alone would be left as it is
        }
        else if (!part.isEmpty()) {
            parts.add(part);
        }
        return parts;
    }

    private static List<Step> steps(ActionContext context, String table, Rewrite rewrite, List<List<Candidate>> pieces, String kind)
    {
        List<Step> steps = new ArrayList<>();
        for (int i = 0; i < pieces.size(); i++) {
            List<Candidate> piece = pieces.get(i);
            List<Instant> times = piece.stream().map(Candidate::newest).filter(Objects::nonNull).sorted().toList();
            // the newest value of the column in each of the piece's files: the time the piece reaches back to, newest pieces first
            String span = times.isEmpty() ? "" : times.getFirst().equals(times.getLast())
                    ? ", newest %s %s".formatted(rewrite.column(), times.getFirst())
                    : ", newest %s %s .. %s".formatted(rewrite.column(), times.getFirst(), times.getLast());
            String description = "%s WHERE \"$path\" IN (%s%s): %spiece %d of %d".formatted(rewrite.statement(table), Estimate.files(piece.size()), span, kind, i + 1, pieces.size());
            String label = "%spiece %d of %d".formatted(kind, i + 1, pieces.size());
            steps.add(new Step(description, rewrites(piece), bytes(piece), () -> rewrite(context, table, rewrite, piece, label)));
        }
        return steps;
    }

    /**
     * Runs a piece. One over Trino's memory limit is run again as two halves, each halved again as needed down to two files of a
     * partition: met from outside, on 512 MB a node, a compaction of 489 MB over 32 partitions failed whole and went through in pieces of
     * 4 to 16 partitions, which Trino's memory (not known to icetune) decides. A half that committed stays so if a later one fails:
     * the step fails as {@link Step.PartlyApplied}, and the plan, made again by the next apply, holds what is left.
     */
    private static void rewrite(ActionContext context, String table, Rewrite rewrite, List<Candidate> piece, String label)
    {
        String statement = rewrite.statement(table) + " WHERE \"$path\" IN (" + piece.stream().map(candidate -> Sql.literal(candidate.file().location()))
                .collect(Collectors.joining(", ")) + ")";
        try {
            context.trinoStep(label, statement, rewrites(piece), bytes(piece)).run();
        }
        catch (IllegalStateException e) {
            List<List<Candidate>> halves = halves(piece);
            if (halves.isEmpty() || !ActionContext.exceededMemory(e)) {
                throw e;
            }
            context.progress().accept("%s (%s): over Trino's memory limit, rewritten as two halves (%s, then %s)".formatted(label, Estimate.files(piece.size()),
                    Estimate.files(halves.getFirst().size()), Estimate.files(halves.getLast().size())));
            Step.inTurn(List.of(() -> rewrite(context, table, rewrite, halves.getFirst(), label + ", half 1 of 2"),
                    () -> rewrite(context, table, rewrite, halves.getLast(), label + ", half 2 of 2")));
        }
    }

    /**
     * A piece in two: its partitions, when it has several, else its partition's files, at least two to a half (optimize leaves a lone
     * file of the current spec as it is); none when it cannot be halved so.
     */
    private static List<List<Candidate>> halves(List<Candidate> piece)
    {
        Map<String, List<Candidate>> partitions = new LinkedHashMap<>();
        piece.forEach(candidate -> partitions.computeIfAbsent(candidate.partition(), key -> new ArrayList<>()).add(candidate));
        List<List<Candidate>> parts = partitions.size() > 1 ? List.copyOf(partitions.values()) : piece.stream().map(List::of).toList();
        int least = partitions.size() > 1 || piece.getFirst().spans() != null ? 1 : 2;
        if (parts.size() < 2 * least) {
            return List.of();
        }
        int middle = parts.size() / 2;
        return List.of(parts.subList(0, middle).stream().flatMap(List::stream).toList(), parts.subList(middle, parts.size()).stream().flatMap(List::stream).toList());
    }

    /** What a piece's step says it rewrites, beside its description. */
    private static String rewrites(List<Candidate> piece)
    {
        return "rewrites %s, %s".formatted(Estimate.files(piece.size()), Estimate.bytes(bytes(piece)));
    }

    /** The partitions the files of {@code piece} and {@code more} write together, counted up to one more than {@code limit}. */
    private static int written(List<Candidate> piece, List<Candidate> more, int limit)
    {
        Set<String> written = new HashSet<>();
        for (Candidate candidate : Stream.concat(piece.stream(), more.stream()).toList()) {
            TimeUnits spans = candidate.spans();
            if (spans == null) {
                written.add(candidate.partition());
            }
            else {
                for (long unit = spans.first(); unit <= spans.last() && written.size() <= limit; unit++) {
                    written.add(spans.field() + "=" + unit);
                }
            }
            if (written.size() > limit) {
                break;
            }
        }
        return written.size();
    }

    private static long bytes(List<Candidate> files)
    {
        return files.stream().mapToLong(candidate -> candidate.file().fileSizeInBytes()).sum();
    }

    private static long sequence(DataFile file)
    {
        Long sequence = file.dataSequenceNumber();
        return sequence == null ? 0 : sequence;
    }
}
