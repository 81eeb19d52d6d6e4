package dev.icetune.engine;

import dev.icetune.testing.TestingPostgres;
import dev.icetune.engine.model.Analyze;
import dev.icetune.engine.model.Compact;
import dev.icetune.engine.model.Level;
import dev.icetune.engine.model.Recommendation;
import dev.icetune.engine.model.Severity;
import dev.icetune.engine.model.Status;
import dev.icetune.engine.model.TargetType;
import dev.icetune.engine.store.Approvals;
import dev.icetune.engine.store.RecommendationStore;
import dev.icetune.store.Database;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A recommendation is advice until a person listed as an approver approves it. */
class TestApprovals
{
    private static final Recommendation COMPACT = new Recommendation("small-files", TargetType.TABLE, "iceberg.demo.events", Severity.HIGH, Level.L1,
            Recommendation.evidence("files", 400), "many small files", new Compact("iceberg.demo.events", 128L << 20));
    private static final Recommendation ANALYZE = new Recommendation("stale-statistics", TargetType.TABLE, "iceberg.other.orders", Severity.LOW, Level.L1,
            Recommendation.evidence("scans", 10), "no statistics", new Analyze("iceberg.other.orders"));

    @Test
    void onlyApproversDecideAndEachDecisionIsKept()
    {
        RecommendationStore store = store(Approvals.parse("alice, bob", ""));
        store.record(List.of(COMPACT, ANALYZE), Instant.now(), 3);
        long compact = id(store, "small-files");
        long analyze = id(store, "stale-statistics");

        assertThatThrownBy(() -> store.approve(compact, "mallory", "looks fine"))
                .hasMessage("'mallory' may not approve, reject or reopen: not listed in icetune.approvers");
        assertThat(store.find(compact).orElseThrow().status()).isEqualTo(Status.OPEN);

        assertThat(store.approve(compact, "alice", "nightly window").status()).isEqualTo(Status.APPROVED);
        assertThatThrownBy(() -> store.approve(compact, "bob", null)).hasMessage("recommendation " + compact + " is already approved");
        assertThat(store.reject(analyze, "bob", "statistics are collected on write").status()).isEqualTo(Status.REJECTED);
        assertThatThrownBy(() -> store.approve(analyze, "alice", null)).hasMessageContaining("is rejected; only an open one can be approved");
        assertThatThrownBy(() -> store.approve(9999, "alice", null)).hasMessage("no recommendation 9999");

        assertThat(store.history(compact)).extracting(RecommendationStore.HistoryEntry::toStatus, RecommendationStore.HistoryEntry::actor,
                        RecommendationStore.HistoryEntry::reason)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(Status.OPEN, RecommendationStore.SYSTEM_ACTOR, "rule small-files fired"),
                        org.assertj.core.groups.Tuple.tuple(Status.APPROVED, "alice", "nightly window"));
    }

    /** An approval or a rejection taken back: open again, and the rule's next proposal is what is decided on anew. */
    @Test
    void aPersonReopensAnApprovedOrRejectedRecommendation()
    {
        RecommendationStore store = store(Approvals.parse("alice, bob", ""));
        Instant first = Instant.now();
        store.record(List.of(COMPACT, ANALYZE), first, 3);
        long compact = id(store, "small-files");
        long analyze = id(store, "stale-statistics");
        store.approve(compact, "alice", "nightly window");
        store.reject(analyze, "bob", "statistics are collected on write");

        assertThatThrownBy(() -> store.reopen(compact, "mallory", "no")).hasMessage("'mallory' may not approve, reject or reopen: not listed in icetune.approvers");
        assertThat(store.reopen(compact, "bob", "the ingest job compacts it tonight").status()).isEqualTo(Status.OPEN);
        assertThat(store.reopen(analyze, "bob", "the writer stopped collecting them").status()).isEqualTo(Status.OPEN);
        assertThatThrownBy(() -> store.reopen(analyze, "bob", "again")).hasMessage("recommendation " + analyze + " is already open");
        assertThat(store.history(analyze)).extracting(RecommendationStore.HistoryEntry::toStatus, RecommendationStore.HistoryEntry::actor)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(Status.OPEN, RecommendationStore.SYSTEM_ACTOR),
                        org.assertj.core.groups.Tuple.tuple(Status.REJECTED, "bob"), org.assertj.core.groups.Tuple.tuple(Status.OPEN, "bob"));

        // the rule's next proposal refreshes the reopened one, which is then approved as any open one
        Recommendation larger = new Recommendation("small-files", TargetType.TABLE, "iceberg.demo.events", Severity.HIGH, Level.L1,
                Recommendation.evidence("files", 800), "more small files", new Compact("iceberg.demo.events", 256L << 20));
        store.record(List.of(larger, ANALYZE), first.plusSeconds(60), 3);
        assertThat(store.find(compact).orElseThrow().evidence()).containsEntry("files", 800);
        assertThat(store.approve(analyze, "alice", null).status()).isEqualTo(Status.APPROVED);
    }

    @Test
    void anOpenOrAppliedRecommendationIsNotReopened()
    {
        RecommendationStore store = store(Approvals.parse("alice", ""));
        store.record(List.of(COMPACT), Instant.now(), 3);
        long compact = id(store, "small-files");
        assertThatThrownBy(() -> store.reopen(compact, "alice", "why")).hasMessage("recommendation " + compact + " is already open");
        store.approve(compact, "alice", null);
        store.transition(compact, Status.APPROVED, Status.APPLIED, "icetune", "applied");
        assertThatThrownBy(() -> store.reopen(compact, "alice", "why"))
                .hasMessage("recommendation " + compact + " is applied; only an approved or a rejected one can be reopened (rollback undoes an applied fix)");
    }

    @Test
    void whatIsApprovedStaysWhatWasApprovedWhenTheRuleFiresAgain()
    {
        RecommendationStore store = store(Approvals.parse("alice", ""));
        Instant now = Instant.now();
        store.record(List.of(COMPACT, ANALYZE), now, 3);
        long compact = id(store, "small-files");
        long analyze = id(store, "stale-statistics");
        store.approve(compact, "alice", null);

        // the tables changed: the rules now propose other thresholds and see other evidence
        Recommendation compactNow = new Recommendation("small-files", TargetType.TABLE, "iceberg.demo.events", Severity.HIGH, Level.L1,
                Recommendation.evidence("files", 900), "more small files", new Compact("iceberg.demo.events", 256L << 20));
        Recommendation analyzeNow = new Recommendation("stale-statistics", TargetType.TABLE, "iceberg.other.orders", Severity.MEDIUM, Level.L1,
                Recommendation.evidence("scans", 30), "still no statistics", new Analyze("iceberg.other.orders"));
        store.record(List.of(compactNow, analyzeNow), now.plusSeconds(60), 3);

        RecommendationStore.Stored approved = store.find(compact).orElseThrow();
        assertThat(approved.status()).isEqualTo(Status.APPROVED);
        assertThat(approved.fix()).as("the fix alice approved").isEqualTo(new Compact("iceberg.demo.events", 128L << 20));
        assertThat(approved.evidence()).containsEntry("files", 400);
        assertThat(approved.timesSeen()).as("seen again all the same").isEqualTo(2);
        RecommendationStore.Stored open = store.find(analyze).orElseThrow();
        assertThat(open.evidence()).as("an open one shows what the rule sees now").containsEntry("scans", 30);
        assertThat(open.severity()).isEqualTo(Severity.MEDIUM);
        assertThat(open.timesSeen()).isEqualTo(2);
    }

    @Test
    void resolvedRecommendationsCannotBeApproved()
    {
        RecommendationStore store = store(Approvals.parse("alice", ""));
        Instant now = Instant.now();
        store.record(List.of(COMPACT), now, 1);
        store.record(List.of(), now.plusSeconds(60), 1);
        long id = id(store, "small-files");

        assertThat(store.find(id).orElseThrow().status()).isEqualTo(Status.RESOLVED);
        assertThatThrownBy(() -> store.approve(id, "alice", null)).hasMessageContaining("is resolved; only an open one can be approved");
    }

    @Test
    void autoApprovalIsOffByDefaultAndRecordedAsSuchWhenConfigured()
    {
        RecommendationStore manual = store(Approvals.parse("alice", ""));
        manual.record(List.of(COMPACT), Instant.now(), 3);
        assertThat(manual.find(id(manual, "small-files")).orElseThrow().status()).isEqualTo(Status.OPEN);

        RecommendationStore auto = store(Approvals.parse("", "small-files/L1/iceberg.demo.*"));
        auto.record(List.of(COMPACT, ANALYZE), Instant.now(), 3);
        long compact = id(auto, "small-files");
        assertThat(auto.find(compact).orElseThrow().status()).isEqualTo(Status.APPROVED);
        assertThat(auto.find(id(auto, "stale-statistics")).orElseThrow().status()).isEqualTo(Status.OPEN);
        assertThat(auto.history(compact).getLast().actor()).isEqualTo(RecommendationStore.AUTO_APPROVAL_ACTOR);
        assertThat(auto.history(compact).getLast().reason()).isEqualTo("icetune.auto-approve small-files/L1/iceberg.demo.*");
    }

    @Test
    void autoApprovalEntriesAreChecked()
    {
        assertThatThrownBy(() -> Approvals.parse("", "small-files/L9/x")).hasMessageContaining("invalid icetune.auto-approve entry 'small-files/L9/x'");
        assertThatThrownBy(() -> Approvals.parse("", "small-files")).hasMessageContaining("expected rule/level/target-glob");
    }

    private static RecommendationStore store(Approvals approvals)
    {
        String url = TestingPostgres.shared().createDatabase("approvals");
        Database.of(url, "postgres", "icetune-test").migrate();
        return new RecommendationStore(Jdbi.create(url, "postgres", ""), approvals);
    }

    private static long id(RecommendationStore store, String rule)
    {
        return store.list(Optional.empty()).stream().filter(each -> each.ruleId().equals(rule)).findFirst().orElseThrow().id();
    }
}
