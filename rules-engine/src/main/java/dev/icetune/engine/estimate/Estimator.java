package dev.icetune.engine.estimate;

import dev.icetune.engine.evidence.EvidenceReader;
import dev.icetune.engine.facts.FullScanFact;
import dev.icetune.engine.facts.LoadFact;
import dev.icetune.engine.facts.PatternFact;
import dev.icetune.engine.facts.PredicateFact;
import dev.icetune.engine.facts.TableFact;
import dev.icetune.engine.facts.TableScanFact;
import dev.icetune.engine.facts.Thresholds;
import dev.icetune.engine.facts.TimeSpan;
import dev.icetune.engine.model.Advice;
import dev.icetune.engine.model.Analyze;
import dev.icetune.engine.model.Benefit;
import dev.icetune.engine.model.BloomFilters;
import dev.icetune.engine.model.Compact;
import dev.icetune.engine.model.Estimate;
import dev.icetune.engine.model.ExpireSnapshots;
import dev.icetune.engine.model.KillQueries;
import dev.icetune.engine.model.MaterializedView;
import dev.icetune.engine.model.PartitionSpec;
import dev.icetune.engine.model.QueryRewrite;
import dev.icetune.engine.model.Recommendation;
import dev.icetune.engine.model.Rewrite;
import dev.icetune.engine.model.Rewrites;
import dev.icetune.engine.model.SortOrder;
import dev.icetune.engine.model.Sql;
import dev.icetune.engine.model.TargetType;
import dev.icetune.engine.model.TimeGrain;
import dev.icetune.engine.model.TrinoStatements;
import dev.icetune.plan.PredicateKind;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.function.Predicate;
import java.util.regex.Matcher;

import static java.util.Objects.requireNonNull;

/**
 * The evaluation's second layer: the rules decided what to recommend, this values each recommendation from the
 * same facts (what the queries it helps read now, what they would read after the fix, what the fix costs) and
 * holds back those whose net saving is below their rule's {@code min_net_saving_per_day.RULE} threshold (or
 * {@code estimate.min_net_saving_per_day}). Figures are per day at the workload of the evaluation window.
 */
public final class Estimator
{
    /** What the valuation kept, and what it held back with the reason. */
    public record Valued(List<Recommendation> kept, List<HeldBack> heldBack) {}

    public record HeldBack(Recommendation recommendation, String reason) {}


    private final Thresholds thresholds;
    private final Estimate.Rates rates;
    private final double perDay;
    private final Map<String, TableFact> tables = new HashMap<>();
    private final Map<String, TableScanFact> scans = new HashMap<>();
    private final Map<String, PatternFact> patterns = new HashMap<>();
    private final Map<String, LoadFact> loads = new HashMap<>();
    private final Map<String, List<FullScanFact>> fullScans = new HashMap<>();
    /** Looked up per recommendation, among tens of thousands: by table and column, and by pattern hash. */
    private final Map<String, List<PredicateFact>> predicates = new HashMap<>();
    private final Map<String, List<PatternFact>> patternsByHash = new HashMap<>();

    public Estimator(List<?> facts, Thresholds thresholds, Duration window)
    {
        this.thresholds = requireNonNull(thresholds, "thresholds is null");
        this.rates = new Estimate.Rates(thresholds.get("estimate.file_open_bytes"), thresholds.get("estimate.bytes_per_second"), thresholds.get("estimate.horizon_days"));
        this.perDay = (double) Duration.ofDays(1).toSeconds() / Math.max(1, window.toSeconds());
        for (Object fact : facts) {
            switch (fact) {
                case TableFact table -> tables.put(table.table(), table);
                case TableScanFact scan -> scans.put(scan.table(), scan);
                case PatternFact pattern -> {
                    patterns.put(pattern.key(), pattern);
                    patternsByHash.computeIfAbsent(pattern.patternHash(), key -> new ArrayList<>()).add(pattern);
                }
                case LoadFact load -> loads.put(load.cluster(), load);
                case FullScanFact scan -> fullScans.computeIfAbsent(scan.patternHash() + "@" + scan.cluster(), key -> new ArrayList<>()).add(scan);
                case PredicateFact predicate -> predicates.computeIfAbsent(predicate.table() + "|" + predicate.column(), key -> new ArrayList<>()).add(predicate);
                default -> {}
            }
        }
    }

    public Valued value(List<Recommendation> recommendations)
    {
        List<Recommendation> kept = new ArrayList<>();
        List<HeldBack> heldBack = new ArrayList<>();
        for (Recommendation recommendation : recommendations) {
            Estimate estimate = estimate(recommendation);
            double minimum = thresholds.find(Thresholds.NET_SAVING_PREFIX + recommendation.ruleId()).orElse(thresholds.get("estimate.min_net_saving_per_day"));
            if (estimate.isKnown() && estimate.netSavingPerDay() < minimum) {
                // why, in the figures: queries that would read as much after, too few of them, or a rewrite that costs more
                heldBack.add(new HeldBack(recommendation, "saves %s a day net, below the %s of min_net_saving_per_day.%s (%s)".formatted(
                        Estimate.bytes(estimate.netSavingPerDay()), Estimate.bytes(minimum), recommendation.ruleId(), estimate.basis())));
            }
            else {
                kept.add(recommendation.withEstimate(estimate));
            }
        }
        return new Valued(kept, heldBack);
    }

