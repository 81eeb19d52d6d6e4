package dev.icetune.listener;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TestIcetuneConfig
{
    private static final String URL = "jdbc:postgresql://localhost:5432/icetune";

    @Test
    void defaults()
    {
        IcetuneConfig config = IcetuneConfig.fromProperties(Map.of("icetune.db.url", URL));
        assertThat(config.migrate()).isTrue();
        assertThat(config.batchSize()).isEqualTo(1000);
        assertThat(config.dbWriters()).isEqualTo(2);
        assertThat(config.flushInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(config.spoolMaxBytes()).isEqualTo(1L << 30);
        assertThat(config.keepPlan()).isFalse();
        assertThat(config.dbPassword()).isEmpty();
    }

    @Test
    void unknownAndInvalidKeysAreNamed()
    {
        assertThatThrownBy(() -> IcetuneConfig.fromProperties(Map.of("icetune.db.url", URL, "icetune.batchsize", "10")))
                .hasMessageContaining("unknown configuration properties: icetune.batchsize");
        assertThatThrownBy(() -> IcetuneConfig.fromProperties(Map.of("icetune.db.url", URL, "icetune.batch-size", "ten")))
                .hasMessageContaining("icetune.batch-size").hasMessageContaining("'ten'");
        assertThatThrownBy(() -> IcetuneConfig.fromProperties(Map.of("icetune.db.url", URL, "icetune.flush-interval", "soon")))
                .hasMessageContaining("icetune.flush-interval");
        assertThatThrownBy(() -> IcetuneConfig.fromProperties(Map.of("icetune.db.url", URL, "icetune.spool.max-size", "lots")))
                .hasMessageContaining("icetune.spool.max-size");
        assertThatThrownBy(() -> IcetuneConfig.fromProperties(Map.of("icetune.db.url", URL, "icetune.db.migrate", "yes")))
                .hasMessageContaining("icetune.db.migrate");
        assertThatThrownBy(() -> IcetuneConfig.fromProperties(Map.of("icetune.db.url", URL, "icetune.db.writers", "0")))
                .hasMessageContaining("icetune.db.writers").hasMessageContaining("1 to 16");
        assertThatThrownBy(() -> IcetuneConfig.fromProperties(Map.of()))
                .hasMessageContaining("icetune.db.url is required");
        assertThatThrownBy(() -> IcetuneConfig.fromProperties(Map.of("icetune.db.url", "jdbc:mysql://x/y")))
                .hasMessageContaining("jdbc:postgresql:");
    }

    @Test
    void factoryRefusesBadConfigurationSoTrinoFailsToStart()
    {
        assertThatThrownBy(() -> new IcetuneEventListenerFactory().create(Map.of("icetune.db.url", URL, "icetune.nope", "1"), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("icetune.nope");
    }

    @Test
    void passwordComesFromAFileAndNeverShows(@TempDir Path directory)
            throws Exception
    {
        Path file = directory.resolve("password");
        Files.writeString(file, "s3cret-from-file\n");
        IcetuneConfig config = IcetuneConfig.fromProperties(Map.of("icetune.db.url", URL, "icetune.db.password-file", file.toString()));
        assertThat(config.dbPassword()).contains("s3cret-from-file");
        assertThat(config.toString()).doesNotContain("s3cret").contains("****");

        IcetuneConfig inline = IcetuneConfig.fromProperties(Map.of("icetune.db.url", URL, "icetune.db.password", "inline-s3cret"));
        assertThat(inline.toString()).doesNotContain("inline-s3cret");
        assertThatThrownBy(() -> IcetuneConfig.fromProperties(Map.of("icetune.db.url", URL, "icetune.db.password", "a", "icetune.db.password-file", file.toString())))
                .hasMessageContaining("either");
        assertThatThrownBy(() -> IcetuneConfig.fromProperties(Map.of("icetune.db.url", URL, "icetune.db.password-file", directory.resolve("missing").toString())))
                .hasMessageContaining("icetune.db.password-file");
    }

    @Test
    void passwordInTheUrlIsHiddenToo()
    {
        IcetuneConfig config = IcetuneConfig.fromProperties(Map.of("icetune.db.url", URL + "?user=u&password=url-s3cret&ssl=true"));
        assertThat(config.toString()).doesNotContain("url-s3cret").contains("ssl=true");
    }
}
