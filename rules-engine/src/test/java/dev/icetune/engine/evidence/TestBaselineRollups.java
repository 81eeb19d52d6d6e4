package dev.icetune.engine.evidence;

import dev.icetune.engine.facts.PatternFact;
import dev.icetune.store.Database;
import dev.icetune.testing.TestingPostgres;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * The baseline read from rollups of days and hours against PostgreSQL's own aggregates over the raw rows: a 7-day baseline
 * whose ends fall mid-day, latencies above and below 10 s, two clusters, rows of rolled-up periods arriving late, a
 * roll whose connection is killed halfway, and evaluations of two ends side by side.
 */
class TestBaselineRollups
{
    private static final Duration WINDOW = Duration.ofHours(1);
    private static final Duration BASELINE = Duration.ofDays(7);
    /** Mid-day, so that both ends of the baseline are parts of days read from query_logs. */
    private static final Instant END = Instant.parse("2026-11-20T10:30:00Z");
    private static final Instant START = END.minus(WINDOW);
    private static final Instant BASELINE_START = START.minus(BASELINE);

    private Jdbi jdbi;

    @BeforeEach
    void createDatabase()
    {
        String url = TestingPostgres.shared().createDatabase("baseline_rollups");
        Database.of(url, "postgres", "icetune-test").migrate();
        jdbi = Jdbi.create(url, "postgres", "");
        // the baseline: a run every 7 minutes for 7 days on two clusters, latencies from 100 ms to 40 s, snapshots changing
        // each day; the window: slower runs. Each row inserted as the listener would have, a second after the query ended.
        insert("a", "default", BASELINE_START, BASELINE.toMinutes() / 7, 7, "100 + (g * 37) % 900 + CASE WHEN g % 50 = 0 THEN 40000 - g ELSE 0 END");
        insert("a", "etl", BASELINE_START.plusSeconds(30), BASELINE.toMinutes() / 30, 30, "200 + (g * 11) % 300");
        insert("a", "default", START, 60, 1, "3000 + g");
        insert("a", "etl", START, 60, 1, "3000 + g");
    }

    @Test
    void theBaselineIsTheRawRowsAggregated()
    {
        EvidenceReader reader = new EvidenceReader(jdbi);
        List<String> progress = new ArrayList<>();
        assertBaselineIsRaw(reader.read(END, WINDOW, BASELINE, Duration.ofMinutes(5), Optional.empty(), progress::add), "default");
        assertThat(progress).containsExactly("rolling up the baseline's queries (days: 6, hours: 23) for this and later evaluations");
        progress.clear();
        assertBaselineIsRaw(reader.read(END, WINDOW, BASELINE, Duration.ofMinutes(5), Optional.empty(), progress::add), "etl");
        assertThat(progress).as("nothing left to roll up").isEmpty();
        assertThat(rolled().keySet()).as("the periods rolled up").isEqualTo(sevenDayPeriods());
        // one cluster's evidence reads that cluster's rollups alone
        assertBaselineIsRaw(reader.read(END, WINDOW, BASELINE, Duration.ofMinutes(5), Optional.of("etl")), "etl");
    }

    @Test
    void rowsOfPeriodsAlreadyRolledUpArrivingLateCount()
    {
        EvidenceReader reader = new EvidenceReader(jdbi);
        reader.read(END, WINDOW, BASELINE, Duration.ofMinutes(5));
        Map<String, Instant> rolled = rolled();

        // slow runs written now, as a journal replayed after an outage writes them: 400 three days before, 50 two hours before
        insertLate(Instant.parse("2026-11-17T00:00:00Z"), 400);
        insertLate(Instant.parse("2026-11-20T07:00:00Z"), 50);

        assertBaselineIsRaw(reader.read(END, WINDOW, BASELINE, Duration.ofMinutes(5)), "default");
        Map<String, Instant> rolledAgain = rolled();
        for (String late : List.of("day 2026-11-17T00:00:00Z", "hour 2026-11-20T07:00:00Z")) {
            assertThat(rolledAgain.remove(late)).as(late + ", rolled up again").isAfter(rolled.remove(late));
        }
        assertThat(rolledAgain).as("the other periods, untouched").isEqualTo(rolled);
    }