    public Estimate estimate(Recommendation recommendation)
    {
        return switch (recommendation.fix()) {
            case Compact compact -> compact(compact.table(), compact.fileSizeThresholdBytes());
            case PartitionSpec spec -> partition(spec);
            case SortOrder sort -> sortOrder(sort);
            case BloomFilters bloom -> bloomFilter(bloom);
            case Analyze analyze -> analyze(analyze.table());
            case ExpireSnapshots expire -> expireSnapshots(expire);
            case MaterializedView view -> precomputed(view.table(), view.refreshMinutes(), recommendation);
            case QueryRewrite rewrite -> advice(rewrite.benefit(), recommendation);
            case Advice advice -> advice(advice.benefit(), recommendation);
            case KillQueries kill -> Estimate.unknown("ending hung queries is not valued: how long they would have run is not known.");
            case TrinoStatements statements -> Estimate.unknown("statements written by hand are not valued.");
        };
    }

    /**
     * Compaction: the same bytes in fewer files, each partition's data in as few target-size files as hold it, and no delete
     * files. It rewrites the small files, and the larger ones that deletes apply to.
     */
    private Estimate compact(String table, long targetBytes)
    {
        Optional<TableScanFact> scan = Optional.ofNullable(scans.get(table));
        TableFact fact = tables.get(table);
        if (scan.isEmpty() || fact == null || fact.dataFiles() == 0) {
            return Estimate.unknown("no scans of " + table + " in the window, or no metadata of it.");
        }
        double filesBefore = filesNow(scan.get().avgFilesScanned(), fact);
        double bytesPerScan = scan.get().avgFilesScanned() * scan.get().avgBytesPerFile();
        double filesPerPartition = (double) fact.dataFiles() / Math.max(1, fact.partitions());
        double partitionsRead = Math.max(1, filesBefore / filesPerPartition);
        double filesAfter = Math.min(filesBefore, partitionsRead * Math.max(1, Math.ceil(bytesPerScan / partitionsRead / targetBytes)));
        double deleteFiles = deleteFiles(table);
        return Estimate.of("all scans of " + table, scan.get().scans() * perDay, filesBefore + deleteFiles, filesAfter, bytesPerScan, bytesPerScan, 0,
                fact.smallFileBytes() + fact.largeFileWithDeletesBytes(), fact.smallFiles() + fact.largeFilesWithDeletes(), 0, null,
                "each partition's data ends up in as few %s files as hold it%s; a scan reads the same bytes from %.1f partitions."
                        .formatted(Estimate.bytes(targetBytes), deletesApplied(deleteFiles), partitionsRead), rates);
    }

    /**
     * The data files a scan reads now: as many as the window's scans read, but no more than the table has. A fix applied within the
     * window (a compaction) leaves in its average the scans before it, of files the table no longer holds.
     */
    private static double filesNow(double scanned, TableFact fact)
    {
        return fact.dataFiles() == 0 ? scanned : Math.min(scanned, fact.dataFiles());
    }

    /** A time partition: a range reads the partitions it covers, each rewritten into as few target-size files as hold it. */
    private Estimate partition(PartitionSpec spec)
    {
        String table = spec.table();
        TableFact fact = tables.get(table);
        TableScanFact scan = scans.get(table);
        Optional<PartitionSpec.Coarsening> coarsening = spec.coarsening();
        if (coarsening.isPresent()) {
            return fact == null || scan == null
                    ? Estimate.unknown("no scans of " + table + " in the window, or no metadata of it.")
                    : coarsening(fact, scan, coarsening.get());
        }
        Optional<Matcher> field = spec.added().stream().map(PartitionSpec.TIME_FIELD::matcher).filter(Matcher::matches).findFirst();
        if (fact == null || scan == null || field.isEmpty() || scan.timeRangeScans() == 0) {
            return Estimate.unknown("no time-range scans of " + table + " in the window, or the new field is not a time transform.");
        }
        String column = Sql.propertyColumnName(field.get().group(2));
        Duration unit = TimeGrain.of(field.get().group(1)).orElseThrow().unit();
        Optional<TimeSpan> span = fact.timeSpan(column);
        double filesBefore = filesNow(scan.timeRangeAvgFilesScanned(), fact);
        double bytesBefore = scan.timeRangeAvgBytesScanned();
        if (span.isEmpty()) {
            return Estimate.unknown("the files of " + table + " carry no statistics of " + column + ": how much of the table a range selects is not known.");
        }
        Optional<PredicateFact> range = predicate(table, column, p -> p.kind() == PredicateKind.RANGE && p.temporal());
        Optional<Double> bounded = range.map(PredicateFact::hoursSelected).filter(value -> value > 0);
        // ranges open above (ts >= now() - interval '7' day) read from their bound to the data's end: the earliest bound asked, at most
        Optional<Double> openAbove = range.map(PredicateFact::earliest).filter(earliest -> earliest.isBefore(span.get().to()))
                .map(earliest -> Duration.between(earliest.isAfter(span.get().from()) ? earliest : span.get().from(), span.get().to()).toSeconds() / 3600.0);
        double hours = bounded.or(() -> openAbove).orElse(unit.toSeconds() / 3600.0);
        double unitsTotal = Math.max(1, Math.ceil(span.get().length().toSeconds() / (double) unit.toSeconds()));
        double unitsRead = Math.min(unitsTotal, Math.max(1, Math.ceil(hours * 3600 / unit.toSeconds())));
        double filesPerUnit = Math.max(1, Math.ceil(fact.totalDataBytes() / unitsTotal / target()));
        double filesAfter = Math.min(filesBefore, unitsRead * filesPerUnit);
        double bytesAfter = Math.min(bytesBefore, fact.totalDataBytes() * unitsRead / unitsTotal);
        double share = rewriteShare(spec.rewrite(), span.get());
        // the rewrite covers the time the ranges read
        double deleteFiles = spec.rewrite() == null ? 0 : deleteFiles(table);
        long rewrittenFiles = rewrittenFiles(fact, column, share);
        return Estimate.of("time-range scans of " + table, scan.timeRangeScans() * perDay, filesBefore + deleteFiles, filesAfter, bytesBefore, bytesAfter, 0,
                Math.round(fact.totalDataBytes() * (double) rewrittenFiles / Math.max(1, fact.dataFiles())), rewrittenFiles, 0, null,
                "a range of %.0f hours, aligned to %ss, reads %.0f of the %.0f %ss the data spans (%s .. %s), spread evenly over them%s%s."
                        .formatted(hours, field.get().group(1), unitsRead, unitsTotal, field.get().group(1), span.get().from(), span.get().to(),
                                bounded.isPresent() ? "" : openAbove.isPresent()
                                        ? "; the ranges are open above: from the earliest bound asked, " + range.get().earliest() + ", to the data's end"
                                        : "; the ranges' width is not known, one " + field.get().group(1) + " assumed",
                                deletesApplied(deleteFiles)),
                rates);
    }

