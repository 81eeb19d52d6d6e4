package dev.icetune.engine;

import dev.icetune.engine.estimate.Estimator;
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
import dev.icetune.engine.model.Level;
import dev.icetune.engine.model.MaterializedView;
import dev.icetune.engine.model.PartitionSpec;
import dev.icetune.engine.model.QueryRewrite;
import dev.icetune.engine.model.Recommendation;
import dev.icetune.engine.model.Rewrite;
import dev.icetune.engine.model.Rewrites;
import dev.icetune.engine.model.Severity;
import dev.icetune.engine.model.SortOrder;
import dev.icetune.engine.model.TargetType;
import dev.icetune.engine.rules.RuleBook;
import dev.icetune.plan.PredicateKind;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

/** The valuation layer on facts as the evidence reader and the catalog give them, with the shipped thresholds. */
class TestEstimator
{
    private static final Thresholds THRESHOLDS = RuleBook.load(TestShippedRules.RULES).thresholds();
    private static final String TABLE = "iceberg.demo.events";
    private static final long MB = 1 << 20;
    /** 30 files of 4 MB, each spanning the 30 days of January 2024: a one-day range reads them all. */
    private static final TableFact THIRTY_DAYS = table(30, 30 * 4 * MB, 1,
            Map.of("ts", new TimeSpan(Instant.parse("2024-01-01T00:00:00Z"), Instant.parse("2024-01-30T23:59:00Z"))));
    /** One-day ranges on its ts, the earliest from January 10th. */
    private static final PredicateFact ONE_DAY_RANGES = new PredicateFact(TABLE, "ts", PredicateKind.RANGE, null, true, "ts >= ...", "p", "SELECT ...", 6, 6, 1, 30,
            30 * 4 * MB, 30 * 4 * MB, 24, Instant.parse("2024-01-10T00:00:00Z"), false, true, 1);
    private static final Recommendation DAY_PARTITION = recommendation("missing-partition-pruning", TABLE,
            PartitionSpec.adding(TABLE, List.of(), "day(ts)", Rewrite.from(4 * MB, 128 * MB, "ts", ONE_DAY_RANGES.earliest())));

    /** Those ranges, 6 scans an hour, each reading all 30 files and opening {@code deleteFiles} delete files beside them. */
    private static TableScanFact rangeScans(double deleteFiles)
    {
        return new TableScanFact(TABLE, 6, 30, 4 * MB, 1, 0, 6, 6, List.of(), 30, 30 * 4 * MB, List.of("default"), 0, 0, 0, deleteFiles);
    }

    @Test
    void aDayPartitionMakesAOneDayRangeReadOneDayOfThirty()
    {
        Estimate estimate = new Estimator(List.of(THIRTY_DAYS, rangeScans(0), ONE_DAY_RANGES), THRESHOLDS, Duration.ofHours(1)).estimate(DAY_PARTITION);

        assertThat(estimate.queriesPerDay()).isEqualTo(144);
        assertThat(estimate.filesPerQueryAfter()).isEqualTo(1);
        assertThat(estimate.bytesPerQueryAfter()).isCloseTo(4 * MB, offset(1.0));
        assertThat(estimate.filesSavedPerDay()).isEqualTo(144 * 29);
        assertThat(estimate.bytesSavedPerDay()).isCloseTo(144 * 29 * 4.0 * MB, offset(1.0));
        // the rewrite touches what the workload reads: from January 10th on, 21 of the 30 days
        assertThat(estimate.rewriteBytes()).isCloseTo(Math.round(30 * 4 * MB * 20.999 / 29.999), offset(2 * MB));
        assertThat(estimate.assumptions()).contains("reads 1 of the 30 days");
        assertThat(estimate.priority()).isPositive();
        assertThat(estimate.sentence()).startsWith("Helps time-range scans of iceberg.demo.events (about 144 a day): each reads 30 files and 120.0 MB now, about 1 file and 4.0 MB after");
    }

    /** A rewrite of the data from a time on touches the files holding some of it: every file, where each spans all of the data's time. */
    @Test
    void aRewriteFromATimeOnTouchesTheFilesWhoseRangesReachIt()
    {
        TableFact inOrder = withOverlappingFiles(THIRTY_DAYS, 1);
        Estimate fromThe10th = new Estimator(List.of(inOrder, rangeScans(0), ONE_DAY_RANGES), THRESHOLDS, Duration.ofHours(1)).estimate(DAY_PARTITION);
        assertThat(fromThe10th.rewriteFiles()).as("files in time order: 21 of the 30 days' files").isEqualTo(21);

        TableFact eachSpansAll = withOverlappingFiles(THIRTY_DAYS, 30);
        Estimate everyFile = new Estimator(List.of(eachSpansAll, rangeScans(0), ONE_DAY_RANGES), THRESHOLDS, Duration.ofHours(1)).estimate(DAY_PARTITION);
        assertThat(everyFile.rewriteFiles()).isEqualTo(30);
        assertThat(everyFile.rewriteBytes()).isEqualTo(30 * 4 * MB);
    }

    /** Ranges open above ("since the 20th") read from their bound to the data's end: valued from the earliest bound asked, not as one day. */
    @Test
    void aRangeOpenAboveReadsFromItsBoundToTheDatasEnd()
    {
        PredicateFact sinceThe20th = new PredicateFact(TABLE, "ts", PredicateKind.RANGE, null, true, "ts >= ...", "p", "SELECT ...", 6, 6, 1, 30,
                30 * 4 * MB, 30 * 4 * MB, -1, Instant.parse("2024-01-20T00:00:00Z"), false, true, 1);
        Estimate estimate = new Estimator(List.of(THIRTY_DAYS, rangeScans(0), sinceThe20th), THRESHOLDS, Duration.ofHours(1)).estimate(DAY_PARTITION);

        assertThat(estimate.filesPerQueryAfter()).as("the 20th to the 30th: 11 days of one file").isEqualTo(11);
        assertThat(estimate.bytesPerQueryAfter()).isCloseTo(11 * 4 * MB, offset(1.0));
        assertThat(estimate.assumptions()).contains("reads 11 of the 30 days").contains("open above: from the earliest bound asked, 2024-01-20T00:00:00Z");

        PredicateFact unknownWidth = new PredicateFact(TABLE, "ts", PredicateKind.RANGE, null, true, "ts < ...", "p", "SELECT ...", 6, 6, 1, 30,
                30 * 4 * MB, 30 * 4 * MB, -1, null, false, true, 1);
        assertThat(new Estimator(List.of(THIRTY_DAYS, rangeScans(0), unknownWidth), THRESHOLDS, Duration.ofHours(1)).estimate(DAY_PARTITION).assumptions())
                .as("open below: where it starts is not known").contains("the ranges' width is not known, one day assumed");
    }

