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
        String url = TestingPostgres.shared().createDatabase("rule_failures");
        Database.of(url, "postgres", "icetune-test").migrate();
        Jdbi jdbi = Jdbi.create(url, "postgres", "");
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        for (String cluster : List.of("bi", "etl")) {
            jdbi.useHandle(handle -> handle.createUpdate("""
                            INSERT INTO query_logs (query_id, "timestamp", state, success, user_name, query_text, query_text_length, query_text_truncated,
                                create_time, end_time, latency, input_count, cluster_name)
                            VALUES (:id, :at, 'FINISHED', true, 'u', 'SELECT 1', 8, false, :at, :at, 1, 0, :cluster)""")
                    .bind("id", "q-" + cluster).bind("cluster", cluster).bind("at", java.sql.Timestamp.from(now.minusSeconds(60))).execute());
        }
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
