package dev.icetune.engine;

import io.airlift.units.DataSize;
import io.airlift.units.Duration;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static io.airlift.configuration.testing.ConfigAssertions.assertFullMapping;
import static io.airlift.configuration.testing.ConfigAssertions.assertRecordedDefaults;
import static io.airlift.configuration.testing.ConfigAssertions.recordDefaults;
import static java.util.concurrent.TimeUnit.DAYS;
import static java.util.concurrent.TimeUnit.HOURS;
import static java.util.concurrent.TimeUnit.MINUTES;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

class TestEngineConfig
{
    @Test
    void defaults()
    {
        assertRecordedDefaults(recordDefaults(EngineConfig.class)
                .setRulesDirectory(null)
                .setWindow(new Duration(1, HOURS))
                .setBaseline(new Duration(7, DAYS))
                .setResolveAfter(3)
                .setEvaluateInterval(new Duration(5, MINUTES))
                .setMetricsPort(0)
                .setApprovers("")
                .setAutoApprove("")
                .setTrinoUrl(null)
                .setTrinoUser("icetune")
                .setTrinoCatalog(null)
                .setRewritePieceSize(DataSize.of(1, DataSize.Unit.GIGABYTE))
                .setRewritePieceFiles(500)
                .setRewritePiecePartitions(100)
                .setApplyCooldown(new Duration(7, DAYS)));
    }

    @Test
    void everyKeyMaps()
    {
        Map<String, String> properties = new HashMap<>();
        properties.put("icetune.rules.dir", "/etc/icetune/rules");
        properties.put("icetune.window", "30m");
        properties.put("icetune.baseline", "14d");
        properties.put("icetune.resolve-after", "5");
        properties.put("icetune.evaluate.interval", "90s");
        properties.put("icetune.metrics.port", "9464");
        properties.put("icetune.approvers", "alice,bob");
        properties.put("icetune.auto-approve", "small-files/L1/iceberg.demo.*");
        properties.put("icetune.trino.url", "jdbc:trino://trino:8080");
        properties.put("icetune.trino.user", "maintenance");
        properties.put("icetune.trino.catalog", "lake");
        properties.put("icetune.rewrite.piece-size", "256MB");
        properties.put("icetune.rewrite.piece-files", "100");
        properties.put("icetune.rewrite.piece-partitions", "50");
        properties.put("icetune.apply.cooldown", "1d");
        assertFullMapping(properties, new EngineConfig()
                .setRulesDirectory("/etc/icetune/rules")
                .setWindow(new Duration(30, MINUTES))
                .setBaseline(new Duration(14, DAYS))
                .setResolveAfter(5)
                .setEvaluateInterval(new Duration(90, SECONDS))
                .setMetricsPort(9464)
                .setApprovers("alice,bob")
                .setAutoApprove("small-files/L1/iceberg.demo.*")
                .setTrinoUrl("jdbc:trino://trino:8080")
                .setTrinoUser("maintenance")
                .setTrinoCatalog("lake")
                .setRewritePieceSize(DataSize.of(256, DataSize.Unit.MEGABYTE))
                .setRewritePieceFiles(100)
                .setRewritePiecePartitions(50)
                .setApplyCooldown(new Duration(1, DAYS)));
    }

    @Test
    void aTrinoUrlMustBeOne()
    {
        assertThat(new EngineConfig().setTrinoUrl("jdbc:postgresql://x/y").isTrinoUrlValid()).isFalse();
        assertThat(new EngineConfig().setTrinoUrl("jdbc:trino://x:8080").isTrinoUrlValid()).isTrue();
        assertThat(new EngineConfig().isTrinoUrlValid()).isTrue();
    }
}
