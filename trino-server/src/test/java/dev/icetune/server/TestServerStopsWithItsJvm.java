package dev.icetune.server;

import dev.icetune.testing.LocalIcebergCatalog;
import dev.icetune.testing.TestingPostgres;
import dev.icetune.testing.TrinoServerProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A JVM that started a Trino server and is then stopped as a person stops it (Ctrl-C or SIGTERM on
 * {@code bin/icetune demo --keep-running}) takes the server with it: it used to stay behind, holding gigabytes and its port.
 */
class TestServerStopsWithItsJvm
{
    @TempDir
    Path temporary;

    @Test
    void aServerLeftRunningStopsWhenItsJvmIsTerminated()
            throws Exception
    {
        String catalogUrl = TestingPostgres.shared().createDatabase("stops_catalog");
        LocalIcebergCatalog.prepare(catalogUrl);
        Process starter = new ProcessBuilder(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "-D" + TrinoServerProcess.SERVER_DIRECTORY_PROPERTY + "=" + TrinoServerProcess.assembledServer(),
                "-cp", System.getProperty("java.class.path"), StartTrinoAndWait.class.getName(),
                temporary.resolve("node").toString(), catalogUrl, temporary.resolve("warehouse").toString()))
                .redirectErrorStream(true).start();
        ProcessHandle trino = null;
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(starter.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            do {
                line = lines.readLine();
            }
            while (line != null && !line.equals(StartTrinoAndWait.STARTED));
            assertThat(line).as("the server started").isEqualTo(StartTrinoAndWait.STARTED);
            trino = starter.toHandle().children().findFirst().orElseThrow();
            assertThat(trino.isAlive()).isTrue();

            starter.destroy(); // SIGTERM, as Ctrl-C or a service manager stops it
            assertThat(starter.waitFor(2, TimeUnit.MINUTES)).as("the JVM ends").isTrue();
            assertThat(trino.onExit().get(1, TimeUnit.MINUTES).isAlive()).as("and its Trino server with it").isFalse();
        }
        finally {
            // whatever happened, nothing of this test stays behind
            if (trino != null) {
                trino.destroyForcibly();
            }
            starter.destroyForcibly();
        }
    }

    /** Starts a server and leaves it running, as the demo does with --keep-running. */
    public static final class StartTrinoAndWait
    {
        static final String STARTED = "started";

        public static void main(String[] args)
                throws Exception
        {
            TrinoServerProcess.start(TrinoServerProcess.assembledServer(), Path.of(args[0]), args[1], Path.of(args[2]), Map.of(
                    "icetune.db.url", "jdbc:postgresql://127.0.0.1:" + TestingPostgres.freePort() + "/none", "icetune.db.user", "postgres"));
            System.out.println(STARTED);
            Thread.currentThread().join();
        }
    }
}
