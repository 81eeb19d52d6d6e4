package dev.icetune.engine.store;

import dev.icetune.engine.model.Advice;
import dev.icetune.engine.model.Level;
import dev.icetune.engine.model.Recommendation;
import dev.icetune.engine.model.Severity;
import dev.icetune.engine.model.Status;
import dev.icetune.engine.model.TargetType;
import dev.icetune.store.Database;
import dev.icetune.testing.TestingPostgres;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

class TestRecommendationStore
{
    /** Text written by people and queries, with every character CSV and array literals treat specially, is recorded as it was. */
    @Test
    void oddTextIsRecordedAsItWas()
    {
        String odd = "a,\"b\"\n\\c\t{d}, 'e' \r\n NULL";
        String url = TestingPostgres.shared().createDatabase("store_odd_text");
        Database.of(url, "postgres", "icetune-test").migrate();
        RecommendationStore store = new RecommendationStore(Jdbi.create(url, "postgres", ""));
        Recommendation fired = new Recommendation("slow-pattern", TargetType.PATTERN, "target " + odd, Severity.HIGH, Level.L3,
                Map.of("sample_query", "SELECT " + odd, "empty", ""), "why " + odd, new Advice("advice " + odd))
                .on("cluster " + odd);
        Recommendation sameKey = new Recommendation("slow-pattern", TargetType.PATTERN, "target " + odd, Severity.LOW, Level.L3,
                Map.of(), "the second of one key", new Advice("ignored")).on("cluster " + odd);

        assertThat(store.record(List.of(fired, sameKey), Instant.now(), 3).opened()).isEqualTo(1);

        RecommendationStore.Stored stored = store.list(Optional.empty()).getFirst();
        assertThat(stored.target()).isEqualTo(fired.target());
        assertThat(stored.explanation()).isEqualTo(fired.explanation());
        assertThat(stored.proposedFix()).isEqualTo(fired.proposedFix());
        assertThat(stored.fix()).isEqualTo(fired.fix());
        assertThat(stored.evidence()).isEqualTo(fired.evidence());
        assertThat(stored.cluster()).isEqualTo(fired.cluster());
        assertThat(stored.clusters()).isEqualTo(fired.clusters());
        assertThat(stored.severity()).as("the first of one dedupe key").isEqualTo(Severity.HIGH);
    }

