package dev.icetune.engine;

import dev.icetune.engine.model.Status;
import dev.icetune.engine.rules.RuleBook;
import dev.icetune.engine.rules.RuleBookHolder;
import dev.icetune.engine.rules.Scenarios;
import dev.icetune.engine.store.RecommendationStore;
import dev.icetune.store.Database;
import dev.icetune.testing.TestingPostgres;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** A rule whose consequence throws, as a rule being edited does: said once a rule, and what it had found is kept. */
class TestRuleFailures
{
    private static final String BUSY = """
            package icetune.rules
            import dev.icetune.engine.facts.*
            import dev.icetune.engine.model.*
            global RecommendationSink recommendations
            rule "busy"
            when
                $load : LoadFact( queries > 0 )
            then
                %s
                recommendations.add(new Recommendation("busy", TargetType.CLUSTER, $load.cluster(), Severity.LOW, Level.L3,
                    Recommendation.evidence("queries", $load.queries()), "busy", new Advice("add workers")));
            end
            """;

    /**
     * Met from outside: a rule of one's own that threw on every table's match printed the same line once a match, and the
     * evaluation counted a miss for each recommendation the rule had opened before, so that a broken edit resolved them all.
     */
    @Test
    void aRuleThatThrowsKeepsWhatItFoundAndIsSaidOnce(@TempDir Path directory)
            throws Exception
    {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        Jdbi jdbi = withQueries("rule_failures", now, "bi", "etl");
        RecommendationStore store = new RecommendationStore(jdbi);
        evaluator(jdbi, rules(directory.resolve("working"), ""), store).evaluate(now, line -> {});
        assertThat(store.list(Optional.of(Status.OPEN))).extracting(RecommendationStore.Stored::target).containsExactlyInAnyOrder("bi", "etl");

        Evaluator broken = evaluator(jdbi, rules(directory.resolve("broken"), "if (true) { throw new IllegalStateException(\"half-edited\"); }"), store);
        for (int evaluation = 1; evaluation <= 3; evaluation++) {
            List<String> said = new ArrayList<>();
            Evaluator.Result result = broken.evaluate(now.plusSeconds(evaluation), said::add);
            assertThat(said).filteredOn(line -> line.startsWith("rule busy failed")).containsExactly(
                    "rule busy failed on 2 matches, the first on LoadFact bi (the others and every other rule ran; its recommendations are kept as they were): "
                            + "IllegalStateException: half-edited");
            assertThat(result.failedRules()).containsExactly("busy");
        }
        assertThat(store.list(Optional.of(Status.OPEN))).as("three evaluations without them: resolved, had the rule not thrown")
                .extracting(RecommendationStore.Stored::target).containsExactlyInAnyOrder("bi", "etl");
    }

    /**
     * Met from outside: a rule being edited divided by a table's delete files, zero for most tables, and the evaluation failed as a
     * whole ("Error evaluating constraint 'dataFiles / deleteFiles > 100' ...: / by zero"), at every interval of a service. Here a
     * cluster's name cut beyond its length. A constraint throws with no match to give up alone: the rule is left out, said at each
     * evaluation, every other rule runs, and what the rule had found is kept.
     */
    @Test
    void aRuleWhoseConstraintThrowsIsLeftOutAndTheOthersRun(@TempDir Path directory)
            throws Exception
    {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        Jdbi jdbi = withQueries("rule_constraint_failures", now, "bi");
        RecommendationStore store = new RecommendationStore(jdbi);
        Path working = rules(directory.resolve("working"), "");
        Files.writeString(working.resolve("steady.drl"), BUSY.formatted("").replace("\"busy\"", "\"steady\""));
        evaluator(jdbi, working, store).evaluate(now, line -> {});
        assertThat(store.list(Optional.of(Status.OPEN))).extracting(RecommendationStore.Stored::ruleId).containsExactlyInAnyOrder("busy", "steady");

        Path broken = Files.createDirectories(directory.resolve("broken"));
        Files.copy(working.resolve("thresholds.properties"), broken.resolve("thresholds.properties"));
        Files.copy(working.resolve("steady.drl"), broken.resolve("steady.drl"));
        Files.writeString(broken.resolve("busy.drl"), BUSY.formatted("").replace("queries > 0", "queries > 0, cluster.substring(3) != \"\""));
        Evaluator evaluator = evaluator(jdbi, broken, store);
        for (int evaluation = 1; evaluation <= 3; evaluation++) {
            List<String> said = new ArrayList<>();
            Evaluator.Result result = evaluator.evaluate(now.plusSeconds(evaluation), said::add);
            assertThat(said).filteredOn(line -> line.startsWith("rule busy")).singleElement().asString()
                    .startsWith("rule busy is left out until its file changes (every other rule ran; its recommendations are kept as they were): "
                            + "its constraint 'cluster.substring(3) != \"\"' threw StringIndexOutOfBoundsException: ");
            assertThat(result.failedRules()).containsExactly("busy");
            assertThat(result.firedByRule()).as("the other rule ran").containsEntry("steady", 1);
        }
        assertThat(store.list(Optional.of(Status.OPEN))).as("three evaluations without it: resolved, had the rule not failed")
                .extracting(RecommendationStore.Stored::ruleId).containsExactlyInAnyOrder("busy", "steady");
    }