    /** The effect of a fix counts the delete files its scans open; a layout change's rewrite applies those of the files it rewrites. */
    @Test
    void aLayoutChangesRewriteAppliesTheDeleteFilesItsScansOpen()
    {
        // each scan opens 3 delete files beside its 30 data files
        Estimator estimator = new Estimator(List.of(THIRTY_DAYS, rangeScans(3), ONE_DAY_RANGES), THRESHOLDS, Duration.ofHours(1));

        Estimate partition = estimator.estimate(DAY_PARTITION);
        assertThat(partition.filesPerQueryBefore()).isEqualTo(33);
        assertThat(partition.filesPerQueryAfter()).isEqualTo(1);
        assertThat(partition.assumptions()).endsWith(", the 3.0 delete files a scan opens beside them applied.");

        Estimate sorted = estimator.estimate(recommendation("inefficient-layout", TABLE, new SortOrder(TABLE, List.of("ts"), Rewrite.allFiles(4 * MB, 128 * MB))));
        assertThat(sorted.filesPerQueryBefore()).isEqualTo(33);
        Estimate unsorted = estimator.estimate(recommendation("inefficient-layout", TABLE, new SortOrder(TABLE, List.of("ts"), null)));
        assertThat(unsorted.filesPerQueryBefore()).as("without a rewrite the deletes stay, on both sides").isEqualTo(30);
    }

    /** Files are sorted within their partition: in a table of one small file a month, a filter on another column still reads every month's file. */
    @Test
    void aSortOrderSortsWithinEachPartition()
    {
        PredicateFact range = new PredicateFact(TABLE, "amount", PredicateKind.RANGE, null, false, "amount > ...", "p", "SELECT ...", 6, 6, 1, 200, 2000 * MB, 2000 * MB, -1,
                null, false, true, 1);
        SortOrder sort = new SortOrder(TABLE, List.of("amount"), Rewrite.allFiles(10 * MB, 128 * MB));

        // unpartitioned, 200 files of 10 MB: sorted into 16 files of 128 MB, a tenth of the range's values in 2 of them
        Estimate unpartitioned = new Estimator(List.of(table(200, 2000 * MB, 1, Map.of()), range), THRESHOLDS, Duration.ofHours(1))
                .estimate(recommendation("inefficient-layout", TABLE, sort));
        assertThat(unpartitioned.filesPerQueryAfter()).isEqualTo(2);

        // 80 months of a file each, every one read: each stays one file, sorted in itself, and the range reads all 80 again
        PredicateFact everyMonth = new PredicateFact(TABLE, "amount", PredicateKind.RANGE, null, false, "amount > ...", "p", "SELECT ...", 6, 6, 1, 80, 80 * 8192, 80 * 8192, -1,
                null, false, true, 1);
        Estimate monthly = new Estimator(List.of(table(80, 80 * 8192, 80, Map.of()), everyMonth), THRESHOLDS, Duration.ofHours(1))
                .estimate(recommendation("inefficient-layout", TABLE, new SortOrder(TABLE, List.of("amount"), Rewrite.allFiles(8192, 128 * MB))));
        assertThat(monthly.filesPerQueryAfter()).isEqualTo(80);
        assertThat(monthly.filesSavedPerDay()).isZero();
        assertThat(monthly.assumptions()).contains("sorted within each of the 80 partitions, of which a scan reads 80.0");

        // met from outside: 49 files compacted into one a month within the window, whose scans read 34.4 files on average; the table's
        // 10 files, each alone in its month, stay one file each sorted: no file fewer
        PredicateFact compactedWithin = new PredicateFact(TABLE, "status", PredicateKind.EQUALITY, null, false, "status = ...", "p", "SELECT ...", 40, 1, 1, 34.4,
                1.3 * MB, 1.3 * MB, -1, null, false, false, 1);
        Estimate afterCompaction = new Estimator(List.of(table(10, 11 * MB / 10, 10, Map.of()), compactedWithin), THRESHOLDS, Duration.ofHours(1))
                .estimate(recommendation("inefficient-layout", TABLE, new SortOrder(TABLE, List.of("status"), Rewrite.allFiles(8192, 128 * MB))));
        assertThat(afterCompaction.filesPerQueryBefore()).as("no more than the table holds").isEqualTo(10);
        assertThat(afterCompaction.filesSavedPerDay()).isZero();
    }

    /**
     * Met from outside: every scan asked for status 'returned', so one value was seen, and the estimate took it for the only one,
     * selecting every file; the table's statistics count the column's 4 values.
     */
    @Test
    void aSortOrderOnAnEqualityCountsTheValuesTheTablesStatisticsCount()
    {
        // 40 files of 128 MB, every one read for one status
        PredicateFact oneStatus = new PredicateFact(TABLE, "status", PredicateKind.EQUALITY, null, false, "status = ...", "p", "SELECT ...", 30, 1, 1, 40,
                40 * 128 * MB, 40 * 128 * MB, -1, null, false, true, 1);
        Recommendation sort = recommendation("inefficient-layout", TABLE, new SortOrder(TABLE, List.of("status"), Rewrite.allFiles(8192, 128 * MB)));
        TableFact table = table(40, 40 * 128 * MB, 1, Map.of());

        Estimate floor = new Estimator(List.of(table, oneStatus), THRESHOLDS, Duration.ofHours(1)).estimate(sort);
        assertThat(floor.filesPerQueryAfter()).isEqualTo(40);
        assertThat(floor.assumptions()).contains("one of the 1 values (the values looked up: a floor) selects 100.0%");

        Estimate counted = new Estimator(List.of(withDistinctCount(table, "status", 4), oneStatus), THRESHOLDS, Duration.ofHours(1)).estimate(sort);
        assertThat(counted.filesPerQueryAfter()).as("a quarter of the values sorted together").isEqualTo(10);
        assertThat(counted.bytesPerQueryAfter()).isEqualTo(10 * 128 * MB);
        assertThat(counted.assumptions()).contains("one of the 4 values (the table's statistics) selects 25.0%");
    }

