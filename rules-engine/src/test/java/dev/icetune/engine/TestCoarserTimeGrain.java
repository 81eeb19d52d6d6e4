package dev.icetune.engine;

import dev.icetune.engine.facts.PredicateFact;
import dev.icetune.engine.facts.TableFact;
import dev.icetune.engine.facts.TimeSpan;
import dev.icetune.engine.model.TimeGrain;
import dev.icetune.plan.PredicateKind;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which grain over-partitioning proposes: coarse enough to fill its partitions, never coarser than the queries' ranges allow; and
 * which one missing-partition-pruning adds by the same measure, so that over-partitioning does not coarsen it next.
 */
class TestCoarserTimeGrain
{
    private static final long MB = 1 << 20;
    private static final double GRAIN_FACTOR = 4;
    private static final double PARTITION_BYTES = 50 * MB;
    private static final double HOUR_ABOVE_BYTES = 100.0 * (1L << 30);

    @Test
    void theFinestGrainWhosePartitionsHoldEnough()
    {
        // 2 MB an hour: a day holds 48 MB, short of 50 MB; a month holds 1.4 GB
        assertThat(table("hour(ts)", 2 * MB).coarserTimeGrain("ts", List.of(), GRAIN_FACTOR, PARTITION_BYTES)).containsExactly(TimeGrain.MONTH);
        // 3 MB an hour: a day holds 72 MB
        assertThat(table("hour(ts)", 3 * MB).coarserTimeGrain("ts", List.of(), GRAIN_FACTOR, PARTITION_BYTES)).containsExactly(TimeGrain.DAY);
    }

    @Test
    void theCoarsestWhenNoneHoldsEnough()
    {
        assertThat(table("month(ts)", 8192).coarserTimeGrain("ts", List.of(), GRAIN_FACTOR, PARTITION_BYTES)).containsExactly(TimeGrain.YEAR);
    }

    @Test
    void noCoarserThanTheRangesTheQueriesSelect()
    {
        // a week-wide range allows a day (24 < 168 * 4), and a month (720 < 672) no longer
        assertThat(table("hour(ts)", 1024).coarserTimeGrain("ts", List.of(range(168), range(2000)), GRAIN_FACTOR, PARTITION_BYTES))
                .containsExactly(TimeGrain.DAY);
        assertThat(table("day(ts)", 1024).coarserTimeGrain("ts", List.of(range(168)), GRAIN_FACTOR, PARTITION_BYTES)).isEmpty();
    }

    @Test
    void nothingForAColumnNotPartitionedByTime()
    {
        assertThat(table("month(ts)", 8192).coarserTimeGrain("other", List.of(), GRAIN_FACTOR, PARTITION_BYTES)).isEmpty();
        assertThat(table("year(ts)", 8192).coarserTimeGrain("ts", List.of(), GRAIN_FACTOR, PARTITION_BYTES)).as("nothing coarser than a year").isEmpty();
    }

    @Test
    void theTimePartitionColumnsOfASpec()
    {
        TableFact table = new TableFact("iceberg.demo.t", 1, 1, 1, 0, 1, 0, List.of("ts_day: day(ts)", "region", "id_bucket: bucket[16](id)", "event time_hour: hour(event time)"),
                List.of(), List.of(), Map.of(), 1, 1, 1, 1, 0, 1, Map.of(), Map.of(), 0, List.of(), 0, 0, Map.of(), 0, List.of(), Map.of(), false, 0);
        assertThat(table.timePartitionColumns()).containsExactly("ts", "event time");
        assertThat(table.timeGrain("event time")).contains(TimeGrain.HOUR);
    }

    @Test
    void aTimePartitionAddedIsDayWhenItsPartitionsHoldEnough()
    {
        // 8 GB over 30 days: a day holds 273 MB
        assertThat(unpartitioned(8L << 30, 30).timeGrainToAdd("ts", List.of(range(240)), HOUR_ABOVE_BYTES, GRAIN_FACTOR, PARTITION_BYTES))
                .containsExactly(TimeGrain.DAY);
        assertThat(unpartitioned(200L << 30, 30).timeGrainToAdd("ts", List.of(range(240)), HOUR_ABOVE_BYTES, GRAIN_FACTOR, PARTITION_BYTES))
                .as("above 100 GB, an hour holds 284 MB").containsExactly(TimeGrain.HOUR);
    }

