package dev.icetune.engine;

import dev.icetune.engine.model.Level;
import dev.icetune.engine.model.Recommendation;
import dev.icetune.engine.model.TargetType;
import dev.icetune.engine.rules.RuleBookHolder;
import dev.icetune.engine.store.RecommendationStore;
import dev.icetune.listener.IcetuneEventListenerFactory;
import dev.icetune.store.Database;
import dev.icetune.testing.CapturedRows;
import dev.icetune.testing.IcebergTrino;
import dev.icetune.testing.TestingPostgres;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.trino.spi.eventlistener.EventListener;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Level 4 from a real queue: a Trino that runs one query at a time (query.max-concurrent-queries = 1, its one
 * resource group), four dashboard clients and an ETL client inserting beside them. Reads wait in the queue behind
 * each other and the writes: the evaluation proposes resource groups that separate ETL from dashboards, for that
 * cluster, with the queue's figures; nothing spilled or failed, so not more workers.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TestLoadEndToEnd
{
    private static final String DASHBOARD = "SELECT count(*) FROM UNNEST(sequence(1, 3000)) a(x) CROSS JOIN UNNEST(sequence(1, 3000)) b(y) WHERE (x * y) %% 7 = %d";

    @TempDir
    static Path temporary;

    private EventListener listener;
    private IcebergTrino trino;
    private List<Recommendation> recommendations;
    private CapturedRows rows;

    @BeforeAll
    void start()
            throws Exception
    {
        TestingPostgres postgres = TestingPostgres.shared();
        String captureUrl = postgres.createDatabase("load_capture");
        String catalogUrl = postgres.createDatabase("load_catalog");
        rows = new CapturedRows(captureUrl);
        listener = new IcetuneEventListenerFactory().create(Map.of("icetune.db.url", captureUrl, "icetune.db.user", "postgres",
                "icetune.spool.dir", temporary.resolve("spool").toString()), null);
        trino = IcebergTrino.start(listener, catalogUrl, temporary.resolve("warehouse"), Map.of("query.max-concurrent-queries", "1"));
        trino.execute("CREATE TABLE loaded (x bigint)");

        // five clients at once (the common pool of a two-core machine would run them one after another)
        ExecutorService pool = Executors.newFixedThreadPool(5);
        List<CompletableFuture<List<String>>> clients = new ArrayList<>();
        for (int client = 0; client < 4; client++) {
            int remainder = client;
            clients.add(CompletableFuture.supplyAsync(() -> {
                List<String> ids = new ArrayList<>();
                for (int i = 0; i < 6; i++) {
                    ids.add(trino.run(DASHBOARD.formatted(remainder)));
                }
                return ids;
            }, pool));
        }
        clients.add(CompletableFuture.supplyAsync(() -> {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                ids.add(trino.run("INSERT INTO loaded SELECT x FROM UNNEST(sequence(1, 3000)) t(x)"));
            }
            return ids;
        }, pool));
        for (CompletableFuture<List<String>> client : clients) {
            client.join().forEach(rows::awaitQuery);
        }
        pool.shutdown();

        Database.of(captureUrl, "postgres", "icetune-test").migrate();
        Jdbi jdbi = Jdbi.create(captureUrl, "postgres", "");
        Evaluator evaluator = new Evaluator(jdbi, new RuleBookHolder(Path.of("../rules"), System.err::println), Optional.empty(), Duration.ofHours(1),
                Duration.ofDays(7), 3, new RecommendationStore(jdbi), new SimpleMeterRegistry());
        recommendations = evaluator.evaluate(Instant.now(), System.out::println).recommendations();
    }

    @AfterAll
    void stop()
    {
        if (trino != null) {
            trino.close();
        }
    }

    @Test
    void readsQueuedBehindEtlInOneGroupGetResourceGroupsForTheirCluster()
    {
        List<Recommendation> groups = recommendations.stream().filter(each -> each.ruleId().equals("resource-groups")).toList();
        assertThat(groups).as("%s among %s", rows.query("SELECT count(*) AS queries, max(queued_ms) AS max_queued_ms, "
                        + "count(*) FILTER (WHERE queued_ms >= 1000) AS queued, count(DISTINCT resource_group) AS groups FROM query_logs"),
                recommendations.stream().map(each -> each.ruleId() + ":" + each.target()).toList()).singleElement().satisfies(found -> {
            assertThat(found.targetType()).isEqualTo(TargetType.CLUSTER);
            assertThat(found.target()).isEqualTo("testing"); // the test server's node.environment
            assertThat(found.level()).isEqualTo(Level.L4);
            assertThat((Double) found.evidence().get("p95_read_queued_ms")).isGreaterThanOrEqualTo(1000);
            assertThat((Long) found.evidence().get("writes")).as("the inserts, and the CREATEs before them").isGreaterThanOrEqualTo(3L);
            assertThat((Long) found.evidence().get("resource_groups")).isEqualTo(1L);
            assertThat(found.estimate().secondsSavedPerDay()).isPositive();
        });
        assertThat(recommendations).as("nothing spilled or failed: not short of workers").noneMatch(each -> each.ruleId().equals("more-workers"));
        assertThat(recommendations).as("one group: not yet a dedicated cluster").noneMatch(each -> each.ruleId().equals("dedicated-cluster"));
    }
}