    /**
     * A coarser partition field: a scan reads the same share of the table's partitions as now, from fewer partitions that each hold
     * as few target-size files as their data fills, and reads them whole: a scan the removed field pruned to a day reads its month's
     * bytes after (met from outside: a dashboard's 37 kB of a table of 280 day partitions read 166 kB unpartitioned, estimated the
     * same 37 kB). The rewrite touches every file.
     */
    private Estimate coarsening(TableFact fact, TableScanFact scan, PartitionSpec.Coarsening coarsening)
    {
        double filesBefore = filesNow(scan.avgFilesScanned(), fact);
        double bytesPerScan = scan.avgFilesScanned() * scan.avgBytesPerFile();
        double partitionsAfter = coarsening.partitionsAfter(fact.partitions());
        double filesPerPartition = Math.max(1, Math.ceil(fact.totalDataBytes() / partitionsAfter / target()));
        double share = fact.dataFiles() == 0 ? 1 : Math.min(1, filesBefore / fact.dataFiles());
        double partitionsRead = Math.max(1, Math.ceil(share * partitionsAfter));
        double filesAfter = Math.min(filesBefore, partitionsRead * filesPerPartition);
        double bytesAfter = Math.max(bytesPerScan, Math.min(fact.totalDataBytes(), partitionsRead * fact.totalDataBytes() / partitionsAfter));
        double deleteFiles = deleteFiles(fact.table());
        return Estimate.of("all scans of " + fact.table(), scan.scans() * perDay, filesBefore + deleteFiles, filesAfter, bytesPerScan, bytesAfter, 0,
                fact.totalDataBytes(), fact.dataFiles(), 0, null,
                "a scan reads the same %.0f%% of the table's partitions, whole, from %.0f of about %.0f partitions %s (%d partitions by %s now), each in as few %s files as hold it%s."
                        .formatted(share * 100, partitionsRead, partitionsAfter,
                                coarsening.to().map(field -> "by " + field).orElse("without " + coarsening.from()), fact.partitions(), coarsening.from(),
                                Estimate.bytes(target()), deletesApplied(deleteFiles)), rates);
    }