    @Test
    void aTimePartitionAddedToLittleDataIsAsCoarseAsTheRangesAllow()
    {
        // 250 kB over 59 days: no grain fills 50 MB; ranges of 9 days allow a month (720 < 864), not a year
        assertThat(unpartitioned(256_000, 59).timeGrainToAdd("ts", List.of(range(216)), HOUR_ABOVE_BYTES, GRAIN_FACTOR, PARTITION_BYTES))
                .containsExactly(TimeGrain.MONTH);
        assertThat(unpartitioned(256_000, 59).timeGrainToAdd("ts", List.of(range(216), range(24)), HOUR_ABOVE_BYTES, GRAIN_FACTOR, PARTITION_BYTES))
                .as("a range of a day allows nothing coarser than a day").containsExactly(TimeGrain.DAY);
        assertThat(unpartitioned(256_000, 59).timeGrainToAdd("other", List.of(), HOUR_ABOVE_BYTES, GRAIN_FACTOR, PARTITION_BYTES))
                .as("a column whose span the files do not tell").containsExactly(TimeGrain.DAY);
    }

    /** Met from outside: 340 kB of signups over 26 days of January, read by day, month and year ranges, got "partition by year(signup)". */
    @Test
    void noTimePartitionIsAddedWhereAllTheDataWouldFallInOne()
    {
        assertThat(unpartitioned(256_000, 26).timeGrainToAdd("ts", List.of(range(8760), range(744)), HOUR_ABOVE_BYTES, GRAIN_FACTOR, PARTITION_BYTES))
                .as("ranges of a month allow a month: 26 days of March in one, nothing to prune").isEmpty();
        assertThat(unpartitioned(256_000, 45).timeGrainToAdd("ts", List.of(range(8760)), HOUR_ABOVE_BYTES, GRAIN_FACTOR, PARTITION_BYTES))
                .as("ranges of a year allow a year: 45 days from March 1st in one").isEmpty();
        assertThat(unpartitioned(256_000, 45).timeGrainToAdd("ts", List.of(range(744)), HOUR_ABOVE_BYTES, GRAIN_FACTOR, PARTITION_BYTES))
                .as("ranges of a month allow no year: March and April").containsExactly(TimeGrain.MONTH);
    }

    /** {@code bytes} in one partition, their ts spread over {@code days} days. */
    private static TableFact unpartitioned(long bytes, int days)
    {
        TimeSpan span = new TimeSpan(Instant.parse("2024-03-01T00:00:00Z"), Instant.parse("2024-03-01T00:00:00Z").plus(Duration.ofDays(days)));
        return new TableFact("iceberg.demo.t", 40, bytes, bytes / 40, 40, 1000, 0, List.of(), List.of(), List.of("ts"), Map.of(),
                1, 1, 1, 1, bytes, 1, Map.of("ts", span), Map.of(), 0, List.of(), 0, 0, Map.of(), 0, List.of(), Map.of(), false, 0);
    }

    /** 100 partitions of {@code partitionBytes} each, by {@code field}. */
    private static TableFact table(String field, long partitionBytes)
    {
        return new TableFact("iceberg.demo.t", 100, 100 * partitionBytes, partitionBytes, 0, 1000, 0, List.of("ts_x: " + field), List.of(), List.of("ts"), Map.of(),
                1, 1, 1, 1, 0, 100, Map.of(), Map.of(), 0, List.of(), 0, 0, Map.of(), 0, List.of(), Map.of(), false, 0);
    }

    private static PredicateFact range(double hours)
    {
        return new PredicateFact("iceberg.demo.t", "ts", PredicateKind.RANGE, null, true, "ts >= ...", "p", "SELECT ...", 5, 5, 0.5, 10, MB, MB, hours,
                null, false, true, 1);
    }
}
