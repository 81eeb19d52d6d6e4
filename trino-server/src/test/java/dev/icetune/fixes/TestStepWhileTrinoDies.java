package dev.icetune.fixes;

import dev.icetune.engine.TrinoConnections;
import dev.icetune.testing.LocalIcebergCatalog;
import dev.icetune.testing.TestingPostgres;
import dev.icetune.testing.TrinoServerProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Met from outside: the assembled Trino killed during a compaction that `apply` ran. The apply said its step, then nothing for two
 * minutes (Trino's client asking again, silently), then failed without the advice it has for a Trino that does not answer: the
 * driver's "Error fetching results" carries the why ("Failed to connect to") in its causes. Those two minutes are spent on a query
 * already gone with its coordinator: the step now ends once nothing listens at the coordinator's address. Here in this module, beside the
 * assembled server, which a test can kill as the kernel's OOM killer does; the step is a fix's, as its package builds it.
 */
class TestStepWhileTrinoDies
{
    /** Three cross-joined sequences of 10,000: hours of work. */
    private static final String HOURS = "SELECT count(*) FROM UNNEST(sequence(1, 10000)) a(x) CROSS JOIN UNNEST(sequence(1, 10000)) b(y) "
            + "CROSS JOIN UNNEST(sequence(1, 10000)) c(z) WHERE x + y + z < 0";

    @TempDir
    static Path temporary;

    @Test
    void aStepWhoseTrinoDiesEndsOnceNothingListensAndSaysWhatToDo()
            throws Exception
    {
        TestingPostgres postgres = TestingPostgres.shared();
        String captureUrl = postgres.createDatabase("dies_capture");
        String catalogUrl = postgres.createDatabase("dies_catalog");
        LocalIcebergCatalog.prepare(catalogUrl);
        TrinoServerProcess trino = TrinoServerProcess.start(TrinoServerProcess.assembledServer(), temporary.resolve("server"), catalogUrl,
                temporary.resolve("warehouse"), Map.of("icetune.db.url", captureUrl, "icetune.db.user", "postgres"));
        BlockingQueue<String> said = new LinkedBlockingQueue<>();
        TrinoConnections connections = () -> trino.connect("icetune");
        ActionContext context = new ActionContext(Optional.empty(), Optional.of(connections), RewritePlan.Limits.DEFAULT, true, said::add);
        ExecutorService running = Executors.newSingleThreadExecutor();
        try {
            Future<?> step = running.submit(() -> context.trinoStep(HOURS, "").run());
            assertThat(said.poll(2, TimeUnit.MINUTES)).as("said within two minutes").isNotNull().startsWith("still running after 1");

            trino.kill();
            said.clear();
            String silent = said.poll(30, TimeUnit.SECONDS);
            if (silent != null && silent.startsWith("still running")) {
                // the next tick came within 10 s of the last stats Trino sent before it died
                silent = said.poll(30, TimeUnit.SECONDS);
            }
            assertThat(silent).as("said within 30 s of the kill").isNotNull()
                    .matches("no answer from Trino for \\d+ s \\(Trino query \\w+\\), and nothing listens at 127\\.0\\.0\\.1:\\d+: Trino stopped, and the query with it");

            // at once, not after the client's own two minutes of asking again a coordinator whose query went with it
            assertThatThrownBy(() -> step.get(10, TimeUnit.SECONDS))
                    .hasMessageMatching("(?s).*Trino: Failed to connect to 127\\.0\\.0\\.1:\\d+: Trino stopped during the statement"
                            + " \\(Trino is not answering at icetune.trino.url: apply again once it is up\\)");
        }
        finally {
            running.shutdownNow();
            trino.close();
        }
    }
}