    @Test
    void aRollCutShortKeepsThePeriodsItFinished()
            throws Exception
    {
        // a busier pattern, so that each day takes a while to roll up: 43,200 runs a day
        insert("busy", "default", BASELINE_START, BASELINE.toMinutes() * 30, 1.0 / 30, "100 + g % 900");
        String database = jdbi.withHandle(handle -> handle.createQuery("SELECT current_database()").mapTo(String.class).one());
        EvidenceReader cutShort = new EvidenceReader(Jdbi.create(TestingPostgres.shared().url(database) + "?ApplicationName=icetune-roll", "postgres", ""));
        CompletableFuture<EvidenceReader.Evidence> read = CompletableFuture.supplyAsync(() -> cutShort.read(END, WINDOW, BASELINE, Duration.ofMinutes(5)));

        // as an operator would: the roll's connection killed once it has finished a period
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (rolled().isEmpty() && !read.isDone() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        boolean killed = jdbi.withHandle(handle -> handle.createQuery(
                "SELECT coalesce(bool_or(pg_terminate_backend(pid)), false) FROM pg_stat_activity WHERE application_name = 'icetune-roll'").mapTo(Boolean.class).one());
        assertThat(killed).as("the roll was still running when its connection was killed").isTrue();
        assertThatThrownBy(read::join).hasMessageContaining("terminating connection due to administrator command");

        Map<String, Instant> kept = rolled();
        assertThat(kept).as("the periods finished before the connection was killed").isNotEmpty().hasSizeLessThan(sevenDayPeriods().size());
        long keptDays = kept.keySet().stream().filter(period -> period.startsWith("day")).count();
        List<String> progress = new ArrayList<>();
        EvidenceReader.Evidence evidence = new EvidenceReader(jdbi).read(END, WINDOW, BASELINE, Duration.ofMinutes(5), Optional.empty(), progress::add);
        assertThat(progress).as("the rest, and only the rest, rolled up").containsExactly(
                "rolling up the baseline's queries (days: %d, hours: %d) for this and later evaluations".formatted(6 - keptDays, 23 - (kept.size() - keptDays)));
        Map<String, Instant> rolled = rolled();
        assertThat(rolled.keySet()).isEqualTo(sevenDayPeriods());
        kept.forEach((period, at) -> assertThat(rolled.get(period)).as(period + ", kept, not rolled up again").isEqualTo(at));
        assertBaselineIsRaw(evidence, "default");
    }

    /** 50 slow runs of {@code hour}, checked and rolled up half an hour ago, inserted 20 minutes ago: since that check, before the latest. */
    private void insertLateSinceLastCheck(Instant hour)
    {
        jdbi.useHandle(handle -> handle.createUpdate("UPDATE pattern_rollups_rolled SET rolled_at = now() - interval '30 minutes', "
                + "checked_at = now() - interval '30 minutes' WHERE period = 'hour' AND starts = :hour").bind("hour", Timestamp.from(hour)).execute());
        insertLate(hour, 50);
        jdbi.useHandle(handle -> handle.execute("UPDATE query_logs SET inserted_at = now() - interval '20 minutes' WHERE latency >= 15000 AND inserted_at >= now() - interval '1 minute'"));
    }

    private void insertLate(Instant from, int count)
    {
        jdbi.useHandle(handle -> handle.createUpdate(insertSql("15000 + g", "now()"))
                .bind("hash", "a").bind("cluster", "default").bind("from", Timestamp.from(from)).bind("count", count).bind("step", 0.1).execute());
    }

    @Test
    void shorterBaselinesToo()
    {
        EvidenceReader reader = new EvidenceReader(jdbi);
        // within one hour: rows alone; within one day: hours and rows; a whole number of hours: no rows at its ends
        for (Duration baseline : List.of(Duration.ofMinutes(40), Duration.ofHours(5), Duration.ofHours(30), Duration.ofHours(50).plusMinutes(30))) {
            assertBaselineIsRaw(reader.read(END, WINDOW, baseline, Duration.ofMinutes(5)), "default", START.minus(baseline), START);
            // the window starting on the hour
            Instant onTheHour = Instant.parse("2026-11-20T09:00:00Z");
            assertBaselineIsRaw(reader.read(onTheHour.plus(WINDOW), WINDOW, baseline, Duration.ofMinutes(5)), "default", onTheHour.minus(baseline), onTheHour);
        }
        // kept: what the baseline in force reads, and what the others read until no evaluation has read it for a while
        reader.read(END, WINDOW, BASELINE, Duration.ofMinutes(5));
        assertThat(rolled().keySet()).containsAll(sevenDayPeriods()).hasSizeGreaterThan(sevenDayPeriods().size());
        age(BaselineRollups.KEEP_UNREAD.plusMinutes(1));
        reader.read(END, WINDOW, BASELINE, Duration.ofMinutes(5));
        assertThat(rolled().keySet()).isEqualTo(sevenDayPeriods());
        assertThat(rolledUpPeriods()).as("the rows of the periods dropped, dropped").isEqualTo(sevenDayPeriods());
    }

    @Test
    void aRollForAnotherEndKeepsWhatAnEvaluationInProgressReads()
    {
        // the service's evaluation has checked its periods, and its read of them is still to come, when a person's evaluate an
        // hour later rolls up its own baseline: it starts at 10:30 on the 13th, so it reads the hours of the 13th from 11:00 on
        BaselineRollups rollups = new BaselineRollups(jdbi);
        rollups.roll(BaselineRollups.Plan.of(BASELINE_START, START), progress -> {});
        Instant hourLater = START.plus(Duration.ofHours(1));
        BaselineRollups.Plan later = BaselineRollups.Plan.of(hourLater.minus(BASELINE), hourLater);
        rollups.roll(later, progress -> {});
        assertThat(rolledUpPeriods()).as("what the service's evaluation reads, still there").containsAll(sevenDayPeriods())
                .contains("hour 2026-11-20T09:00:00Z");

        // an hour on, with no evaluation of the earlier end since, its first hour goes, rows and all
        age(BaselineRollups.KEEP_UNREAD.plusMinutes(1));
        rollups.roll(later, progress -> {});
        assertThat(rolled()).doesNotContainKey("hour 2026-11-13T10:00:00Z");
        assertThat(rolledUpPeriods()).doesNotContain("hour 2026-11-13T10:00:00Z").contains("hour 2026-11-13T11:00:00Z", "hour 2026-11-20T09:00:00Z");
    }

    @Test
    void lateRowsOfAPeriodKeptForAnotherEndCountWhenThatEndReadsItAgain()
    {
        // the first hour of the service's baseline, checked half an hour ago; rows of it inserted since (a journal replayed), while
        // only a person's evaluate an hour later ran, which does not read that hour and rolled up its own periods just now
        EvidenceReader reader = new EvidenceReader(jdbi);
        reader.read(END, WINDOW, BASELINE, Duration.ofMinutes(5));
        Instant hourLater = START.plus(Duration.ofHours(1));
        Instant firstHour = Instant.parse("2026-11-13T10:00:00Z");
        insertLateSinceLastCheck(firstHour);
        new BaselineRollups(jdbi).roll(BaselineRollups.Plan.of(hourLater.minus(BASELINE), hourLater), progress -> {});

        assertBaselineIsRaw(reader.read(END, WINDOW, BASELINE, Duration.ofMinutes(5)), "default");
    }

    @Test
    void aReaderKeepsTheMergedBaselineUntilAPeriodIsRolledUpAgainByAnyone()
    {
        // the service's reader merged the baseline; a person's evaluate then rolls up a period again for rows that arrived late,
        // rows the service's own check does not see (inserted before its last check): only the period's new roll tells it
        EvidenceReader service = new EvidenceReader(jdbi);
        assertBaselineIsRaw(service.read(END, WINDOW, BASELINE, Duration.ofMinutes(5)), "default");
        Instant firstHour = Instant.parse("2026-11-13T10:00:00Z");
        insertLateSinceLastCheck(firstHour);
        List<String> progress = new ArrayList<>();
        new EvidenceReader(jdbi).read(END, WINDOW, BASELINE, Duration.ofMinutes(5), Optional.empty(), progress::add);
        assertThat(progress).as("the person's evaluate rolled the hour up again").containsExactly(
                "rolling up the baseline's queries (days: 0, hours: 1) for this and later evaluations");

        progress.clear();
        assertBaselineIsRaw(service.read(END, WINDOW, BASELINE, Duration.ofMinutes(5), Optional.empty(), progress::add), "default");
        assertThat(progress).as("the service rolled up nothing itself").isEmpty();

        // kept: with the days' rows gone from pattern_rollups (their records kept), the service's reader still has them merged,
        // where a new reader finds the hours alone
        jdbi.useHandle(handle -> handle.execute("DELETE FROM pattern_rollups WHERE period = 'day'"));
        assertBaselineIsRaw(service.read(END, WINDOW, BASELINE, Duration.ofMinutes(5)), "default");
        PatternFact fresh = new EvidenceReader(jdbi).read(END, WINDOW, BASELINE, Duration.ofMinutes(5)).patterns().stream()
                .filter(fact -> fact.cluster().equals("default")).findFirst().orElseThrow();
        assertThat(fresh.baselineExecutions()).as("the days' runs, no longer in pattern_rollups").isLessThan(BASELINE.toMinutes() / 7 / 3);
    }

    @Test
    void aPatternNewToTheWindowGetsItsBaselineBesideThoseKept()
    {
        // "b" ran all through the baseline, and not in the window of the service's first read
        insert("b", "default", BASELINE_START.plusSeconds(90), BASELINE.toMinutes() / 11, 11, "500 + (g * 13) % 700");
        EvidenceReader service = new EvidenceReader(jdbi);
        assertThat(service.read(END, WINDOW, BASELINE, Duration.ofMinutes(5)).patterns()).extracting(PatternFact::patternHash).doesNotContain("b");

        insert("b", "default", START.plusSeconds(20), 30, 1, "2000 + g");
        EvidenceReader.Evidence evidence = service.read(END, WINDOW, BASELINE, Duration.ofMinutes(5));
        assertBaselineIsRaw(evidence, "default", "b", BASELINE_START, START);
        assertBaselineIsRaw(evidence, "default", "a", BASELINE_START, START);
    }

    @Test
    void bigintArraysAsPostgresWritesThem()
    {
        // what the baseline's read takes from PostgreSQL's text form: snapshot keys are hashes, of either sign and any size
        String text = jdbi.withHandle(handle -> handle.createQuery("SELECT CAST(ARRAY[1, -22, 9223372036854775807, -9223372036854775808] AS bigint[])")
                .mapTo(String.class).one());
        assertThat(PatternBaselines.Part.longs(text)).containsExactly(1, -22, Long.MAX_VALUE, Long.MIN_VALUE);
        assertThat(PatternBaselines.Part.longs("{}")).isEmpty();
    }

    /** As if the periods' last checks were {@code ago} earlier: time passing without an evaluation. */
    private void age(Duration ago)
    {
        jdbi.useHandle(handle -> handle.createUpdate("UPDATE pattern_rollups_rolled SET checked_at = checked_at - CAST(:ago AS interval)")
                .bind("ago", ago.toSeconds() + " seconds").execute());
    }

    /** The periods pattern_rollups holds rows of, named as {@link #rolled()} names them. */
    private Set<String> rolledUpPeriods()
    {
        return new HashSet<>(jdbi.withHandle(handle -> handle.createQuery("SELECT DISTINCT period, starts FROM pattern_rollups")
                .map((rs, ctx) -> rs.getString("period") + " " + rs.getTimestamp("starts").toInstant()).list()));
    }

    /**
     * Met from outside: one query of a pattern killed after 220 s (as hung-queries advises) among seven of 300 ms made the pattern's
     * p95 near 220 s, and the next hung query of the pattern went unreported. A run cut short (canceled, killed, abandoned) counts as
     * a run and not in the latencies, in the window and in the baseline; a period of such runs alone has no latency and fails nothing.
     */
    @Test
    void runsCutShortCountAsRunsButNotInTheLatencies()
    {
        insert("k", "default", BASELINE_START, BASELINE.toMinutes() / 60, 60, "200 + g % 100");
        insert("k", "default", BASELINE_START.plusSeconds(90), 12, 600, "220000");
        insert("k", "default", START, 20, 3, "300 + g");
        insert("k", "default", START.plusSeconds(90), 3, 15, "220000");
        insert("z", "default", BASELINE_START.plus(Duration.ofDays(2)), 3, 60, "220000"); // a day of the baseline where z ran only to be killed
        insert("z", "default", START, 2, 10, "150");
        jdbi.useHandle(handle -> handle.execute("""
                UPDATE query_logs SET success = false, state = 'FAILED',
                    error_code = (ARRAY['ADMINISTRATIVELY_KILLED', 'USER_CANCELED', 'ABANDONED_QUERY'])[1 + abs(hashtext(query_id)) % 3]
                WHERE latency = 220000"""));

        EvidenceReader.Evidence evidence = new EvidenceReader(jdbi).read(END, WINDOW, BASELINE, Duration.ofMinutes(5), Optional.empty());
        PatternFact k = evidence.patterns().stream().filter(fact -> fact.patternHash().equals("k")).findFirst().orElseThrow();
        assertThat(k.executions()).isEqualTo(23);
        assertThat(k.p95Ms()).as("the window's p95, of its 20 runs to their end").isBetween(300.0, 320.0);
        assertThat(k.baselineP95Ms()).isBetween(200.0, 300.0);
        assertBaselineIsRaw(evidence, "default", "k", BASELINE_START, START); // 180 runs, the latencies of 168
        PatternFact z = evidence.patterns().stream().filter(fact -> fact.patternHash().equals("z")).findFirst().orElseThrow();
        assertThat(z.baselineExecutions()).isEqualTo(3);
        assertThat(z.baselineP95Ms()).as("no latency to take a baseline of").isZero();
    }

    private void assertBaselineIsRaw(EvidenceReader.Evidence evidence, String cluster)
    {
        assertBaselineIsRaw(evidence, cluster, BASELINE_START, START);
    }

    /** The evidence's baseline of pattern "a" is PostgreSQL's own aggregates over the rows of [from, to). */
    private void assertBaselineIsRaw(EvidenceReader.Evidence evidence, String cluster, Instant from, Instant to)
    {
        assertBaselineIsRaw(evidence, cluster, "a", from, to);
    }

    /** The baseline of pattern {@code hash} on {@code cluster} is PostgreSQL's own aggregates over the rows of [from, to). */
    private void assertBaselineIsRaw(EvidenceReader.Evidence evidence, String cluster, String hash, Instant from, Instant to)
    {
        PatternFact pattern = evidence.patterns().stream().filter(fact -> fact.cluster().equals(cluster) && fact.patternHash().equals(hash)).findFirst().orElseThrow();
        Map<String, Object> raw = jdbi.withHandle(handle -> handle.createQuery("""
                        SELECT count(*) AS executions, percentile_cont(0.5) WITHIN GROUP (ORDER BY latency) FILTER (WHERE <ran_to_its_end>) AS p50,
                               percentile_cont(0.95) WITHIN GROUP (ORDER BY latency) FILTER (WHERE <ran_to_its_end>) AS p95, avg(files_scanned) AS files, avg(bytes_scanned) AS bytes,
                               count(DISTINCT input_snapshots) AS snapshots
                        FROM query_logs WHERE "timestamp" >= :from AND "timestamp" < :to AND cluster_name = :cluster AND query_pattern_hash = :hash"""
                        .replace("<ran_to_its_end>", "NOT coalesce(" + EvidenceReader.CUT_SHORT + ", false)"))
                .bind("from", Timestamp.from(from)).bind("to", Timestamp.from(to)).bind("cluster", cluster).bind("hash", pattern.patternHash())
                .mapToMap().one());
        assertThat(pattern.baselineExecutions()).isEqualTo(((Number) raw.get("executions")).longValue());
        // latencies over 10 s are kept to four significant digits
        assertThat(pattern.baselineP50Ms()).isCloseTo(((Number) raw.get("p50")).doubleValue(), within(((Number) raw.get("p50")).doubleValue() * 0.0005));
        assertThat(pattern.baselineP95Ms()).isCloseTo(((Number) raw.get("p95")).doubleValue(), within(((Number) raw.get("p95")).doubleValue() * 0.0005));
        assertThat(pattern.baselineAvgFilesScanned()).isCloseTo(((Number) raw.get("files")).doubleValue(), within(1e-9));
        assertThat(pattern.baselineAvgBytesScanned()).isCloseTo(((Number) raw.get("bytes")).doubleValue(), within(1e-6));
        assertThat(pattern.baselineSnapshotsSeen()).isEqualTo(((Number) raw.get("snapshots")).longValue());
        assertThat(pattern.executions()).isGreaterThan(0);
    }

    /** From 2026-11-13 09:30 to 2026-11-20 09:30: the days of the 14th to the 19th, the hours from 10:00 on the 13th and up to 09:00 on the 20th. */
    private static Set<String> sevenDayPeriods()
    {
        Set<String> periods = new HashSet<>();
        for (int day = 14; day <= 19; day++) {
            periods.add("day 2026-11-%02dT00:00:00Z".formatted(day));
        }
        for (int hour = 10; hour <= 23; hour++) {
            periods.add("hour 2026-11-13T%02d:00:00Z".formatted(hour));
        }
        for (int hour = 0; hour <= 8; hour++) {
            periods.add("hour 2026-11-20T%02d:00:00Z".formatted(hour));
        }
        return periods;
    }

    /** When each period was rolled up, by "day 2026-11-14T00:00:00Z" or "hour 2026-11-13T10:00:00Z". */
    private Map<String, Instant> rolled()
    {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT period, starts, rolled_at FROM pattern_rollups_rolled")
                .reduceRows(new HashMap<>(), (map, row) -> {
                    map.put(row.getColumn("period", String.class) + " " + row.getColumn("starts", Timestamp.class).toInstant(),
                            row.getColumn("rolled_at", Timestamp.class).toInstant());
                    return map;
                }));
    }

