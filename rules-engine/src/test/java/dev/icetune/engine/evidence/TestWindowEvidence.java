package dev.icetune.engine.evidence;

import dev.icetune.engine.facts.PatternFact;
import dev.icetune.engine.facts.PredicateFact;
import dev.icetune.plan.PredicateKind;
import dev.icetune.store.Database;
import dev.icetune.testing.TestingPostgres;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The window's evidence read from rows as the listener stores them, in a real PostgreSQL: the filters left above the scans, the runs' texts. */
class TestWindowEvidence
{
    private static final Instant END = Instant.parse("2026-11-20T10:30:00Z");

    private Jdbi jdbi;

    @BeforeEach
    void createDatabase()
    {
        String url = TestingPostgres.shared().createDatabase("window_evidence");
        Database.of(url, "postgres", "icetune-test").migrate();
        jdbi = Jdbi.create(url, "postgres", "");
    }

    /** A range's two bounds are two conjuncts of one predicate: its scans are counted once, not once a bound. */
    @Test
    void aRangeBoundOnBothSidesCountsItsScansOnce()
    {
        for (int k = 0; k < 12; k++) {
            scan("a", "((bigint '%d' <= id) AND (id <= bigint '%d'))".formatted(k * 1000, k * 1000 + 50000));
        }
        PredicateFact ids = predicate("id");

        assertThat(ids.kind()).isEqualTo(PredicateKind.RANGE);
        assertThat(ids.scans()).isEqualTo(12);
        assertThat(ids.distinctValues()).isEqualTo(12);
        assertThat(ids.avgFilesScanned()).isEqualTo(22);
    }

    /** Where the values a range selects start: the lower bounds asked; a range bounded from above alone tells no start. */
    @Test
    void theEarliestValueAskedIsOfLowerBounds()
    {
        scan("a", "((timestamp(6) '2024-01-03 00:00:00.000000' <= ts) AND (ts < timestamp(6) '2024-01-04 00:00:00.000000'))");
        scan("b", "(timestamp(6) '2024-01-05 00:00:00.000000' <= ts)");
        scan("c", "(created < timestamp(6) '2024-01-02 00:00:00.000000')");

        PredicateFact ts = predicate("ts");
        assertThat(ts.scans()).isEqualTo(2);
        assertThat(ts.earliest()).isEqualTo(Instant.parse("2024-01-03T00:00:00Z"));
        assertThat(ts.hoursSelected()).as("of the range bound on both sides").isEqualTo(24);
        PredicateFact created = predicate("created");
        assertThat(created.scans()).isEqualTo(1);
        assertThat(created.earliest()).as("everything before January 2nd: from the data's start").isNull();
    }

    /**
     * A dashboard of one day ({@code orderdate = DATE '...'}, as Trino prints it above the scan) selects a day of the column, as much a
     * time range as its bounds would be; a date bound included is its whole day.
     */
    @Test
    void oneDateIsADayAndADateIncludedItsWholeDay()
    {
        for (int day = 1; day <= 3; day++) {
            scan("one-day", "(orderdate = date '1995-01-0%d')".formatted(day));
            scan("two-days", "((date '1995-02-0%d' <= orderdate) AND (orderdate <= date '1995-02-0%d'))".formatted(day, day + 1));
        }
        PredicateFact days = predicate("orderdate");

        assertThat(days.kind()).isEqualTo(PredicateKind.RANGE);
        assertThat(days.temporal()).isTrue();
        assertThat(days.scans()).isEqualTo(6);
        assertThat(days.hoursSelected()).as("24 and 48 hours, three scans each").isEqualTo(36);
        assertThat(days.earliest()).isEqualTo(Instant.parse("1995-01-01T00:00:00Z"));
        assertThat(evidence().tableScans()).singleElement().satisfies(scan -> assertThat(scan.timeRangeScans()).isEqualTo(6));
    }

    /** Dashboards comparing a day with the same weekday of the weeks before: time-range scans of the days they list, not lookups. */
    @Test
    void datesListedAreTheirDays()
    {
        for (int week = 0; week < 3; week++) {
            scan("mondays", "(sale_date IN (date '2024-02-%02d', date '2024-02-%02d', date '2024-02-%02d'))".formatted(5 + week, 12 + week, 19 + week));
        }
        PredicateFact days = predicate("sale_date");

        assertThat(days.kind()).isEqualTo(PredicateKind.RANGE);
        assertThat(days.temporal()).isTrue();
        assertThat(days.hoursSelected()).as("three days a scan").isEqualTo(72);
        assertThat(days.earliest()).isEqualTo(Instant.parse("2024-02-05T00:00:00Z"));
        assertThat(evidence().tableScans()).singleElement().satisfies(scan -> assertThat(scan.timeRangeScans()).isEqualTo(3));
    }