    /** A rule's author learns from its scenario which fact it threw on, as the evaluation says it. */
    @Test
    void aScenarioOnWhichARuleThrowsNamesTheFact(@TempDir Path directory)
            throws Exception
    {
        Path rules = rules(directory, "if (true) { throw new IllegalStateException(\"half-edited\"); }");
        Files.createDirectories(rules.resolve("scenarios"));
        Files.writeString(rules.resolve("scenarios/busy.json"), """
                [{"name": "a busy cluster", "facts": {"load": [{"cluster": "bi", "queries": 10}]}, "expect": []}]""");
        assertThat(Scenarios.run(RuleBook.load(rules), rules.resolve("scenarios"))).extracting(Scenarios.Result::error)
                .containsExactly("rule busy threw on LoadFact bi: IllegalStateException: half-edited");

        // a constraint that throws, said with the constraint
        Files.writeString(rules.resolve("busy.drl"), BUSY.formatted("").replace("queries > 0", "queries > 0, cluster.substring(3) != \"\""));
        assertThat(Scenarios.run(RuleBook.load(rules), rules.resolve("scenarios"))).extracting(Scenarios.Result::error).singleElement().asString()
                .startsWith("rule busy failed: its constraint 'cluster.substring(3) != \"\"' threw StringIndexOutOfBoundsException: ");
    }

    /** A new, migrated database holding a query of each cluster, a minute before {@code now}. */
    private static Jdbi withQueries(String database, Instant now, String... clusters)
    {
        String url = TestingPostgres.shared().createDatabase(database);
        Database.of(url, "postgres", "icetune-test").migrate();
        Jdbi jdbi = Jdbi.create(url, "postgres", "");
        for (String cluster : clusters) {
            jdbi.useHandle(handle -> handle.createUpdate("""
                            INSERT INTO query_logs (query_id, "timestamp", state, success, user_name, query_text, query_text_length, query_text_truncated,
                                create_time, end_time, latency, input_count, cluster_name)
                            VALUES (:id, :at, 'FINISHED', true, 'u', 'SELECT 1', 8, false, :at, :at, 1, 0, :cluster)""")
                    .bind("id", "q-" + cluster).bind("cluster", cluster).bind("at", java.sql.Timestamp.from(now.minusSeconds(60))).execute());
        }
        return jdbi;
    }

    private static Path rules(Path directory, String before)
            throws Exception
    {
        Files.createDirectories(directory);
        Files.copy(Path.of("../rules/thresholds.properties"), directory.resolve("thresholds.properties"));
        Files.writeString(directory.resolve("busy.drl"), BUSY.formatted(before));
        return directory;
    }

    private static Evaluator evaluator(Jdbi jdbi, Path rules, RecommendationStore store)
    {
        return new Evaluator(jdbi, new RuleBookHolder(rules, System.err::println), Optional.empty(), Duration.ofHours(1), Duration.ofDays(7), 3, store,
                new SimpleMeterRegistry());
    }
}