    @Test
    void compactionKeepsTheBytesAndMergesTheFiles()
    {
        TableFact table = table(40, 40 * MB, 1, Map.of());
        TableScanFact scans = new TableScanFact(TABLE, 12, 40, MB, 1, 0, 0, 0, List.of(), 0, 0, List.of("default"), 0, 0, 0, 0);
        Estimate estimate = new Estimator(List.of(table, scans), THRESHOLDS, Duration.ofHours(1))
                .estimate(recommendation("small-files", TABLE, new Compact(TABLE, 128 * MB)));
        assertThat(estimate.filesPerQueryBefore()).isEqualTo(40);
        assertThat(estimate.filesPerQueryAfter()).isEqualTo(1);
        assertThat(estimate.bytesSavedPerDay()).isZero();
        assertThat(estimate.rewriteFiles()).isEqualTo(40);
    }

    /** Met from outside: a partition change rolled back leaves 36 files of its spec under a spec of 64 buckets, which a compaction spreads again. */
    @Test
    void aCompactionThatSavesNothingIsHeldBack()
    {
        TableFact table = new TableFact(TABLE, 36, 36 * 50_000, 60_000, 36, 36_000, 0, List.of("id_bucket: bucket[64](id)"), List.of(), List.of(), Map.of(), 3, 1, 1, 1,
                36 * 50_000, 64, Map.of(), Map.of(), 0, List.of(), 0, 0, Map.of(), 0, List.of(), Map.of(), false, 0);
        TableScanFact scans = new TableScanFact(TABLE, 12, 36, 50_000, 1, 0, 0, 0, List.of("id_bucket: bucket[64](id)"), 0, 0, List.of("default"), 0, 0, 0, 0);
        Estimator estimator = new Estimator(List.of(table, scans), THRESHOLDS, Duration.ofHours(1));

        Estimator.Valued valued = estimator.value(List.of(recommendation("small-files", TABLE, new Compact(TABLE, 128 * MB))));

        assertThat(valued.kept()).isEmpty();
        assertThat(valued.heldBack()).singleElement().satisfies(held -> assertThat(held.reason()).isEqualTo("saves 0 B a day net, below the 1.0 MB of min_net_saving_per_day.small-files "
                + "(288 queries a day, each reading 36 files and 1.7 MB now, about 36 files and 1.7 MB after; applying it rewrites 36 files, 1.7 MB; "
                + "a query reads as much after, assuming each partition's data ends up in as few 128.0 MB files as hold it; a scan reads the same bytes "
                + "from 64.0 partitions)"));
    }

    @Test
    void aCompactionSavesTheDeleteFilesAScanOpensBesideItsDataFiles()
    {
        // one large data file, and one delete file every scan merges with it: nothing to merge, yet a file less to open
        TableFact table = new TableFact(TABLE, 1, 200 * MB, 200 * MB, 0, 1000, 1, List.of(), List.of(), List.of(), Map.of(), 3, 1, 1, 1, 0, 1, Map.of(), Map.of(),
                0, List.of(), 1, 200 * MB, Map.of(), 0, List.of(), Map.of(), false, 0);
        TableScanFact scans = new TableScanFact(TABLE, 12, 1, 200 * MB, 1, 0, 0, 0, List.of(), 0, 0, List.of("default"), 0, 0, 0, 1);
        Estimate estimate = new Estimator(List.of(table, scans), THRESHOLDS, Duration.ofHours(1))
                .estimate(recommendation("delete-file-buildup", TABLE, new Compact(TABLE, 128 * MB)));
        assertThat(estimate.filesPerQueryBefore()).isEqualTo(2);
        assertThat(estimate.filesPerQueryAfter()).isEqualTo(1);
        assertThat(estimate.filesSavedPerDay()).isEqualTo(12 * 24);
        assertThat(estimate.assumptions()).contains("the 1.0 delete files a scan opens beside them applied");
        assertThat(estimate.rewriteFiles()).as("the large file the deletes apply to is rewritten too").isEqualTo(1);
        assertThat(estimate.rewriteBytes()).isEqualTo(200 * MB);
    }

    @Test
    void aCoarserTimePartitionReadsTheSameBytesFromFewerFiles()
    {
        // 84 months of 8 KB, a file each, read whole by 5 scans an hour: by year, 7 partitions of a file each
        TableFact table = new TableFact(TABLE, 84, 84 * 8192, 9000, 0, 84_000, 0, List.of("ts_month: month(ts)"), List.of(), List.of("ts"), Map.of(), 3, 1, 1, 1,
                0, 84, Map.of(), Map.of(), 0, List.of(), 0, 0, Map.of(), 0, List.of(), Map.of(), false, 0);
        TableScanFact scans = new TableScanFact(TABLE, 5, 84, 8192, 1, 0, 0, 0, List.of("ts_month: month(ts)"), 0, 0, List.of("default"), 0, 0, 0, 0);
        Recommendation coarser = recommendation("over-partitioning", TABLE,
                PartitionSpec.replacing(TABLE, List.of("month(ts)"), "month(ts)", "year(ts)", Rewrite.allFiles(9000, 128 * MB)));

        Estimate estimate = new Estimator(List.of(table, scans), THRESHOLDS, Duration.ofHours(1)).estimate(coarser);

        assertThat(estimate.queriesPerDay()).isEqualTo(5 * 24);
        assertThat(estimate.filesPerQueryBefore()).isEqualTo(84);
        assertThat(estimate.filesPerQueryAfter()).isEqualTo(7);
        assertThat(estimate.bytesSavedPerDay()).as("the same bytes, in fewer files").isZero();
        assertThat(estimate.filesSavedPerDay()).isEqualTo(5 * 24 * 77);
        assertThat(estimate.rewriteFiles()).as("every file moves to the new spec").isEqualTo(84);
        assertThat(estimate.assumptions()).contains("from 7 of about 7 partitions by year(ts) (84 partitions by month(ts) now)");
        assertThat(estimate.priority()).isPositive();
    }

