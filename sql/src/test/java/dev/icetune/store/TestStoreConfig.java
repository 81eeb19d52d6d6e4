package dev.icetune.store;

import io.airlift.units.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

import static io.airlift.configuration.testing.ConfigAssertions.assertFullMapping;
import static io.airlift.configuration.testing.ConfigAssertions.assertRecordedDefaults;
import static io.airlift.configuration.testing.ConfigAssertions.recordDefaults;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TestStoreConfig
{
    @Test
    void defaults()
    {
        assertRecordedDefaults(recordDefaults(StoreConfig.class)
                .setUrl(null)
                .setUser(null)
                .setPassword(null)
                .setPasswordFile(null)
                .setMigrate(true)
                .setConnectTimeout(new Duration(10, SECONDS))
                .setSocketTimeout(new Duration(60, SECONDS)));
    }

    @Test
    void everyKeyMaps()
    {
        // a password and a password file exclude each other: the inline password maps in its own test
        assertFullMapping(Map.of(
                        "icetune.db.url", "jdbc:postgresql://db:5432/icetune",
                        "icetune.db.user", "capture",
                        "icetune.db.password-file", "db-password",
                        "icetune.db.migrate", "false",
                        "icetune.db.connect-timeout", "3s",
                        "icetune.db.socket-timeout", "2m"),
                new StoreConfig()
                        .setUrl("jdbc:postgresql://db:5432/icetune")
                        .setUser("capture")
                        .setPasswordFile("db-password")
                        .setMigrate(false)
                        .setConnectTimeout(new Duration(3, SECONDS))
                        .setSocketTimeout(new Duration(2, java.util.concurrent.TimeUnit.MINUTES)),
                Set.of(StoreConfig.PASSWORD));
        assertFullMapping(Map.of("icetune.db.url", "jdbc:postgresql://db:5432/icetune", "icetune.db.password", "s3cret"),
                new StoreConfig().setUrl("jdbc:postgresql://db:5432/icetune").setPassword("s3cret"),
                Set.of("icetune.db.user", StoreConfig.PASSWORD_FILE, "icetune.db.migrate", "icetune.db.connect-timeout", "icetune.db.socket-timeout"));
    }

    @Test
    void validation()
    {
        assertThat(new StoreConfig().setUrl("jdbc:mysql://x/y").isPostgresUrl()).isFalse();
        assertThat(new StoreConfig().setUrl("jdbc:postgresql://x/y").isPostgresUrl()).isTrue();
        assertThat(new StoreConfig().setPassword("a").setPasswordFile("f").isOnePasswordSource()).isFalse();
        assertThat(new StoreConfig().setPassword("a").isOnePasswordSource()).isTrue();
    }

    @Test
    void aRelativePasswordFileResolvesAgainstTheBaseDirectory(@TempDir Path base)
            throws Exception
    {
        Files.writeString(base.resolve("db-password"), "s3cret-from-file\n");
        StoreConfig config = new StoreConfig().setUrl("jdbc:postgresql://x/y").setPasswordFile("db-password");
        assertThat(config.resolvePassword(base)).contains("s3cret-from-file");
        assertThatThrownBy(() -> config.resolvePassword(base.resolve("elsewhere")))
                .hasMessageContaining("icetune.db.password-file cannot be read").hasMessageContaining("elsewhere").hasMessageEndingWith("(no such file)");
        // saved in Latin-1 by an editor: said as the other files people edit say it
        Files.write(base.resolve("latin-1"), "s3cr\u00e9t".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> new StoreConfig().setUrl("jdbc:postgresql://x/y").setPasswordFile("latin-1").resolvePassword(base))
                .hasMessageEndingWith("(not UTF-8 text: save it as UTF-8)").hasMessageNotContaining("s3cr");
        assertThat(new StoreConfig().setPassword("inline").resolvePassword(base)).contains("inline");
    }

    @Test
    void aPasswordFileAsEditorsSaveItIsReadWithoutItsMarks(@TempDir Path base)
            throws Exception
    {
        // Windows Notepad's UTF-8: a byte order mark first, CRLF last; with md5 authentication the mark would be part of the password
        Files.write(base.resolve("db-password"), "\uFEFFs3cret\r\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(new StoreConfig().setUrl("jdbc:postgresql://x/y").setPasswordFile("db-password").resolvePassword(base)).contains("s3cret");
    }

    @Test
    void theDatabaseNeverShowsThePassword()
    {
        Database database = new Database(new StoreConfig().setUrl("jdbc:postgresql://x/y?user=u&password=url-s3cret&ssl=true").setPassword("s3cret"),
                Path.of("."), "test");
        assertThat(database.toString()).doesNotContain("s3cret").contains("ssl=true");
        assertThat(database.redactedUrl()).doesNotContain("url-s3cret");
    }
}