    /**
     * Sorted files hold contiguous values: a filter reads the files its values fall in. Files are sorted within their partition,
     * so in each partition the filter's scans read (a filter on another column than the partition's reads the same ones).
     */
    private Estimate sortOrder(SortOrder sort)
    {
        String column = sort.columns().getFirst();
        TableFact fact = tables.get(sort.table());
        Optional<PredicateFact> filter = predicate(sort.table(), column, p -> p.kind() == PredicateKind.RANGE || p.kind() == PredicateKind.EQUALITY);
        if (fact == null || filter.isEmpty()) {
            return Estimate.unknown("no filters on " + sort.table() + "." + column + " in the window.");
        }
        PredicateFact p = filter.get();
        DistinctValues values = DistinctValues.of(p, fact, column);
        double selected = p.kind() == PredicateKind.EQUALITY ? Math.min(1, p.valuesPerScan() / values.count()) : thresholds.get("estimate.range_selectivity");
        double filesAfterRewrite = filesAfterRewrite(fact);
        double partitions = Math.max(1, fact.partitions());
        double filesBefore = filesNow(p.avgFilesScanned(), fact);
        double partitionsRead = Math.min(partitions, Math.max(1, filesBefore / Math.max(1, fact.dataFiles() / partitions)));
        double filesPerPartition = Math.max(1, Math.ceil(filesAfterRewrite / partitions));
        double bytesPerPartition = fact.totalDataBytes() / partitions;
        double filesAfter = Math.min(filesBefore, partitionsRead * Math.max(1, Math.ceil(filesPerPartition * selected)));
        double bytesAfter = Math.min(p.avgBytesScanned(), partitionsRead * Math.max(bytesPerPartition / filesPerPartition, bytesPerPartition * selected));
        double deleteFiles = sort.rewrite() == null ? 0 : deleteFiles(sort.table());
        Reached reached = Reached.of(fact, sort.rewrite() != null);
        return Estimate.of("filters on " + sort.table() + "." + column, p.scans() * perDay, filesBefore + deleteFiles,
                reached.blend(filesBefore, filesAfter), p.avgBytesScanned(), reached.blend(p.avgBytesScanned(), bytesAfter), 0,
                reached.bytes(), reached.files(), 0, null,
                "%s selects %.1f%% of the values, and sorted files hold contiguous values (%s after the rewrite%s%s)%s."
                        .formatted(p.kind() == PredicateKind.EQUALITY ? "%s of the %d values (%s)".formatted(howMany(p), values.count(), values.source())
                                        : "a range (estimate.range_selectivity)",
                                100 * selected, Estimate.files(Math.round(filesAfterRewrite)),
                                partitions > 1 ? ", sorted within each of the %.0f partitions, of which a scan reads %.1f".formatted(partitions, partitionsRead) : "",
                                deletesApplied(deleteFiles), reached.leftAlone()), rates);
    }

    /**
     * A bloom filter lets a lookup skip the row groups without its value; the files are still opened, and each one's filter
     * read. A value's rows are taken as spread over the files after the rewrite (one row group each), so a lookup reads the
     * row groups of as many files as the value has rows; what it saves is bytes read, Trino's physical input.
     */
    private Estimate bloomFilter(BloomFilters bloom)
    {
        String column = bloom.to().stream().filter(each -> !bloom.from().contains(each)).findFirst().orElse(bloom.to().getFirst());
        TableFact fact = tables.get(bloom.table());
        Optional<PredicateFact> lookup = predicate(bloom.table(), column, p -> p.kind() == PredicateKind.EQUALITY);
        if (fact == null || lookup.isEmpty() || fact.records() == 0) {
            return Estimate.unknown("no equality lookups on " + bloom.table() + "." + column + " in the window.");
        }
        PredicateFact p = lookup.get();
        double files = filesAfterRewrite(fact);
        DistinctValues values = DistinctValues.of(p, fact, column);
        long distinct = values.count();
        double rowsPerValue = (double) fact.records() / Math.max(1, distinct);
        double share = Math.min(1, Math.max(1, rowsPerValue) * p.valuesPerScan() / files);
        double filterBytes = files * Math.min(thresholds.get("estimate.bloom_max_bytes"),
                Math.min(fact.records() / files, distinct) * thresholds.get("estimate.bloom_bytes_per_value"));
        double readBefore = p.avgBytesRead() > 0 ? p.avgBytesRead() : p.avgBytesScanned();
        double readAfter = Math.min(readBefore, readBefore * share + filterBytes);
        Reached reached = Reached.of(fact, bloom.rewrite() != null);
        // the files a lookup opens are the same: that the rewrite may merge small ones is the compaction's saving, not the filter's
        return Estimate.of("equality lookups on " + bloom.table() + "." + column, p.scans() * perDay, p.avgFilesScanned(), p.avgFilesScanned(),
                readBefore, reached.blend(readBefore, readAfter), 0, reached.bytes(), reached.files(), 0, null,
                ("%s has %d distinct values (%s), about %.0f of the %d rows each, spread over the %s after the rewrite: a lookup of %s reads the row groups "
                        + "of %.1f%% of them and the %s of filters of all; bytes are bytes read%s.")
                        .formatted(column, distinct, values.source(), rowsPerValue,
                                fact.records(), Estimate.files(Math.round(files)), valuesLookedUp(p), 100 * share, Estimate.bytes(filterBytes), reached.leftAlone()), rates);
    }

    /** How many values a lookup compares with: "one", or "500" (an application's IN lists, on average). */
    private static String howMany(PredicateFact lookups)
    {
        long values = Math.round(lookups.valuesPerScan());
        return values <= 1 ? "one" : "%,d".formatted(values);
    }

    private static String valuesLookedUp(PredicateFact lookups)
    {
        return howMany(lookups) + (Math.round(lookups.valuesPerScan()) <= 1 ? " value" : " values");
    }

    /**
     * What a layout change's rewrite reaches: Trino's optimize rewrites no file alone in its partition (in the current spec, without
     * deletes), so such a file keeps its old layout until it is written again, and its share of the scans saves nothing. Taken as
     * spread evenly: the scans' figures after are those before where the files are not reached.
     */
    private record Reached(double share, long files, long bytes, long alone)
    {
        static Reached of(TableFact fact, boolean rewritten)
        {
            if (!rewritten || fact.dataFiles() == 0) {
                return new Reached(1, 0, 0, 0); // the change alone: taken as reaching the data as it is written
            }
            long alone = Math.min(fact.loneFiles(), fact.dataFiles());
            double share = (double) (fact.dataFiles() - alone) / fact.dataFiles();
            return new Reached(share, fact.dataFiles() - alone, Math.round(fact.totalDataBytes() * share), alone);
        }