    @Test
    void aValuePartitionInFewerBucketsReadsTheSameBytesFromFewerFiles()
    {
        // 90 regions of 8 KB, a file each, read whole by 5 scans an hour: without the field, one file; in 3 buckets, 3
        TableFact table = new TableFact(TABLE, 90, 90 * 8192, 9000, 0, 90_000, 0, List.of("region"), List.of(), List.of("ts"), Map.of(), 3, 1, 1, 1,
                0, 90, Map.of(), Map.of(), 0, List.of(), 0, 0, Map.of(), 0, List.of(), Map.of(), false, 0);
        TableScanFact scans = new TableScanFact(TABLE, 5, 90, 8192, 1, 0, 0, 0, List.of("region"), 0, 0, List.of("default"), 0, 0, 0, 0);
        Estimator estimator = new Estimator(List.of(table, scans), THRESHOLDS, Duration.ofHours(1));

        Estimate removed = estimator.estimate(recommendation("over-partitioning-by-value", TABLE,
                PartitionSpec.bucketing(TABLE, List.of("region"), "region", 1, Rewrite.allFiles(9000, 128 * MB))));
        Estimate bucketed = estimator.estimate(recommendation("over-partitioning-by-value", TABLE,
                PartitionSpec.bucketing(TABLE, List.of("region"), "region", 3, Rewrite.allFiles(9000, 128 * MB))));

        assertThat(removed.filesPerQueryAfter()).isEqualTo(1);
        assertThat(removed.assumptions()).contains("from 1 of about 1 partitions without region (90 partitions by region now)");
        assertThat(bucketed.filesPerQueryAfter()).isEqualTo(3);
        assertThat(bucketed.assumptions()).contains("partitions by bucket(region, 3)");
        assertThat(List.of(removed, bucketed)).allSatisfy(estimate -> {
            assertThat(estimate.bytesSavedPerDay()).as("the same bytes, in fewer files").isZero();
            assertThat(estimate.rewriteFiles()).as("every file moves to the new spec").isEqualTo(90);
        });
    }

    /**
     * Met from outside: a dashboard whose join pruned a table of 280 day partitions to 18 of them read 37 kB; the partitions removed,
     * it read the table's one file, 166 kB, where the estimate said the same 37 kB. A scan reads whole partitions of the coarser spec.
     */
    @Test
    void aScanPrunedByTheFieldRemovedReadsTheWholeOfTheCoarserPartitions()
    {
        TableFact table = new TableFact(TABLE, 280, 280 * 2048, 9000, 0, 100_000, 0, List.of("sale_date"), List.of(), List.of("ts"), Map.of(), 3, 1, 1, 1,
                0, 280, Map.of(), Map.of(), 0, List.of(), 0, 0, Map.of(), 0, List.of(), Map.of(), false, 0);
        TableScanFact scans = new TableScanFact(TABLE, 5, 18, 2048, 1, 0, 0, 0, List.of("sale_date"), 0, 0, List.of("default"), 0, 0, 0, 0);
        Estimate removed = new Estimator(List.of(table, scans), THRESHOLDS, Duration.ofHours(1)).estimate(recommendation("over-partitioning-by-value", TABLE,
                PartitionSpec.bucketing(TABLE, List.of("sale_date"), "sale_date", 1, Rewrite.allFiles(9000, 128 * MB))));

        assertThat(removed.filesPerQueryAfter()).isEqualTo(1);
        assertThat(removed.bytesPerQueryBefore()).isEqualTo(18 * 2048);
        assertThat(removed.bytesPerQueryAfter()).as("the whole table, its one partition").isEqualTo(280 * 2048);
        assertThat(removed.bytesSavedPerDay()).isNegative();
        assertThat(removed.sentence()).contains("; 2,040 files fewer and 61.4 MB more a day.");
        assertThat(removed.saving()).isEqualTo("2,040 files, 61.4 MB more");
        assertThat(removed.priority()).as("files weigh more than the bytes here").isPositive();
    }

    @Test
    void aBloomFilterSavesTheBytesReadOfTheRowGroupsWithoutTheValue()
    {
        // 400 MB in 100 files of 4 MB, 100,000 rows; each lookup reads 40 MB of the looked-up column; after the rewrite, 4 files
        TableFact table = table(100, 400 * MB, 1, Map.of());
        PredicateFact lookups = new PredicateFact(TABLE, "user_id", PredicateKind.EQUALITY, null, false, "user_id = 7", "p", "SELECT ...", 6, 6, 1, 100, 400 * MB,
                40 * MB, -1, null, false, true, 1);
        Recommendation bloom = recommendation("bloom-filter", TABLE + ".user_id", BloomFilters.adding(TABLE, List.of(), "user_id", Rewrite.allFiles(4 * MB, 128 * MB)));

        Estimate floor = new Estimator(List.of(table, lookups), THRESHOLDS, Duration.ofHours(1)).estimate(bloom);
        assertThat(floor.bytesPerQueryBefore()).as("bytes read, not the files' size").isEqualTo(40 * MB);
        assertThat(floor.filesPerQueryAfter()).as("the same files opened").isEqualTo(100);
        assertThat(floor.bytesPerQueryAfter()).as("6 values looked up: 16,667 rows each, in every file").isEqualTo(40 * MB);
        assertThat(floor.assumptions()).contains("the values looked up: a floor");

        TableFact counted = withDistinctCount(table, "user_id", 100_000);
        Estimate estimate = new Estimator(List.of(counted, lookups), THRESHOLDS, Duration.ofHours(1)).estimate(bloom);
        assertThat(estimate.bytesPerQueryAfter()).as("one row a value: the row group of one file of 4, and the four files' filters of 25,000 values")
                .isCloseTo(10 * MB + 4 * 25_000 * THRESHOLDS.get("estimate.bloom_bytes_per_value"), offset(1.0));
        assertThat(estimate.filesSavedPerDay()).as("every file still opened").isZero();
        assertThat(estimate.assumptions()).contains("100000 distinct values (the table's statistics)");
    }

    /** Met from outside: an application looked accounts up 500 ids at a time; a bloom filter skips a row group only when it holds none of them. */
    @Test
    void aBloomFilterForLookupsOfManyValuesSavesWhatTheirRowsLeaveUnread()
    {
        TableFact table = withDistinctCount(table(100, 400 * MB, 1, Map.of()), "user_id", 100_000);
        Recommendation bloom = recommendation("bloom-filter", TABLE + ".user_id", BloomFilters.adding(TABLE, List.of(), "user_id", Rewrite.allFiles(4 * MB, 128 * MB)));
        Estimate one = new Estimator(List.of(table, lookups(1)), THRESHOLDS, Duration.ofHours(1)).estimate(bloom);
        Estimate two = new Estimator(List.of(table, lookups(2)), THRESHOLDS, Duration.ofHours(1)).estimate(bloom);
        Estimate many = new Estimator(List.of(table, lookups(500)), THRESHOLDS, Duration.ofHours(1)).estimate(bloom);

        assertThat(two.bytesPerQueryAfter()).as("the row groups of two files of four, where one had one").isGreaterThan(one.bytesPerQueryAfter());
        assertThat(many.bytesPerQueryAfter()).as("500 values: some in every file").isEqualTo(many.bytesPerQueryBefore());
        assertThat(many.bytesSavedPerDay()).isZero();
        assertThat(many.assumptions()).contains("a lookup of 500 values reads the row groups of 100.0% of them");
        assertThat(one.assumptions()).contains("a lookup of one value reads the row groups of 25.0% of them");
    }