    /** {@code count} runs of pattern {@code hash} on {@code cluster}, one every {@code minutes} from {@code from}. */
    private void insert(String hash, String cluster, Instant from, long count, double minutes, String latency)
    {
        jdbi.useHandle(handle -> handle.createUpdate(insertSql(latency, "t + interval '1 second'"))
                .bind("hash", hash).bind("cluster", cluster).bind("from", Timestamp.from(from)).bind("count", count).bind("step", minutes).execute());
    }

    private static String insertSql(String latency, String insertedAt)
    {
        return """
                INSERT INTO query_logs (query_id, "timestamp", state, success, user_name, query_text, query_text_length, query_text_truncated,
                    query_pattern, query_pattern_hash, create_time, end_time, latency, bytes_scanned, files_scanned, input_count, input_snapshots, cluster_name, inserted_at)
                SELECT md5(random()::text), t, 'FINISHED', true, 'u', 'SELECT 1', 8, false, 'select ?', :hash, t - interval '1 second', t,
                    <latency>, 1000 * (g % 7), g % 5, 1, 'snapshot-' || date_trunc('day', t), :cluster, <inserted_at>
                FROM generate_series(0, :count - 1) AS g, LATERAL (SELECT CAST(:from AS timestamptz) + g * :step * interval '1 minute' AS t) AS at
                """.replace("<latency>", latency).replace("<inserted_at>", insertedAt);
    }
}