    /**
     * Met from outside: an application's lookups of 500 account ids at a time were valued as lookups of one (a bloom filter would
     * skip what 500 values do not). A lookup counts the values it lists: the scans' average, each list counted whole.
     */
    @Test
    void aLookupCountsTheValuesItLists()
    {
        for (int run = 0; run < 3; run++) {
            scan("by_ids", "(account_id IN (varchar 'a%1$d', varchar 'b%1$d', varchar 'c%1$d', varchar 'd%1$d', varchar 'e%1$d'))".formatted(run));
        }
        scan("by_id", "(account_id = varchar 'z')");

        PredicateFact lookups = predicate("account_id");
        assertThat(lookups.kind()).isEqualTo(PredicateKind.EQUALITY);
        assertThat(lookups.scans()).isEqualTo(4);
        assertThat(lookups.valuesPerScan()).as("three scans of five, one of one").isEqualTo(4);
    }

    /** A view or table of a pattern's sample answers the runs of the sample's text: whether the pattern ran others is known. */
    @Test
    void whetherAPatternsRunsRanOneText()
    {
        for (int run = 0; run < 3; run++) {
            run("same", "SELECT day, count(*) FROM t GROUP BY 1", null);
            run("other", "SELECT day, count(*) FROM t WHERE day >= DATE '2024-01-0%d' GROUP BY 1".formatted(run + 1), null);
            run("executed", "EXECUTE daily USING DATE '2024-01-0%d'".formatted(run + 1), "SELECT day, count(*) FROM t WHERE day >= ? GROUP BY 1");
        }
        List<PatternFact> patterns = evidence().patterns();

        assertThat(patterns).filteredOn(p -> p.patternHash().equals("same")).singleElement().extracting(PatternFact::textsVary).isEqualTo(false);
        assertThat(patterns).filteredOn(p -> p.patternHash().equals("other")).singleElement().extracting(PatternFact::textsVary).isEqualTo(true);
        assertThat(patterns).filteredOn(p -> p.patternHash().equals("executed")).singleElement().extracting(PatternFact::textsVary).isEqualTo(true);
    }

    private EvidenceReader.Evidence evidence()
    {
        return new EvidenceReader(jdbi).read(END, Duration.ofHours(1), Duration.ofDays(1), Duration.ofMinutes(5));
    }

    private PredicateFact predicate(String column)
    {
        List<PredicateFact> predicates = evidence().predicates();
        return predicates.stream().filter(p -> p.column().equals(column)).findFirst().orElseThrow(() -> new AssertionError("no predicate on " + column + ": " + predicates));
    }

    /** A run of pattern {@code hash}, of {@code text} (an EXECUTE's prepared statement beside it), ten minutes before the end. */
    private void run(String hash, String text, String prepared)
    {
        jdbi.useHandle(handle -> handle.createUpdate("""
                        INSERT INTO query_logs (query_id, "timestamp", state, success, user_name, query_text, prepared_statement, query_text_length,
                            query_text_truncated, query_pattern, query_pattern_hash, create_time, end_time, latency, input_count, input_snapshots)
                        VALUES (md5(random()::text), :at, 'FINISHED', true, 'u', :text, :prepared, length(:text), false, :hash, :hash, :at, :at, 100, 1, '1')
                        """)
                .bind("at", Timestamp.from(END.minus(Duration.ofMinutes(10)))).bind("hash", hash).bind("text", text).bind("prepared", prepared).execute());
    }

    /** A scan of 22 files of iceberg.ops.orders by pattern {@code hash}, with {@code filter} left above it, ten minutes before the end. */
    private void scan(String hash, String filter)
    {
        jdbi.useHandle(handle -> handle.createUpdate("""
                        INSERT INTO query_inputs (query_id, "timestamp", input_index, query_pattern_hash, catalog, schema_name, table_name, connector,
                            total_data_files, files_scanned, bytes_scanned, filter_predicate)
                        VALUES (md5(random()::text), :at, 0, :hash, 'iceberg', 'ops', 'orders', 'iceberg', 22, 22, 22000, :filter)
                        """)
                .bind("at", Timestamp.from(END.minus(Duration.ofMinutes(10)))).bind("hash", hash).bind("filter", filter).execute());
    }
}