    private static PredicateFact lookups(double valuesPerScan)
    {
        return new PredicateFact(TABLE, "user_id", PredicateKind.EQUALITY, null, false, "user_id IN ...", "p", "SELECT ...", 6, 6, 1, 100, 400 * MB,
                40 * MB, -1, null, false, true, valuesPerScan);
    }

    /**
     * Met from outside: a table repartitioned by day held one file a day, and a bloom filter was valued as rewriting its 91 files and
     * saving 3.5 GB a day; applied, Trino's optimize rewrote none of them (it rewrites no file alone in its partition), and the lookups
     * read what they read before. A layout's rewrite saves only on the files it reaches.
     */
    @Test
    void aLayoutChangeSavesNothingOnFilesItsRewriteLeavesAlone()
    {
        PredicateFact lookups = new PredicateFact(TABLE, "user_id", PredicateKind.EQUALITY, null, false, "user_id = 7", "p", "SELECT ...", 6, 6, 1, 100, 400 * MB,
                40 * MB, -1, null, false, true, 1);
        Recommendation bloom = recommendation("bloom-filter", TABLE + ".user_id", BloomFilters.adding(TABLE, List.of(), "user_id", Rewrite.allFiles(4 * MB, 128 * MB)));
        Recommendation sort = recommendation("inefficient-layout", TABLE, new SortOrder(TABLE, List.of("user_id"), Rewrite.allFiles(4 * MB, 128 * MB)));
        TableFact daily = withDistinctCount(table(100, 400 * MB, 100, Map.of()), "user_id", 100_000);

        Estimate reached = new Estimator(List.of(daily, lookups), THRESHOLDS, Duration.ofHours(1)).estimate(bloom);
        assertThat(reached.bytesPerQueryAfter()).isLessThan(40 * MB);
        assertThat(reached.rewriteFiles()).isEqualTo(100);

        for (Recommendation layout : List.of(bloom, sort)) {
            Estimator estimator = new Estimator(List.of(withLoneFiles(daily, 100), lookups), THRESHOLDS, Duration.ofHours(1));
            Estimate alone = estimator.estimate(layout);
            assertThat(alone.bytesPerQueryAfter()).as(layout.ruleId()).isEqualTo(alone.bytesPerQueryBefore());
            assertThat(alone.filesPerQueryAfter()).as(layout.ruleId()).isEqualTo(alone.filesPerQueryBefore());
            assertThat(alone.rewriteFiles()).as(layout.ruleId()).isZero();
            assertThat(alone.rewriteBytes()).as(layout.ruleId()).isZero();
            assertThat(alone.assumptions()).as(layout.ruleId())
                    .contains("the 100 files each alone in its partition are not rewritten (Trino's optimize rewrites no lone file) and save nothing");
            // held back, it says why a query would read as much after (met from outside: the figures alone, "80 files and 34.1 MB" twice)
            assertThat(estimator.value(List.of(layout)).heldBack()).singleElement().extracting(Estimator.HeldBack::reason).asString().as(layout.ruleId())
                    .contains("; a query reads as much after, assuming ").endsWith("(Trino's optimize rewrites no lone file) and save nothing)");
        }

        Estimate half = new Estimator(List.of(withLoneFiles(daily, 50), lookups), THRESHOLDS, Duration.ofHours(1)).estimate(bloom);
        assertThat(half.bytesPerQueryAfter()).isCloseTo((40 * MB + reached.bytesPerQueryAfter()) / 2, offset(1.0));
        assertThat(half.rewriteFiles()).isEqualTo(50);
        assertThat(half.rewriteBytes()).isEqualTo(200 * MB);
    }

    @Test
    void aViewThatSavesLessThanItsRefreshesCostIsHeldBack()
    {
        // forty small files: their opening is the compaction's to save, not a view's
        PatternFact cheap = pattern("cheap", 6, 40_000);
        PatternFact expensive = pattern("expensive", 6, 40 * MB);
        Estimator estimator = new Estimator(List.of(cheap, expensive, table(40, 40_000, 1, Map.of())), THRESHOLDS, Duration.ofHours(1));

        Estimator.Valued valued = estimator.value(List.of(view(cheap), view(expensive)));

        assertThat(valued.heldBack()).singleElement().satisfies(held -> {
            assertThat(held.recommendation().target()).isEqualTo("cheap");
            assertThat(held.reason()).contains("below the 1.0 GB of min_net_saving_per_day.materialized-view");
        });
        Estimate kept = valued.kept().getFirst().estimate();
        assertThat(kept.queriesPerDay()).isEqualTo(144);
        assertThat(kept.filesPerQueryBefore()).as("the table compacted").isEqualTo(1);
        assertThat(kept.costFilesPerDay()).as("24 refreshes, a file each").isEqualTo(24);
        assertThat(kept.costBytesPerDay()).as("24 refreshes, each reading what a run reads").isEqualTo(24 * 40.0 * MB);
        assertThat(kept.saving()).as("what a person reads: files and bytes, not their sum in bytes").endsWith("costs 24 files, 960.0 MB");
        assertThat(kept.netSavingPerDay()).isEqualTo(kept.bytesSavedPerDay() + kept.filesSavedPerDay() * (4 << 20) - 24 * (40.0 * MB + 4 * MB), org.assertj.core.data.Offset.offset(1.0));
        assertThat(kept.netSavingPerDay()).isGreaterThan(1 << 30);
    }

    @Test
    void aSnapshotExpiryShrinksTheMetadataEveryQueryPlansOver()
    {
        // 200 snapshots, 150 of them older than the week kept, listed in a 400 KB metadata file; 6 scans in the hour
        List<Long> ages = java.util.stream.LongStream.range(0, 200).map(i -> i < 50 ? i : 200 + i).boxed().toList();
        TableFact table = new TableFact(TABLE, 10, 10 * MB, MB, 0, 1000, 0, List.of(), List.of(), List.of(), Map.of(), 200, 399, 1, 1, 0, 1, Map.of(), Map.of(),
                400_000, ages, 0, 0, Map.of(), 0, List.of(), Map.of(), false, 0);
        TableScanFact scans = new TableScanFact(TABLE, 6, 10, MB, 1, 0, 0, 0, List.of(), 0, 0, List.of("default"), 0, 0, 0, 0);
        Recommendation expire = recommendation("snapshot-buildup", TABLE, new ExpireSnapshots(TABLE, 168));

        Estimate estimate = new Estimator(List.of(table, scans), THRESHOLDS, Duration.ofHours(1)).estimate(expire);

        assertThat(estimate.queriesPerDay()).isEqualTo(144);
        assertThat(estimate.bytesPerQueryBefore()).isEqualTo(400_000);
        assertThat(estimate.bytesPerQueryAfter()).as("a quarter of the snapshots left").isEqualTo(100_000);
        assertThat(estimate.bytesSavedPerDay()).isEqualTo(144 * 300_000);
        assertThat(estimate.filesSavedPerDay()).isZero();
        assertThat(estimate.assumptions()).contains("expiring the 150 older than 168 hours");

        TableFact unknownAges = new TableFact(TABLE, 10, 10 * MB, MB, 0, 1000, 0, List.of(), List.of(), List.of(), Map.of(), 200, 399, 1, 1, 0, 1, Map.of(), Map.of(),
                400_000, List.of(), 0, 0, Map.of(), 0, List.of(), Map.of(), false, 0);
        assertThat(new Estimator(List.of(unknownAges, scans), THRESHOLDS, Duration.ofHours(1)).estimate(expire).isKnown()).isFalse();
    }