        double blend(double before, double after)
        {
            return before * (1 - share) + after * share;
        }

        String leftAlone()
        {
            return alone == 0 ? "" : alone == 1 ? "; the 1 file alone in its partition is not rewritten (Trino's optimize rewrites no lone file) and saves nothing"
                    : "; the %,d files each alone in its partition are not rewritten (Trino's optimize rewrites no lone file) and save nothing".formatted(alone);
        }
    }

    /**
     * The distinct values of a filtered column: the values looked up are a floor of them; the table's statistics, when it has them,
     * count them all.
     */
    private record DistinctValues(long count, String source)
    {
        static DistinctValues of(PredicateFact predicate, TableFact table, String column)
        {
            OptionalLong counted = table.distinctCount(column);
            return new DistinctValues(Math.max(1, Math.max(predicate.distinctValues(), counted.orElse(0))),
                    counted.isPresent() ? "the table's statistics" : "the values looked up: a floor");
        }
    }

    /**
     * Snapshot expiry: no query reads less data, but the planning of every query of the table reads its metadata file, which
     * lists each snapshot; the expired ones leave it. Their entries are taken as most of the file and of one size.
     */
    private Estimate expireSnapshots(ExpireSnapshots expire)
    {
        TableFact fact = tables.get(expire.table());
        long expiring = fact == null ? -1 : fact.snapshotsOlderThan(expire.retainHours());
        if (fact == null || fact.metadataBytes() == 0 || expiring < 0) {
            return Estimate.unknown("the metadata file of " + expire.table() + ", or the ages of its snapshots, are not known.");
        }
        TableScanFact scan = scans.get(expire.table());
        double after = fact.metadataBytes() * (double) (fact.snapshots() - expiring) / fact.snapshots();
        return Estimate.of("the planning of every query of " + expire.table(), scan == null ? 0 : scan.scans() * perDay, 0, 0, fact.metadataBytes(), after, 0, 0, 0, 0, null,
                ("the planning of every query reads the table's metadata file (%s), which lists its %d snapshots; expiring the %d older than %d hours "
                        + "leaves about %s, their entries taken as most of it and of one size; bytes are metadata read at planning, not data.")
                        .formatted(Estimate.bytes(fact.metadataBytes()), fact.snapshots(), expiring, expire.retainHours(), Estimate.bytes(after)), rates);
    }

    /**
     * Statistics: no scan reads less, but the planner estimates the rows of a filter by equalities from the columns' distinct
     * counts, which only statistics give it; its join orders and memory rest on those estimates. What it misestimates now is
     * captured per filtered scan; the lookups among them are what ANALYZE lets it estimate.
     */
    private Estimate analyze(String table)
    {
        TableFact fact = tables.get(table);
        TableScanFact scan = scans.get(table);
        if (scan == null || scan.filteredScans() == 0) {
            return Estimate.unknown("no filtered scans of " + table + " with the planner's estimates in the window: what statistics would change is not known.");
        }
        double before = (double) scan.misestimatedScans() / scan.filteredScans();
        double after = (double) (scan.misestimatedScans() - scan.misestimatedLookups()) / scan.filteredScans();
        return Estimate.of("filtered scans of " + table, scan.filteredScans() * perDay, 0, 0, 0, 0, 0, 0, 0, fact == null ? 0 : fact.totalDataBytes(), null,
                ("the planner could not estimate, or missed by more than %dx, the rows of %d of the %d filtered scans; %d of those filter by equalities only, "
                        + "which the columns' distinct counts let it estimate; the saving shows in its join orders and memory (CPU and latency, measured after), not valued here.")
                        .formatted(EvidenceReader.MISESTIMATE_FACTOR, scan.misestimatedScans(), scan.filteredScans(), scan.misestimatedLookups()), rates)
                .withMisestimatedShare(before, after);
    }

    /**
     * The pattern's queries answered from the rows of its aggregation over {@code table}, kept by a materialized view (or a table
     * created again) every {@code refreshMinutes}, against the refreshes that each run the query once. Files are counted as the
     * table would have them compacted: its small files are the compaction's to save, not the view's.
     */
    private Estimate precomputed(String table, long refreshMinutes, Recommendation recommendation)
    {
        PatternFact pattern = pattern(recommendation);
        if (pattern == null) {
            return Estimate.unknown("the pattern " + recommendation.target() + " is not in the window.");
        }
        TableFact fact = tables.get(table);
        double filesBefore = fact == null ? pattern.avgFilesScanned() : Math.min(pattern.avgFilesScanned(), filesAfterRewrite(fact));
        double refreshesPerDay = (double) Duration.ofDays(1).toMinutes() / Math.max(1, refreshMinutes);
        double bytesAfter = Math.min(pattern.avgBytesScanned(), pattern.avgRowsReturned() * thresholds.get("estimate.view_row_bytes"));
        return Estimate.of("the pattern '" + abbreviate(pattern.pattern()) + "'", pattern.executions() * perDay, filesBefore, Math.min(1, filesBefore),
                pattern.avgBytesScanned(), bytesAfter, 0, 0, 0, Math.round(pattern.avgBytesScanned()), null,
                "its queries are pointed at the precomputed rows (Trino does not do it by itself) and read their %.0f; a refresh every %d minutes runs the query once, %.0f times a day; %s compacted."
                        .formatted(pattern.avgRowsReturned(), refreshMinutes, refreshesPerDay, table), rates)
                .withUpkeep(refreshesPerDay * filesBefore, refreshesPerDay * pattern.avgBytesScanned(), rates);
    }

