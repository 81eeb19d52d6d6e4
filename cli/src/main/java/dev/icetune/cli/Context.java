package dev.icetune.cli;

import dev.icetune.engine.TrinoConnections;
import dev.icetune.engine.facts.Thresholds;
import dev.icetune.engine.iceberg.TableMetadataReader;
import dev.icetune.fixes.EffectMeasurer;
import dev.icetune.fixes.FixApplier;
import dev.icetune.engine.rules.CompiledRules;
import dev.icetune.engine.rules.RuleBook;
import dev.icetune.engine.rules.RuleBookHolder;
import dev.icetune.engine.store.Approvals;
import dev.icetune.engine.store.RecommendationStore;
import dev.icetune.store.Database;
import io.trino.jdbc.TrinoDriver;
import org.jdbi.v3.core.Jdbi;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Consumer;

import static java.util.Objects.requireNonNull;

/**
 * What the commands work with, built once per run and only as far as a command needs it: the settings from
 * {@code --config}, the database (migrated when {@code icetune.db.migrate} is on), the recommendation store,
 * the rule book, the Iceberg catalog and Trino. Closes what it opened.
 */
public final class Context
        implements AutoCloseable
{
    static final String APPLICATION_NAME = "icetune-cli";

    private final Path configFile;
    private final Map<String, String> environment;
    private Settings settings;
    private Database database;
    private volatile boolean schemaReady;
    private Jdbi jdbi;
    private RecommendationStore store;
    private Optional<TableMetadataReader> iceberg;

    Context(Path configFile, Map<String, String> environment)
    {
        this.configFile = requireNonNull(configFile, "configFile is null");
        this.environment = Map.copyOf(environment);
    }

    public Path configFile()
    {
        return configFile;
    }

    /** The rules without a configuration: rules/ in the working directory, else the installation's own. */
    public Path standardRules()
    {
        return Settings.standardRules(Path.of(""), environment);
    }

    public Settings settings()
    {
        if (settings == null) {
            settings = Settings.load(configFile, environment);
        }
        return settings;
    }

    public Database database()
    {
        if (database == null) {
            database = new Database(settings().store(), settings().baseDirectory(), APPLICATION_NAME);
        }
        return database;
    }

    /**
     * Connections whose first successful use migrates the schema (when icetune.db.migrate is on; when it is off, checks
     * that it is migrated). A database that is down fails that use, and the next one tries again: the service outlives
     * outages this way.
     */
    public Jdbi jdbi()
    {
        if (jdbi == null) {
            Database opened = database();
            jdbi = Database.jdbi(() -> {
                if (!schemaReady) {
                    synchronized (this) {
                        if (!schemaReady) {
                            opened.requireCurrentSchema();
                            schemaReady = true;
                        }
                    }
                }
                return opened.open();
            });
        }
        return jdbi;
    }

    /**
     * The next use of {@link #jdbi()} checks the schema again, migrating it when icetune.db.migrate is on: for a service whose
     * database lost it (a failover to a fresh server behind the URL, a restored backup), as the listener does.
     */
    public void checkSchemaAgain()
    {
        schemaReady = false;
    }

    public RecommendationStore store()
    {
        if (store == null) {
            store = new RecommendationStore(jdbi(), approvals());
        }
        return store;
    }

    public Approvals approvals()
    {
        return Approvals.parse(settings().engine().getApprovers(), settings().engine().getAutoApprove());
    }

    public RuleBookHolder rules(Consumer<String> problems)
    {
        return new RuleBookHolder(settings().rulesDirectory(), compiledRules(), problems);
    }

    /** Where rules compiled by an earlier command are kept: the user's cache, as the launcher's class-data archive. */
    public CompiledRules compiledRules()
    {
        return CompiledRules.userCache(environment);
    }

    /** The thresholds of the configured rules directory, without compiling its rules. */
    public Thresholds thresholds()
    {
        return RuleBook.thresholds(settings().rulesDirectory());
    }

    /** What measures applied fixes, with {@code thresholds}' effect.* (the service's, read as it evaluates). */
    public EffectMeasurer effectMeasurer(Thresholds thresholds)
    {
        return new EffectMeasurer(jdbi(), store(), iceberg(), (int) thresholds.get("effect.min_queries"), thresholds.get("effect.min_change"),
                thresholds.get("estimate.file_open_bytes"));
    }

    /** The Iceberg catalogs' metadata reader, when the configuration names a catalog. */
    public Optional<TableMetadataReader> iceberg()
    {
        if (iceberg == null) {
            Settings current = settings();
            iceberg = current.hasIcebergCatalog()
                    ? Optional.of(new TableMetadataReader(current.icebergCatalogs(), trino()))
                    : Optional.empty();
        }
        return iceberg;
    }

    /** The applier of fixes, with the rewrite pieces of the configuration. */
    public FixApplier fixApplier(String purpose)
    {
        return new FixApplier(jdbi(), store(), requireIceberg(purpose), trino(), settings().engine().getRewritePieceSize().toBytes(),
                settings().engine().getRewritePieceFiles(), settings().engine().getRewritePiecePartitions());
    }

    public TableMetadataReader requireIceberg(String purpose)
    {
        return iceberg().orElseThrow(() -> new IllegalArgumentException(purpose + " needs the Iceberg catalog: set icetune.trino.catalog and iceberg.catalog.* (or iceberg.catalogs.NAME.*) in " + configFile));
    }

    /** Connections to Trino as icetune.trino.user, when icetune.trino.url is set. */
    public Optional<TrinoConnections> trino()
    {
        Settings current = settings();
        return current.engine().getTrinoUrl().map(url -> () -> {
            Properties properties = new Properties();
            properties.setProperty("user", current.engine().getTrinoUser());
            properties.setProperty("source", TrinoConnections.SOURCE);
            current.trinoPassword().ifPresent(password -> properties.setProperty("password", password));
            return new TrinoDriver().connect(url, properties);
        });
    }

    public TrinoConnections requireTrino(String purpose)
    {
        return trino().orElseThrow(() -> new IllegalArgumentException(purpose + " through Trino: set icetune.trino.url in " + configFile));
    }

    @Override
    public void close()
    {
        if (iceberg != null && iceberg.isPresent()) {
            try {
                iceberg.get().close();
            }
            catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