    @Test
    void statisticsAreValuedOnTheLookupsThePlannerCouldNotEstimate()
    {
        // 10 filtered scans with the planner's estimate: 6 misestimated, 4 of them lookups by equalities only
        TableScanFact scans = new TableScanFact(TABLE, 12, 10, MB, 1, 0, 0, 0, List.of(), 0, 0, List.of("default"), 10, 6, 4, 0);
        Estimate estimate = new Estimator(List.of(table(10, 10 * MB, 1, Map.of()), scans), THRESHOLDS, Duration.ofHours(1))
                .estimate(recommendation("stale-statistics", TABLE, new Analyze(TABLE)));

        assertThat(estimate.queriesPerDay()).isEqualTo(240);
        assertThat(estimate.misestimatedShareBefore()).isEqualTo(0.6);
        assertThat(estimate.misestimatedShareAfter()).as("the two others are not lookups: statistics leave them").isEqualTo(0.2);
        assertThat(estimate.readBytesOnce()).isEqualTo(10 * MB);
        assertThat(estimate.saving()).isEqualTo("misestimates 60% -> 20%");
        assertThat(estimate.sentence()).contains("the planner misestimates the rows of 60% of them now, about 20% after");

        TableScanFact unestimated = new TableScanFact(TABLE, 12, 10, MB, 1, 0, 0, 0, List.of(), 0, 0, List.of("default"), 0, 0, 0, 0);
        assertThat(new Estimator(List.of(table(10, 10 * MB, 1, Map.of()), unestimated), THRESHOLDS, Duration.ofHours(1))
                .estimate(recommendation("stale-statistics", TABLE, new Analyze(TABLE))).isKnown()).isFalse();
    }

    @Test
    void adviceWithoutAValuationIsKeptAndSortsLast()
    {
        Recommendation advice = recommendation("custom-rule", TABLE, new Advice("look at it"));
        Estimator.Valued valued = new Estimator(List.of(), THRESHOLDS, Duration.ofHours(1)).value(List.of(advice));
        assertThat(valued.kept()).singleElement().satisfies(kept -> {
            assertThat(kept.estimate().isKnown()).isFalse();
            assertThat(kept.estimate().priority()).isZero();
            assertThat(kept.estimate().sentence()).startsWith("No estimate: ");
        });
    }

    /** Met from outside: year(ts) = 2024 AND month(ts) = 3 left the month alone in the filter, no span of time: no estimate, priority 0. */
    @Test
    void aRewrittenPredicateWhoseFilterIsNoSpanAloneIsValuedOnTheRewritesRange()
    {
        // what the filter above the scan holds: the day alone (Trino pushed the year into the scan), no span of time by itself
        Estimate estimate = rewriteOnThirtyDays("SELECT count(*) FROM events WHERE year(ts) = 2024 AND month(ts) = 1 AND day(ts) = 5", "day", false,
                "day(ts) = bigint '5'", -1);

        assertThat(estimate.isKnown()).as(estimate.sentence()).isTrue();
        assertThat(estimate.filesPerQueryBefore()).isEqualTo(30);
        assertThat(estimate.filesPerQueryAfter()).isEqualTo(1);
        assertThat(estimate.assumptions()).startsWith("the bare ts selects 24 hours");
    }

    /** Met from outside: the 15th of every month of a year, of data of one January, valued as twelve days of the data's 26 (28 files of 60 after; 4 read). */
    @Test
    void aRewritesTimeOutsideTheDataSelectsNothingOfIt()
    {
        Estimate estimate = rewriteOnThirtyDays("SELECT count(*) FROM events WHERE year(ts) = 2024 AND day(ts) = 15", "day", false, "day(ts) = bigint '15'", -1);
        assertThat(estimate.assumptions()).as(estimate.sentence()).startsWith("the bare ts selects 24 hours of the");
        assertThat(estimate.filesPerQueryAfter()).isCloseTo(1, org.assertj.core.data.Offset.offset(0.1));
    }

    /** A list of days: the filter's time is one value's, a day; the rewrite's is every day of the list. */
    @Test
    void aListOfDaysIsValuedOnAllOfThem()
    {
        Estimate estimate = rewriteOnThirtyDays("SELECT count(*) FROM events WHERE date_format(ts, '%Y-%m-%d') IN ('2024-01-03', '2024-01-06', '2024-01-09')",
                "date_format", false, "(date_format(ts, varchar(8) '%Y-%m-%d') IN (varchar '2024-01-03', varchar '2024-01-06', varchar '2024-01-09'))", 24);
        assertThat(estimate.assumptions()).as(estimate.sentence()).startsWith("the bare ts selects 72 hours");
        assertThat(estimate.filesPerQueryAfter()).isCloseTo(3, org.assertj.core.data.Offset.offset(0.1));
    }

    /** Met from outside: date_add('day', 1, ts) >= TIMESTAMP '...' read all 56 files of a table partitioned by day(ts); the bare ts a few. */
    @Test
    void aShiftedColumnIsValuedOnTheSideOfTheSpanItsBoundSelects()
    {
        Estimate estimate = rewriteOnThirtyDays("SELECT count(*) FROM events WHERE date_add('day', 1, ts) >= TIMESTAMP '2024-01-28 00:00:00'", "date_add", true,
                "(timestamp(6) '2024-01-28 00:00:00.000000' <= date_add(varchar(3) 'day', bigint '1', ts))", -1);
        assertThat(estimate.isKnown()).as(estimate.sentence()).isTrue();
        assertThat(estimate.filesPerQueryBefore()).isEqualTo(30);
        // from January 27th to the data's end, January 30th 23:59: four days of thirty
        assertThat(estimate.filesPerQueryAfter()).isCloseTo(4, org.assertj.core.data.Offset.offset(0.1));
        assertThat(estimate.assumptions()).startsWith("the bare ts >= 2024-01-27T00:00:00Z selects 13% of the data's span");
    }