    /** The bare column in the filter (the function around it unwrapped): min/max statistics skip the files outside the value's time. */
    private Estimate bareColumn(Recommendation recommendation)
    {
        String table = String.valueOf(recommendation.evidence().get("table"));
        String column = String.valueOf(recommendation.evidence().get("column"));
        Optional<PredicateFact> wrapped = predicate(table, column, p -> p.kind() == PredicateKind.WRAPPED && recommendation.target().equals(p.patternHash()))
                .or(() -> predicate(table, column, p -> p.kind() == PredicateKind.WRAPPED));
        TableFact fact = tables.get(table);
        Optional<TimeSpan> span = fact == null ? Optional.empty() : fact.timeSpan(column);
        // the rewrite's span, of the query as written, else the filter's own: month(ts) = 3 is no span alone, but beside year(ts) = 2024
        // (which Trino pushed into the scan, out of the filter) it is March 2024; a list of days is all of them, where the filter knows one
        double hours = wrapped.flatMap(p -> Rewrites.selected(p.sampleQuery(), column)).map(duration -> duration.toSeconds() / 3600.0)
                .or(() -> wrapped.map(PredicateFact::hoursSelected).filter(value -> value > 0))
                .orElse(0.0);
        if (wrapped.isPresent() && fact != null && hours <= 0) {
            Optional<Estimate> prefix = leadingText(wrapped.get(), fact, table, column).or(() -> shiftedBound(wrapped.get(), fact, span, table, column));
            if (prefix.isPresent()) {
                return prefix.get();
            }
        }
        if (wrapped.isEmpty() || span.isEmpty() || hours <= 0) {
            return Estimate.unknown("the time one value of the wrapped " + column + " covers, or the span of the table's data, is not known.");
        }
        PredicateFact p = wrapped.get();
        double filesBefore = filesNow(p.avgFilesScanned(), fact);
        double spanned = span.get().length().toSeconds() / 3600.0;
        // of those, the hours the data spans: the 15th of every month of a year, of data of one January, is a day
        double inData = Rewrites.selected(p.sampleQuery(), column, span.get().from(), span.get().to()).map(duration -> duration.toSeconds() / 3600.0).orElse(hours);
        // data of less than an hour (a stream's first minutes) is spanned as it is, not as an hour
        double share = spanned > 0 ? Math.min(1, inData / spanned) : inData > 0 ? 1 : 0;
        return skippingFiles(p, table, filesBefore, share,
                share < 1 ? "the bare %s selects %s of the %s the data spans, and the files' min/max statistics skip the files outside it, whole (one at the least is read)."
                        .formatted(column, hours(inData), hours(spanned))
                        : "the bare %s selects %s, all %s the data spans: nothing to skip.".formatted(column, hours(hours), hours(spanned)));
    }

    /**
     * A shifted column compared with a constant, rewritten as the bare column against the constant shifted back: one side of the span from
     * that bound (the query's own time taken as now), the data spread evenly over it.
     */
    private Optional<Estimate> shiftedBound(PredicateFact p, TableFact fact, Optional<TimeSpan> span, String table, String column)
    {
        Optional<Rewrites.ShiftedBound> shifted = Rewrites.shiftedBound(p.sampleQuery(), column, fact.timeType(column));
        if (shifted.isEmpty() || span.isEmpty()) {
            return Optional.empty();
        }
        Instant bound = shifted.get().at().map(at -> at.toInstant(ZoneOffset.UTC)).orElseGet(() -> Instant.now().truncatedTo(ChronoUnit.SECONDS)).plus(shifted.get().shift());
        double share = switch (shifted.get().op()) {
            case ">", ">=" -> span.get().shareFrom(bound);
            case "<", "<=" -> 1 - span.get().shareFrom(bound);
            default -> 0;
        };
        double filesBefore = filesNow(p.avgFilesScanned(), fact);
        return Optional.of(skippingFiles(p, table, filesBefore, share,
                "the bare %s %s %s selects %.0f%% of the data's span (%s .. %s), and the files' min/max statistics skip the files outside it, whole (one at the least is read)."
                        .formatted(column, shifted.get().op(), bound, 100 * share, span.get().from(), span.get().to())));
    }