    /**
     * Met from outside: a CDC table compacted by icetune (verified) filled with delete files again, and delete-file-buildup fired
     * again into the verified recommendation, which only counted it. Once the window begins after the verification, its evidence is
     * all of the table after the fix: the problem is back, and a new recommendation opens beside the verified one. Within a window
     * that still holds the scans from before the fix, nothing opens.
     */
    @Test
    void aVerifiedFixWhoseProblemComesBackOpensANewRecommendation()
    {
        RecommendationStore store = approvedByAlice("store_recurring");
        Recommendation compaction = new Recommendation("delete-file-buildup", TargetType.TABLE, "iceberg.cdc.accounts", Severity.MEDIUM, Level.L1,
                Map.of("delete_files", 180), "why", new dev.icetune.engine.model.Compact("iceberg.cdc.accounts", 128L << 20));
        long done = applied(store, compaction);
        store.recordEffect(done, Status.VERIFIED, Map.of("files_per_query_after", 1.0), "its queries improved");
        Instant verified = Instant.now();

        assertThat(store.record(List.of(compaction), verified.plusSeconds(600), verified.minusSeconds(3000), 3, Optional.empty(), RecommendationStore.Tables.UNKNOWN, Set.of()).opened())
                .as("the window still holds scans from before the fix").isZero();
        assertThat(store.record(List.of(compaction), verified.plusSeconds(3700), verified.plusSeconds(100), 3, Optional.empty(), RecommendationStore.Tables.UNKNOWN, Set.of()).opened())
                .as("a window all after it").isEqualTo(1);
        assertThat(store.list(Optional.empty())).extracting(RecommendationStore.Stored::id, RecommendationStore.Stored::status)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple(done, Status.VERIFIED),
                        org.assertj.core.groups.Tuple.tuple(done + 1, Status.OPEN));
        assertThat(store.find(done).orElseThrow().measuredEffect()).as("the verified one keeps its record").containsEntry("files_per_query_after", 1.0);
        assertThat(store.history(done + 1).getFirst().reason()).isEqualTo("rule delete-file-buildup fired again after #%d (verified)".formatted(done));
        assertThat(store.record(List.of(compaction), verified.plusSeconds(3800), verified.plusSeconds(200), 3, Optional.empty(), RecommendationStore.Tables.UNKNOWN, Set.of()).refreshed())
                .as("the new one refreshes as any open one").isEqualTo(1);
    }

    /**
     * Met from outside: a table re-created with its small files between its compaction and the compaction's measurement; the
     * compaction was measured with no effect and stays applied, and small-files, firing again at every evaluation after, opened
     * nothing. A fix applied and measured with no effect whose rule fires on a window all after its apply opens a new recommendation.
     */
    @Test
    void aFixWithNoEffectWhoseRuleFiresAfterItOpensANewRecommendation()
    {
        ruleFiresAfterAFixMeasuredNoMore(RecommendationStore.NO_EFFECT, "no effect");
    }

    /** A fix whose table was dropped and created again before it was measured: the new table's problem is a new recommendation. */
    @Test
    void aFixWhoseTableWasReplacedOpensANewRecommendationWhenItsRuleFiresAfterIt()
    {
        ruleFiresAfterAFixMeasuredNoMore(RecommendationStore.TABLE_REPLACED, "its table replaced");
    }

    /** A fix applied and measured no more with {@code verdict}, its rule firing again before and after: the new one's history says {@code said}. */
    private void ruleFiresAfterAFixMeasuredNoMore(String verdict, String said)
    {
        RecommendationStore store = approvedByAlice("store_" + verdict);
        Recommendation compaction = new Recommendation("small-files", TargetType.TABLE, "iceberg.snap.events", Severity.HIGH, Level.L1,
                Map.of("small_files", 150), "why", new dev.icetune.engine.model.Compact("iceberg.snap.events", 128L << 20));
        long done = applied(store, compaction);
        Instant applied = Instant.now();
        assertThat(store.record(List.of(compaction), applied.plusSeconds(600), applied.minusSeconds(3000), 3, Optional.empty(), RecommendationStore.Tables.UNKNOWN, Set.of()).opened())
                .as("not measured yet").isZero();
        store.recordUnchanged(done, Map.of("verdict", verdict, "files_per_query_after", 150.0));

        assertThat(store.record(List.of(compaction), applied.plusSeconds(1200), applied.minusSeconds(2400), 3, Optional.empty(), RecommendationStore.Tables.UNKNOWN, Set.of()).opened())
                .as("the window still holds scans from before the fix").isZero();
        assertThat(store.record(List.of(compaction), applied.plusSeconds(3700), applied.plusSeconds(100), 3, Optional.empty(), RecommendationStore.Tables.UNKNOWN, Set.of()).opened())
                .as("a window all after it").isEqualTo(1);
        assertThat(store.list(Optional.empty())).extracting(RecommendationStore.Stored::id, RecommendationStore.Stored::status)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple(done, Status.APPLIED), org.assertj.core.groups.Tuple.tuple(done + 1, Status.OPEN));
        assertThat(store.history(done + 1).getFirst().reason()).isEqualTo("rule small-files fired again after #%d (applied, %s)".formatted(done, said));
    }

    /**
     * An approved recommendation whose condition stops holding keeps its approval, as it does when it fires again, but counts the
     * evaluations it did not fire in, so that apply leaves a fix for a problem gone alone; open ones beside it resolve.
     */
    @Test
    void anApprovedRecommendationCountsTheEvaluationsItDidNotFireIn()
    {
        RecommendationStore store = approvedByAlice("store_unseen");
        Recommendation approved = new Recommendation("small-files", TargetType.TABLE, "iceberg.sales.orders", Severity.HIGH, Level.L1, Map.of(), "why",
                new dev.icetune.engine.model.Compact("iceberg.sales.orders", 128L << 20));
        Recommendation open = new Recommendation("small-files", TargetType.TABLE, "iceberg.sales.customers", Severity.HIGH, Level.L1, Map.of(), "why",
                new dev.icetune.engine.model.Compact("iceberg.sales.customers", 128L << 20));
        Instant at = Instant.parse("2026-01-01T00:00:00Z");
        store.record(List.of(approved, open), at, 3);
        long id = idOf(store, "iceberg.sales.orders");
        store.approve(id, "alice", null);

        for (int evaluation = 1; evaluation <= 2; evaluation++) {
            store.record(List.of(), at.plusSeconds(60 * evaluation), 3);
        }
        assertThat(store.find(id).orElseThrow().isApprovedButUnseen(3)).isFalse();
        store.record(List.of(), at.plusSeconds(180), 3);
        assertThat(statuses(store)).containsExactlyInAnyOrderEntriesOf(Map.of("iceberg.sales.orders", Status.APPROVED, "iceberg.sales.customers", Status.RESOLVED));
        assertThat(store.find(id).orElseThrow().isApprovedButUnseen(3)).as("not seen at the last 3 evaluations").isTrue();

        store.record(List.of(approved), at.plusSeconds(240), 3);
        assertThat(store.find(id).orElseThrow()).satisfies(again -> {
            assertThat(again.status()).isEqualTo(Status.APPROVED);
            assertThat(again.isApprovedButUnseen(3)).as("its condition holds again").isFalse();
        });
    }

    /**
     * Met from outside: a compaction approved from the ETL cluster's scans, whose table the BI cluster's dashboards read now, fired
     * from BI's scans and was missing from {@code list --cluster bi}. A decided recommendation keeps what was decided, and lists every
     * cluster it fired on since.
     */
    @Test
    void anApprovedRecommendationListsTheClustersItFiresOnSince()
    {
        RecommendationStore store = approvedByAlice("store_clusters");
        Recommendation compaction = new Recommendation("small-files", TargetType.TABLE, "iceberg.sales.orders", Severity.HIGH, Level.L1, Map.of("files", 10), "why",
                new dev.icetune.engine.model.Compact("iceberg.sales.orders", 128L << 20));
        Instant at = Instant.parse("2026-01-01T00:00:00Z");
        store.record(List.of(compaction.from(List.of("etl"))), at, 3);
        long id = idOf(store, "iceberg.sales.orders");
        store.approve(id, "alice", null);

        Recommendation fromBi = new Recommendation("small-files", TargetType.TABLE, "iceberg.sales.orders", Severity.HIGH, Level.L1, Map.of("files", 20), "why",
                new dev.icetune.engine.model.Compact("iceberg.sales.orders", 128L << 20)).from(List.of("bi"));
        store.record(List.of(fromBi), at.plusSeconds(60), 3);
        assertThat(store.find(id).orElseThrow()).satisfies(approved -> {
            assertThat(approved.clusters()).containsExactly("bi", "etl");
            assertThat(approved.evidence()).as("as decided").isEqualTo(Map.of("files", 10));
        });
        assertThat(store.list(Optional.of(Status.APPROVED), Optional.of("bi"))).extracting(RecommendationStore.Stored::id).containsExactly(id);
    }

    /**
     * A rewrite approved is delivered to its owner, never applied: when its condition no longer holds (the query changed, or stopped
     * running), it resolves as an open one does, instead of staying approved for good.
     */
    @Test
    void anApprovedRewriteResolvesWhenItsConditionNoLongerHolds()
    {
        RecommendationStore store = approvedByAlice("store_delivered");
        Recommendation rewrite = new Recommendation("non-sargable-predicate", TargetType.PATTERN, "p1", Severity.HIGH, Level.L2, Map.of(), "why",
                new dev.icetune.engine.model.QueryRewrite("SELECT 1 FROM t WHERE ts >= TIMESTAMP '2024-01-01 00:00:00'", dev.icetune.engine.model.Benefit.BARE_COLUMN));
        Recommendation advice = new Recommendation("full-scan", TargetType.PATTERN, "p2", Severity.MEDIUM, Level.L2, Map.of(), "why",
                new dev.icetune.engine.model.Advice("filter on ts", dev.icetune.engine.model.Benefit.BARE_COLUMN));
        Recommendation compaction = new Recommendation("small-files", TargetType.TABLE, "iceberg.sales.orders", Severity.HIGH, Level.L1, Map.of(), "why",
                new dev.icetune.engine.model.Compact("iceberg.sales.orders", 128L << 20));
        Instant at = Instant.parse("2026-01-01T00:00:00Z");
        store.record(List.of(rewrite, advice, compaction), at, 3);
        store.list(Optional.empty()).forEach(each -> store.approve(each.id(), "alice", null));

        for (int evaluation = 1; evaluation <= 3; evaluation++) {
            store.record(List.of(), at.plusSeconds(60 * evaluation), 3);
        }
        assertThat(statuses(store)).containsExactlyInAnyOrderEntriesOf(Map.of("p1", Status.RESOLVED, "p2", Status.RESOLVED, "iceberg.sales.orders", Status.APPROVED));
        assertThat(store.history(idOf(store, "p1"))).last().satisfies(entry -> {
            assertThat(entry.fromStatus()).isEqualTo(Status.APPROVED);
            assertThat(entry.toStatus()).isEqualTo(Status.RESOLVED);
        });
        // its query back as it was: open again, to be delivered anew
        store.record(List.of(rewrite), at.plusSeconds(240), 3);
        assertThat(statuses(store)).containsEntry("p1", Status.OPEN);
    }

    /**
     * Met from outside: an approved compaction of a table dropped since stayed approved for 86 evaluations, in the list's table,
     * and every {@code apply --all-approved} said it skipped it. An approved fix of a table its catalog no longer holds (a bloom
     * filter of one of its columns too) resolves, once its condition has not held for {@code resolveAfter} evaluations, saying why;
     * one whose table is still there (its problem gone, or dealt with by hand) keeps its approval, as do those of a catalog not listed
     * (not configured, or unreadable) and of a table that could not be read.
     */
    @Test
    void anApprovedFixOfATableDroppedSinceResolves()
    {
        RecommendationStore store = approvedByAlice("store_dropped");
        List<String> targets = List.of("iceberg.sales.dropped", "iceberg.sales.dropped.user_id", "iceberg.sales.orders", "iceberg.sales.unreadable", "lake.sales.elsewhere");
        Instant at = Instant.parse("2026-01-01T00:00:00Z");
        store.record(targets.stream().map(target -> new Recommendation("small-files", TargetType.TABLE, target, Severity.HIGH, Level.L1, Map.of(), "why",
                new dev.icetune.engine.model.Compact(target, 128L << 20))).toList(), at, 3);
        store.list(Optional.empty()).forEach(each -> store.approve(each.id(), "alice", null));

        RecommendationStore.Tables tables = new RecommendationStore.Tables(Set.of("iceberg.sales.orders", "iceberg.sales.dropped_not"),
                Set.of("iceberg.sales.unreadable"), Set.of("iceberg"));
        for (int evaluation = 1; evaluation <= 3; evaluation++) {
            store.record(List.of(), at.plusSeconds(60 * evaluation), Instant.EPOCH, 3, Optional.empty(), RecommendationStore.Tables.UNKNOWN, Set.of());
        }
        assertThat(statuses(store).values()).as("no catalog listed: nothing known gone").containsOnly(Status.APPROVED);
        store.record(List.of(), at.plusSeconds(240), Instant.EPOCH, 3, Optional.empty(), tables, Set.of());
        assertThat(statuses(store)).containsExactlyInAnyOrderEntriesOf(Map.of("iceberg.sales.dropped", Status.RESOLVED, "iceberg.sales.dropped.user_id", Status.RESOLVED,
                "iceberg.sales.orders", Status.APPROVED, "iceberg.sales.unreadable", Status.APPROVED, "lake.sales.elsewhere", Status.APPROVED));
        assertThat(store.history(idOf(store, "iceberg.sales.dropped"))).last().satisfies(entry -> {
            assertThat(entry.fromStatus()).isEqualTo(Status.APPROVED);
            assertThat(entry.reason()).isEqualTo("condition did not hold for 4 evaluations; its table is in its catalog no more (dropped or renamed): nothing is left to apply it to");
        });
    }

    /** A store in a new, migrated database, with alice among its approvers. */
    private static RecommendationStore approvedByAlice(String database)
    {
        String url = TestingPostgres.shared().createDatabase(database);
        Database.of(url, "postgres", "icetune-test").migrate();
        return new RecommendationStore(Jdbi.create(url, "postgres", ""), Approvals.parse("alice", ""));
    }

    /** {@code fix} fired, approved by alice and applied, now; its id. */
    private static long applied(RecommendationStore store, Recommendation fix)
    {
        Instant start = Instant.now();
        store.record(List.of(fix), start, start.minusSeconds(3600), 3, Optional.empty(), RecommendationStore.Tables.UNKNOWN, Set.of());
        long id = store.list(Optional.empty()).getFirst().id();
        store.approve(id, "alice", null);
        store.transition(id, Status.APPROVED, Status.APPLIED, "alice", "compacted");
        return id;
    }

    private static long idOf(RecommendationStore store, String target)
    {
        return store.list(Optional.empty()).stream().filter(each -> each.target().equals(target)).findFirst().orElseThrow().id();
    }

    /**
     * A recommendation on a table whose metadata, or whose catalog, could not be read counts no miss: it did not fire for
     * want of evidence. So does a pattern's whose rule joined that table (met from outside: the Iceberg catalog's
     * connections lost to a PostgreSQL restart, and a pattern's non-sargable-predicate counted a miss). Another table's,
     * one whose name only begins the same, and a pattern's on no table, resolve; so do they all once read again.
     */
    @Test
    void aTableNotReadKeepsItsRecommendations()
    {
        String url = TestingPostgres.shared().createDatabase("store_unread");
        Database.of(url, "postgres", "icetune-test").migrate();
        RecommendationStore store = new RecommendationStore(Jdbi.create(url, "postgres", ""));
        List<String> targets = List.of("lake.sales.orders", "iceberg.demo.events", "iceberg.demo.events.user_id", "iceberg.demo.events2", "\"eu.lake\".sales.orders");
        Instant at = Instant.parse("2026-01-01T00:00:00Z");
        store.record(targets.stream().map(target -> new Recommendation("small-files", TargetType.TABLE, target, Severity.HIGH, Level.L1, Map.of(), "why",
                new Advice("compact"))).toList(), at, 3);
        store.record(List.of(pattern("a1", "iceberg.demo.events"), pattern("b2", "iceberg.demo.events2"), pattern("c3", null)), at.plusSeconds(1), 3);

        Set<String> unread = Set.of("lake", "iceberg.demo.events", "\"eu.lake\"");
        for (int evaluation = 1; evaluation <= 3; evaluation++) {
            store.record(List.of(), at.plusSeconds(60 * evaluation), Instant.EPOCH, 3, Optional.empty(), new RecommendationStore.Tables(Set.of(), unread, Set.of()), Set.of());
        }
        assertThat(statuses(store)).containsExactlyInAnyOrderEntriesOf(Map.of("lake.sales.orders", Status.OPEN, "iceberg.demo.events", Status.OPEN,
                "iceberg.demo.events.user_id", Status.OPEN, "iceberg.demo.events2", Status.RESOLVED, "\"eu.lake\".sales.orders", Status.OPEN,
                "a1", Status.OPEN, "b2", Status.RESOLVED, "c3", Status.RESOLVED));

        for (int evaluation = 4; evaluation <= 6; evaluation++) {
            store.record(List.of(), at.plusSeconds(60 * evaluation), 3);
        }
        assertThat(statuses(store).values()).containsOnly(Status.RESOLVED);
    }

    private static Recommendation pattern(String hash, String table)
    {
        return new Recommendation("non-sargable-predicate", TargetType.PATTERN, hash, Severity.HIGH, Level.L2, table == null ? Map.of() : Map.of("table", table),
                "why", new Advice("compare the bare column"));
    }

    private static Map<String, Status> statuses(RecommendationStore store)
    {
        return store.list(Optional.empty()).stream().collect(Collectors.toMap(RecommendationStore.Stored::target, RecommendationStore.Stored::status));
    }
}