    /**
     * The rewrite of {@code sample}'s function around ts, valued on {@link #THIRTY_DAYS}: 6 scans of the pattern in the window, each of all 30
     * files, whose filter above the scan is {@code filter} ({@code hoursSelected}: the time its one value covers, -1 when none).
     */
    /** Met from outside: a stream's first 17 minutes, all in the hour a dashboard's rewrite selects, were valued as 0.28 of an hour: 99 files of 360 after. */
    @Test
    void dataOfLessThanAnHourIsSpannedAsItIs()
    {
        TableFact minutes = table(30, 30 * 4 * MB, 1, Map.of("ts", new TimeSpan(Instant.parse("2024-01-05T10:17:00Z"), Instant.parse("2024-01-05T10:34:00Z"))));
        Estimate sameHour = rewriteOn(minutes, "SELECT count(*) FROM events WHERE date_format(ts, '%Y-%m-%d %H') = '2024-01-05 10'", "date_format", false,
                "(date_format(ts, varchar(11) '%Y-%m-%d %H') = varchar(13) '2024-01-05 10')", 1);
        assertThat(sameHour.filesPerQueryAfter()).as(sameHour.sentence()).isEqualTo(30);
        assertThat(sameHour.assumptions()).isEqualTo("the bare ts selects 1 hour, all 0.3 hours the data spans: nothing to skip.");

        Estimate hourBefore = rewriteOn(minutes, "SELECT count(*) FROM events WHERE date_format(ts, '%Y-%m-%d %H') = '2024-01-05 09'", "date_format", false,
                "(date_format(ts, varchar(11) '%Y-%m-%d %H') = varchar(13) '2024-01-05 09')", 1);
        assertThat(hourBefore.filesPerQueryAfter()).as(hourBefore.sentence()).isEqualTo(1);
    }

    /**
     * Met from outside: a month's cast-and-LIKE filter on a table of one 141 MB file was valued at 1.7 MB a scan after the rewrite, "0 files
     * fewer" beside 97.9 GB fewer a day. Min/max statistics skip whole files: a scan of one file still reads it, and of ten, one at the least.
     */
    @Test
    void theBareColumnSkipsWholeFilesOnly()
    {
        String sample = "SELECT count(*) FROM events WHERE date_format(ts, '%Y-%m-%d') = '2024-01-05'";
        String filter = "(date_format(ts, varchar(8) '%Y-%m-%d') = varchar(10) '2024-01-05')";
        TableFact oneFile = table(1, 120 * MB, 1, Map.of("ts", new TimeSpan(Instant.parse("2024-01-01T00:00:00Z"), Instant.parse("2024-01-30T23:59:00Z"))));
        Estimate whole = rewriteOn(oneFile, 1, sample, "date_format", false, filter, 24);
        assertThat(whole.filesPerQueryAfter()).as(whole.sentence()).isEqualTo(1);
        assertThat(whole.bytesPerQueryAfter()).as(whole.sentence()).isEqualTo(whole.bytesPerQueryBefore());

        // a day of thirty in ten files: one of them read whole, not a thirtieth of the bytes
        TableFact tenFiles = table(10, 40 * MB, 1, Map.of("ts", new TimeSpan(Instant.parse("2024-01-01T00:00:00Z"), Instant.parse("2024-01-30T23:59:00Z"))));
        Estimate day = rewriteOn(tenFiles, 10, sample, "date_format", false, filter, 24);
        assertThat(day.filesPerQueryAfter()).as(day.sentence()).isEqualTo(1);
        assertThat(day.bytesPerQueryAfter()).as("one of the ten files: " + day.sentence()).isEqualTo(4.0 * MB);
    }

    private static Estimate rewriteOnThirtyDays(String sample, String function, boolean temporal, String filter, double hoursSelected)
    {
        return rewriteOn(THIRTY_DAYS, sample, function, temporal, filter, hoursSelected);
    }

    private static Estimate rewriteOn(TableFact table, String sample, String function, boolean temporal, String filter, double hoursSelected)
    {
        return rewriteOn(table, 30, sample, function, temporal, filter, hoursSelected);
    }

    /** The rewrite of scans that read {@code files} files of 4 MB each now. */
    private static Estimate rewriteOn(TableFact table, double files, String sample, String function, boolean temporal, String filter, double hoursSelected)
    {
        PredicateFact wrapped = new PredicateFact(TABLE, "ts", PredicateKind.WRAPPED, function, temporal, filter, "p", sample, 6, 6, 1, files,
                files * 4 * MB, files * 4 * MB, hoursSelected, null, false, false, 1);
        Recommendation rewrite = new Recommendation("non-sargable-predicate", TargetType.PATTERN, "p", Severity.HIGH, Level.L2, Map.of("table", TABLE, "column", "ts"),
                "why", new QueryRewrite(Rewrites.sargable(sample, "ts", null).orElseThrow(), Benefit.BARE_COLUMN)).on("default");
        PatternFact pattern = new PatternFact("p", "select ...", sample, TABLE, 6, 0, 1, 900, 1500, 0, 0, 0, 30, 0, 30 * 4 * MB, 0, 1, 0, -1, 1, 0, 0,
                true, "default", 0, 0, 0, 0, 0, 0, 0, 0, null, false);
        return new Estimator(List.of(table, wrapped, pattern), THRESHOLDS, Duration.ofHours(1)).estimate(rewrite);
    }

