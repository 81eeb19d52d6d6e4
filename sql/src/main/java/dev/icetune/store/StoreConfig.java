package dev.icetune.store;

import io.airlift.configuration.Config;
import io.airlift.configuration.ConfigDescription;
import io.airlift.configuration.ConfigSecuritySensitive;
import io.airlift.units.Duration;
import io.airlift.units.MaxDuration;
import io.airlift.units.MinDuration;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.NotNull;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

import static java.util.concurrent.TimeUnit.SECONDS;

/**
 * The {@code icetune.db.*} keys: where the query logs and recommendations live. The capture plugin and the
 * CLI read the same class, so a key means the same in both, is validated the same way, and a relative
 * password file resolves against the same kind of base (Trino's data directory for the plugin, the config
 * file's directory for the CLI).
 */
public class StoreConfig
{
    public static final String URL = "icetune.db.url";
    public static final String PASSWORD = "icetune.db.password";
    public static final String PASSWORD_FILE = "icetune.db.password-file";

    private String url;
    private String user;
    private String password;
    private String passwordFile;
    private boolean migrate = true;
    private Duration connectTimeout = new Duration(10, SECONDS);
    private Duration socketTimeout = new Duration(60, SECONDS);

    @NotNull(message = "is required, e.g. jdbc:postgresql://host:5432/icetune")
    public String getUrl()
    {
        return url;
    }

    @Config(URL)
    // the driver takes a password in the URL too: Trino's log of the configuration at start shows it as [REDACTED], and icetune's own
    // lines show the URL without it (Database.redactedUrl)
    @ConfigSecuritySensitive
    @ConfigDescription("jdbc:postgresql://host:port/database; driver parameters may follow (?ssl=true&...)")
    public StoreConfig setUrl(String url)
    {
        this.url = url;
        return this;
    }

    public Optional<String> getUser()
    {
        return Optional.ofNullable(user).filter(value -> !value.isBlank());
    }

    @Config("icetune.db.user")
    @ConfigDescription("database user")
    public StoreConfig setUser(String user)
    {
        this.user = user;
        return this;
    }

    public Optional<String> getPassword()
    {
        return Optional.ofNullable(password).filter(value -> !value.isEmpty());
    }

    @Config(PASSWORD)
    @ConfigSecuritySensitive
    @ConfigDescription("database password; or " + PASSWORD_FILE)
    public StoreConfig setPassword(String password)
    {
        this.password = password;
        return this;
    }

    public Optional<String> getPasswordFile()
    {
        return Optional.ofNullable(passwordFile).filter(value -> !value.isBlank());
    }

    @Config(PASSWORD_FILE)
    @ConfigDescription("file whose content is the password, read again at each new connection (a rotated password needs no restart); a relative path resolves against Trino's data directory (plugin) or the config file's directory (CLI)")
    public StoreConfig setPasswordFile(String passwordFile)
    {
        this.passwordFile = passwordFile;
        return this;
    }

    public boolean isMigrate()
    {
        return migrate;
    }

    @Config("icetune.db.migrate")
    @ConfigDescription("apply pending schema migrations at start-up")
    public StoreConfig setMigrate(boolean migrate)
    {
        this.migrate = migrate;
        return this;
    }

    @MinDuration("1s")
    @MaxDuration("10m")
    public Duration getConnectTimeout()
    {
        return connectTimeout;
    }

    @Config("icetune.db.connect-timeout")
    @ConfigDescription("longest wait to connect and log in; a server that accepts TCP but never answers fails after it")
    public StoreConfig setConnectTimeout(Duration connectTimeout)
    {
        this.connectTimeout = connectTimeout;
        return this;
    }

    @MinDuration("1s")
    @MaxDuration("1h")
    public Duration getSocketTimeout()
    {
        return socketTimeout;
    }

    @Config("icetune.db.socket-timeout")
    @ConfigDescription("longest wait for any answer of the server once connected (a statement, a COPY)")
    public StoreConfig setSocketTimeout(Duration socketTimeout)
    {
        this.socketTimeout = socketTimeout;
        return this;
    }

    @AssertTrue(message = "icetune.db.url must be a PostgreSQL JDBC URL: jdbc:postgresql://host:port/database")
    public boolean isPostgresUrl()
    {
        return url == null || url.startsWith("jdbc:postgresql:");
    }

    @AssertTrue(message = "set either icetune.db.password or icetune.db.password-file, not both")
    public boolean isOnePasswordSource()
    {
        return getPassword().isEmpty() || getPasswordFile().isEmpty();
    }

    /** The password, read from the password file (relative to {@code baseDirectory}) when that is how it is given. */
    public Optional<String> resolvePassword(Path baseDirectory)
    {
        return getPasswordFile().isEmpty() ? getPassword() : readPasswordFile(baseDirectory.resolve(getPasswordFile().get()));
    }

    /**
     * The content of a password file, without the line end and byte order mark editors add (with md5 authentication the mark would
     * become part of the password; SCRAM happens to drop it); empty for an empty file.
     */
    public static Optional<String> readPasswordFile(Path file)
    {
        try {
            return Optional.of(TextFiles.read(file).strip()).filter(value -> !value.isEmpty());
        }
        catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(PASSWORD_FILE + " cannot be read: " + file + " (" + why(e, file) + ")", e);
        }
    }

    /** What a file's failure says beyond its name: a file system's exceptions name only the file (no file content, no secret). */
    private static String why(Exception e, Path file)
    {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        return e.getMessage() == null || e.getMessage().equals(file.toString()) ? e.getClass().getSimpleName() : e.getMessage();
    }
}