    /**
     * A text column's leading part, rewritten as starts_with: on a table partitioned by {@code truncate(column, W)}, a prefix of W
     * characters or more falls in one of its partitions, the data taken as spread evenly over them. Without such a partition, what
     * min/max statistics skip is not known.
     */
    private Optional<Estimate> leadingText(PredicateFact p, TableFact fact, String table, String column)
    {
        OptionalInt length = Rewrites.leadingTextLength(p.sampleQuery(), column);
        OptionalInt width = fact.truncateWidth(column);
        if (length.isEmpty() || width.isEmpty() || length.getAsInt() < width.getAsInt() || fact.partitions() < 2) {
            return Optional.empty();
        }
        double filesBefore = filesNow(p.avgFilesScanned(), fact);
        double share = 1.0 / fact.partitions();
        return Optional.of(skippingFiles(p, table, filesBefore, share,
                "a prefix of %d characters of %s falls in one of the table's %d truncate[%d] partitions, the data spread evenly over them."
                        .formatted(length.getAsInt(), column, fact.partitions(), width.getAsInt())));
    }

    /**
     * The pattern's scans of {@code table} once a filter selects {@code share} of the data of the {@code filesBefore} files they read:
     * min/max statistics skip whole files, so at least one is read whole (met from outside: a month of a table in one 141 MB file
     * estimated at 1.7 MB a scan).
     */
    private Estimate skippingFiles(PredicateFact p, String table, double filesBefore, double share, String how)
    {
        double filesAfter = Math.max(1, filesBefore * share);
        double bytesAfter = filesBefore <= 0 ? p.avgBytesScanned() * share : p.avgBytesScanned() * Math.min(1, filesAfter / filesBefore);
        return Estimate.of("the pattern's scans of " + table, p.scans() * perDay, filesBefore, filesAfter, p.avgBytesScanned(), bytesAfter, 0, 0, 0, 0, null,
                how, rates);
    }

    /** The pattern a recommendation of a pattern is about, on its cluster; of a table's predicate (no cluster), where it ran most. */
    private PatternFact pattern(Recommendation recommendation)
    {
        if (recommendation.cluster() != null) {
            return patterns.get(recommendation.target() + "@" + recommendation.cluster());
        }
        return patternsByHash.getOrDefault(recommendation.target(), List.of()).stream()
                .max((first, second) -> Long.compare(first.executions(), second.executions())).orElse(null);
    }

    /**
     * Advice, or a rewritten query: for a cluster, valued from its load; for a pattern, by the benefit the rule named,
     * from the pattern's figures.
     */
    private Estimate advice(Benefit benefit, Recommendation recommendation)
    {
        if (recommendation.targetType() == TargetType.CLUSTER) {
            return cluster(recommendation);
        }
        if (benefit == null) {
            return Estimate.unknown("rule " + recommendation.ruleId() + " names no benefit of its advice (new Advice(text, Benefit.X)).");
        }
        PatternFact pattern = pattern(recommendation);
        if (pattern == null) {
            return Estimate.unknown("no figures of pattern " + recommendation.target() + " in the window.");
        }
        String scope = "the pattern '" + abbreviate(pattern.pattern()) + "'";
        double queries = pattern.executions() * perDay;
        double seconds = queries * pattern.p50Ms() / 1000;
        double selectivity = thresholds.get("estimate.range_selectivity");
        return switch (benefit) {
            case SELECTIVE_SCAN -> {
                Optional<FullScanFact> full = fullScans.getOrDefault(pattern.key(), List.of()).stream()
                        .max((first, second) -> Double.compare(first.avgBytesScanned(), second.avgBytesScanned()));
                double files = full.map(FullScanFact::avgFilesScanned).orElse(pattern.avgFilesScanned());
                double bytes = full.map(FullScanFact::avgBytesScanned).orElse(pattern.avgBytesScanned());
                yield Estimate.of(scope, queries, files, Math.max(1, Math.ceil(files * selectivity)), bytes, bytes * selectivity, 0, 0, 0, 0, null,
                        "a filter the scan can use (a range of the partition or sort column) selects %.0f%% of the data (estimate.range_selectivity)."
                                .formatted(100 * selectivity), rates);
            }
            case JOIN_CONDITION -> Estimate.of(scope, queries, 0, 0, 0, 0, seconds * (1 - 1 / Math.max(1, pattern.joinExplosion())), 0, 0, 0, null,
                    "the join's time grows with its output: with the missing condition its %.0f output rows per input row become one, an upper bound."
                            .formatted(pattern.joinExplosion()), rates);
            case NO_SPILL -> Estimate.of(scope, pattern.spillingRuns() * perDay, 0, 0, 2 * pattern.avgSpilledBytes(), 0, 0, 0, 0, 0, null,
                    "a run that fits in memory no longer writes its %s to disk and reads it back.".formatted(Estimate.bytes(pattern.avgSpilledBytes())), rates);
            case LIMITED_SORT -> {
                double limit = thresholds.get("sort.suggested_limit");
                double rowBytes = thresholds.get("estimate.view_row_bytes");
                yield Estimate.of(scope, queries, 0, 0, pattern.avgRowsReturned() * rowBytes, Math.min(pattern.avgRowsReturned(), limit) * rowBytes, 0, 0, 0, 0, null,
                        "the client reads the first %.0f rows: the rest (of %.0f) are neither sorted in full nor sent, at about %.0f bytes a row."
                                .formatted(limit, pattern.avgRowsReturned(), rowBytes), rates);
            }
            case NO_LIMIT_FAILURES -> Estimate.of(scope, pattern.resourceLimitFailures() * perDay, 0, 0, 0, 0,
                    pattern.resourceLimitFailures() * perDay * pattern.p95Ms() / 1000, 0, 0, 0, null,
                    "each failed run used about the pattern's p95 before the limit stopped it, and is run again.", rates);
            case CACHED_REPEATS -> Estimate.of(scope + ", repeated", pattern.repeatedIdentical() * perDay, pattern.avgFilesScanned(), 0, pattern.avgBytesScanned(), 0,
                    pattern.repeatedIdentical() * perDay * pattern.p50Ms() / 1000, 0, 0, 0, null,
                    "every repeat within the TTL is answered from a cache without reading the table.", rates);
            case BASELINE -> Estimate.of(scope, queries, pattern.avgFilesScanned(), Math.min(pattern.avgFilesScanned(), pattern.baselineAvgFilesScanned()),
                    pattern.avgBytesScanned(), Math.min(pattern.avgBytesScanned(), pattern.baselineAvgBytesScanned()),
                    queries * Math.max(0, pattern.p50Ms() - pattern.baselineP50Ms()) / 1000, 0, 0, 0, pattern.baselineP95Ms(),
                    "the pattern returns to its baseline: its files, bytes and latency of the baseline window.", rates);
            case BALANCED_STAGE -> Estimate.of(scope, queries, 0, 0, 0, 0, queries * pattern.p50Ms() / 1000 * (1 - 1 / Math.max(1, pattern.maxSkewRatio())), 0, 0, 0, null,
                    "the skewed stage sets the query's time, and balanced its busiest task would take 1/%.1f of it: an upper bound.".formatted(pattern.maxSkewRatio()), rates);
            case BARE_COLUMN -> bareColumn(recommendation);
            case PRECOMPUTED -> precomputed(String.valueOf(recommendation.evidence().get("table")),
                    ((Number) recommendation.evidence().getOrDefault("refresh_interval_minutes", (long) thresholds.get("mv.refresh_interval_minutes"))).longValue(), recommendation);
        };
    }

