package dev.icetune.listener;

import io.airlift.units.DataSize;
import io.airlift.units.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.airlift.configuration.testing.ConfigAssertions.assertFullMapping;
import static io.airlift.configuration.testing.ConfigAssertions.assertRecordedDefaults;
import static io.airlift.configuration.testing.ConfigAssertions.recordDefaults;
import static io.airlift.units.DataSize.Unit.GIGABYTE;
import static io.airlift.units.DataSize.Unit.MEGABYTE;
import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.MINUTES;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TestListenerConfig
{
    private static final String URL = "jdbc:postgresql://127.0.0.1:1/icetune";

    @Test
    void defaults()
    {
        assertRecordedDefaults(recordDefaults(ListenerConfig.class)
                .setClusterName(null)
                .setDbWriters(2)
                .setBatchSize(1000)
                .setFlushInterval(new Duration(1, SECONDS))
                .setQueueCapacity(100_000)
                .setSpoolDirectory("var/icetune-spool")
                .setSpoolMaxSize(DataSize.of(1, GIGABYTE))
                .setMaxQueryTextLength(100_000)
                .setKeepPlan(false)
                .setRetentionDays(30)
                .setPartitionsAheadDays(7)
                .setRetryAttempts(3)
                .setRetryInitialDelay(new Duration(100, MILLISECONDS))
                .setRetryMaxDelay(new Duration(30, SECONDS))
                .setLogInterval(new Duration(1, MINUTES)));
    }

    @Test
    void everyKeyMaps()
    {
        Map<String, String> properties = new HashMap<>();
        properties.put("icetune.cluster-name", "bi");
        properties.put("icetune.db.writers", "4");
        properties.put("icetune.batch-size", "500");
        properties.put("icetune.flush-interval", "500ms");
        properties.put("icetune.queue-capacity", "1000");
        properties.put("icetune.spool.dir", "/var/spool/icetune");
        properties.put("icetune.spool.max-size", "64MB");
        properties.put("icetune.query-text.max-length", "2000");
        properties.put("icetune.plan.keep", "true");
        properties.put("icetune.retention-days", "7");
        properties.put("icetune.partitions-ahead-days", "2");
        properties.put("icetune.retry.attempts", "5");
        properties.put("icetune.retry.initial-delay", "1s");
        properties.put("icetune.retry.max-delay", "2m");
        properties.put("icetune.log-interval", "5m");
        assertFullMapping(properties, new ListenerConfig()
                .setClusterName("bi")
                .setDbWriters(4)
                .setBatchSize(500)
                .setFlushInterval(new Duration(500, MILLISECONDS))
                .setQueueCapacity(1000)
                .setSpoolDirectory("/var/spool/icetune")
                .setSpoolMaxSize(DataSize.of(64, MEGABYTE))
                .setMaxQueryTextLength(2000)
                .setKeepPlan(true)
                .setRetentionDays(7)
                .setPartitionsAheadDays(2)
                .setRetryAttempts(5)
                .setRetryInitialDelay(new Duration(1, SECONDS))
                .setRetryMaxDelay(new Duration(2, MINUTES))
                .setLogInterval(new Duration(5, MINUTES)));
    }

    @Test
    void theFactoryRefusesUnknownAndInvalidKeysNamingThem(@TempDir Path spool)
    {
        assertFails(Map.of("icetune.db.url", URL, "icetune.batchsize", "10"), "icetune.batchsize");
        assertFails(Map.of("icetune.db.url", URL, "icetune.batch-size", "ten"), "icetune.batch-size");
        assertFails(Map.of("icetune.db.url", URL, "icetune.flush-interval", "soon"), "icetune.flush-interval");
        assertFails(Map.of("icetune.db.url", URL, "icetune.spool.max-size", "lots"), "icetune.spool.max-size");
        assertFails(Map.of("icetune.db.url", URL, "icetune.db.migrate", "yes"), "icetune.db.migrate");
        assertFails(Map.of("icetune.db.url", URL, "icetune.db.writers", "0"), "icetune.db.writers");
        assertFails(Map.of("icetune.db.url", URL, "icetune.cluster-name", "bi cluster; drop"), "icetune.cluster-name");
        assertFails(Map.of(), "icetune.db.url");
        assertFails(Map.of("icetune.db.url", "jdbc:mysql://x/y"), "jdbc:postgresql:");
        assertFails(Map.of("icetune.db.url", URL, "icetune.retry.initial-delay", "1m", "icetune.retry.max-delay", "1s"), "icetune.retry.max-delay");
    }

    @Test
    void aPasswordFileIsReadAndNeitherItNorAnInlinePasswordShows(@TempDir Path directory)
            throws Exception
    {
        Path file = directory.resolve("password");
        Files.writeString(file, "s3cret-from-file\n");
        assertFails(Map.of("icetune.db.url", URL, "icetune.db.password", "a", "icetune.db.password-file", file.toString()), "not both");
        assertFails(Map.of("icetune.db.url", URL, "icetune.db.password-file", directory.resolve("missing").toString()), "icetune.db.password-file");

        // the configuration as Trino's log shows it at start, then the failure to connect: no password, from the file or in the URL
        List<String> logged;
        try (LoggedLines lines = new LoggedLines()) {
            IcetuneEventListener listener = (IcetuneEventListener) new IcetuneEventListenerFactory().create(Map.of("icetune.db.url", URL + "?password=hunter2-in-url",
                    "icetune.db.password-file", file.toString(), "icetune.spool.dir", directory.resolve("spool").toString()), null);
            logged = lines.await("journaling", java.time.Duration.ofSeconds(30));
            listener.shutdown();
        }
        assertThat(logged).as("the configuration, then the failed write").anyMatch(line -> line.contains("icetune.db.url")).anyMatch(line -> line.contains("journaling"));
        assertThat(String.join("\n", logged)).doesNotContain("s3cret-from-file").doesNotContain("hunter2");
    }

    private static void assertFails(Map<String, String> properties, String naming)
    {
        assertThatThrownBy(() -> new IcetuneEventListenerFactory().create(properties, null)).hasMessageContaining(naming);
    }
}