    /** Met from outside: substr(code, 1, 2) = 'AB' read all 35 files of a table partitioned by truncate(code, 2), starts_with one. */
    @Test
    void aTextPrefixOnATruncatePartitionIsValuedAsOnePartition()
    {
        String sample = "SELECT sum(qty) FROM tr WHERE substr(code, 1, 2) = 'AB'";
        TableFact truncated = new TableFact(TABLE, 35, 35 * MB, MB, 35, 35_000, 0, List.of("code_trunc: truncate[2](code)"), List.of(), List.of(), Map.of(), 10, 1, 1, 1,
                35 * MB, 35, Map.of(), Map.of(), 0, List.of(), 0, 0, Map.of(), 0, List.of(), Map.of(), false, 0);
        PredicateFact substring = new PredicateFact(TABLE, "code", PredicateKind.WRAPPED, "substring", false, "(substring(code, bigint '1', bigint '2') = varchar 'AB')",
                "p", sample, 30, 30, 1, 35, 35 * MB, 35 * MB, -1, null, false, true, 1);
        Recommendation rewrite = new Recommendation("non-sargable-predicate", TargetType.PATTERN, "p", Severity.HIGH, Level.L2, Map.of("table", TABLE, "column", "code"),
                "why", new QueryRewrite(Rewrites.sargable(sample, "code", null).orElseThrow(), Benefit.BARE_COLUMN)).on("default");
        PatternFact pattern = new PatternFact("p", "select ...", sample, TABLE, 30, 0, 1, 900, 1500, 0, 0, 0, 35, 0, 35 * MB, 0, 1, 0, -1, 1, 0, 0,
                true, "default", 0, 0, 0, 0, 0, 0, 0, 0, null, false);

        Estimate estimate = new Estimator(List.of(truncated, substring, pattern), THRESHOLDS, Duration.ofHours(1)).estimate(rewrite);
        assertThat(estimate.isKnown()).as(estimate.sentence()).isTrue();
        assertThat(estimate.filesPerQueryBefore()).isEqualTo(35);
        assertThat(estimate.filesPerQueryAfter()).isEqualTo(1);
        assertThat(estimate.assumptions()).startsWith("a prefix of 2 characters of code falls in one of the table's 35 truncate[2] partitions");

        // a prefix shorter than the truncation spans partitions whose share is not known; so does a table without one
        String shorter = "SELECT sum(qty) FROM tr WHERE substr(code, 1, 1) = 'A'";
        PredicateFact oneCharacter = new PredicateFact(TABLE, "code", PredicateKind.WRAPPED, "substring", false, "(substring(code, bigint '1', bigint '1') = varchar 'A')",
                "p", shorter, 30, 30, 1, 35, 35 * MB, 35 * MB, -1, null, false, true, 1);
        assertThat(new Estimator(List.of(truncated, oneCharacter, pattern), THRESHOLDS, Duration.ofHours(1)).estimate(rewrite).isKnown()).isFalse();
    }

    @Test
    void adviceIsValuedByTheBenefitItNamesWhateverItsRuleIsCalled()
    {
        // 30 runs of the pattern in the hour spilled 2 GB each
        PatternFact spilling = new PatternFact("p1", "select ...", "SELECT ...", TABLE, 40, 0, 1, 900, 1500, 0, 0, 0, 10, 0, MB, 0, 4, 0, -1, 1, 0, 0,
                true, "default", 0, 0, 0, 0, 30, 2048.0 * MB, 0, 0, null, false);
        Estimator estimator = new Estimator(List.of(spilling), THRESHOLDS, Duration.ofHours(1));

        Estimate named = estimator.estimate(onPattern("our-memory-rule", new Advice("use less memory", Benefit.NO_SPILL)));
        assertThat(named.isKnown()).isTrue();
        assertThat(named.queriesPerDay()).as("the spilling runs, 30 an hour").isEqualTo(30 * 24);
        assertThat(named.bytesPerQueryBefore()).as("written to disk and read back").isEqualTo(2 * 2048.0 * MB);
        assertThat(named.bytesPerQueryAfter()).isZero();

        assertThat(estimator.estimate(onPattern("spill", new Advice("use less memory"))).sentence())
                .as("the shipped rule's name alone values nothing").contains("names no benefit");
    }

    private static Recommendation onPattern(String rule, dev.icetune.engine.model.Fix fix)
    {
        return new Recommendation(rule, TargetType.PATTERN, "p1", Severity.HIGH, Level.L3, Map.of(), "why", fix).on("default");
    }

    private static TableFact table(long files, long bytes, long partitions, Map<String, TimeSpan> spans)
    {
        return new TableFact(TABLE, files, bytes, bytes / files, files, files * 1000, 0, List.of(), List.of(), List.of("ts"), Map.of(), 10, 1, 1, 1,
                bytes, partitions, spans, Map.of(), 0, List.of(), 0, 0, Map.of(), 0, List.of(), Map.of(), false, 0);
    }

    private static TableFact withOverlappingFiles(TableFact t, double overlapping)
    {
        return with(t, t.distinctCounts(), Map.of("ts", overlapping), t.loneFiles());
    }

    private static TableFact withDistinctCount(TableFact t, String column, long count)
    {
        return with(t, Map.of(column, count), t.overlappingFiles(), t.loneFiles());
    }

    private static TableFact withLoneFiles(TableFact t, long loneFiles)
    {
        return with(t, t.distinctCounts(), t.overlappingFiles(), loneFiles);
    }

    private static TableFact with(TableFact t, Map<String, Long> distinctCounts, Map<String, Double> overlappingFiles, long loneFiles)
    {
        return new TableFact(t.table(), t.dataFiles(), t.totalDataBytes(), t.maxFileBytes(), t.smallFiles(), t.records(), t.deleteFiles(), t.partitionFields(),
                t.sortFields(), t.timestampColumns(), t.properties(), t.snapshots(), t.oldestSnapshotAgeHours(), t.statisticsAgeHours(), t.currentSnapshotId(),
                t.smallFileBytes(), t.partitions(), t.timeSpans(), distinctCounts, t.metadataBytes(), t.snapshotAgesHours(), t.largeFilesWithDeletes(),
                t.largeFileWithDeletesBytes(), t.timeTypes(), t.statisticsChangedShare(), t.columns(), overlappingFiles, t.noMaterializedViews(), loneFiles);
    }

    private static PatternFact pattern(String hash, long executions, double bytes)
    {
        return new PatternFact(hash, "select event_type, count(*) from events group by ?", "SELECT event_type, count(*) FROM events GROUP BY 1", TABLE,
                executions, 0, 1, 900, 1500, 0, 0, 0, 10, 0, bytes, 0, 4, 0, -1, 1, 0, 0, true, "default", 0, 0, 0, 0, 0, 0, 0, 0, null, false);
    }

    private static Recommendation view(PatternFact pattern)
    {
        return new Recommendation("materialized-view", TargetType.PATTERN, pattern.patternHash(), Severity.MEDIUM, Level.L3, Map.of(), "why",
                new MaterializedView("iceberg.demo.mv_" + pattern.patternHash(), TABLE, pattern.sampleQuery(), 60));
    }

    private static Recommendation recommendation(String rule, String target, dev.icetune.engine.model.Fix fix)
    {
        return new Recommendation(rule, TargetType.TABLE, target, Severity.HIGH, Level.L3, Map.of(), "why", fix);
    }
}