    /** Level 4: the time queries of the cluster spend queued is what more capacity or separation gives back, at most. */
    private Estimate cluster(Recommendation recommendation)
    {
        LoadFact load = loads.get(recommendation.target());
        if (load == null) {
            return Estimate.unknown("no load of cluster " + recommendation.target() + " in the window.");
        }
        double queued = load.queries() * perDay * load.queuedShare();
        return Estimate.of("the queries of cluster " + load.cluster() + " that queue", queued, 0, 0, 0, 0, queued * load.p95QueuedMs() / 1000, 0, 0, 0, 0.0,
                "a queued query waits about the p95 of the queue (%.0f ms), and with the capacity or separation proposed it does not wait: an upper bound."
                        .formatted(load.p95QueuedMs()), rates);
    }

    /**
     * The delete files a scan of {@code table} opens beside its data files (their average over the table's scans): a rewrite of
     * the files it reads applies them and leaves none, as the effect of a fix measures files.
     */
    private double deleteFiles(String table)
    {
        TableScanFact scan = scans.get(table);
        return scan == null ? 0 : scan.avgDeleteFilesScanned();
    }

    private static String deletesApplied(double deleteFiles)
    {
        return deleteFiles > 0 ? ", the %.1f delete files a scan opens beside them applied".formatted(deleteFiles) : "";
    }

    /** Files after a rewrite into target-size files, one partition at least each. */
    private double filesAfterRewrite(TableFact fact)
    {
        return Math.max(Math.max(1, fact.partitions()), Math.ceil(fact.totalDataBytes() / target()));
    }

    private double target()
    {
        return thresholds.get("layout.target_file_bytes");
    }

    /**
     * The files a rewrite of a {@code share} of the data's time touches: that share of them, and the files whose range of the column
     * overlaps one's beside it (when each spans all of its time, every file holds some of the share).
     */
    private static long rewrittenFiles(TableFact fact, String column, double share)
    {
        if (share <= 0) {
            return 0;
        }
        double overlapping = Math.max(1, fact.overlappingFiles(column));
        return Math.round(Math.min(fact.dataFiles(), fact.dataFiles() * share + overlapping - 1));
    }

    /** The share of the data a rewrite bounded to a time range touches, assuming the data spread evenly over the span. */
    private static double rewriteShare(Rewrite rewrite, TimeSpan span)
    {
        if (rewrite == null) {
            return 0;
        }
        return rewrite.from() == null ? 1 : span.shareFrom(Instant.parse(rewrite.from()));
    }

    private Optional<PredicateFact> predicate(String table, String column, Predicate<PredicateFact> condition)
    {
        return predicates.getOrDefault(table + "|" + column, List.of()).stream().filter(condition)
                .max((first, second) -> Long.compare(first.scans(), second.scans()));
    }

    /** Hours as a person reads them: "24 hours", "1 hour", "0.3 hours" (a stream's first minutes). */
    private static String hours(double hours)
    {
        String number = hours >= 10 ? "%,.0f".formatted(hours) : "%.1f".formatted(hours).replaceFirst("\\.0$", "");
        return number + (number.equals("1") ? " hour" : " hours");
    }

    private static String abbreviate(String text)
    {
        return text.length() <= 80 ? text : text.substring(0, 79) + "…";
    }
}
