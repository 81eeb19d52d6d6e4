package dev.icetune.testing;

import io.trino.Session;
import io.trino.plugin.iceberg.IcebergPlugin;
import io.trino.spi.eventlistener.EventListener;
import io.trino.testing.DistributedQueryRunner;
import io.trino.testing.MaterializedResult;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static io.trino.testing.TestingSession.testSessionBuilder;

/**
 * A real in-process Trino 483 with the real Iceberg connector: a JDBC catalog kept in PostgreSQL and a
 * local warehouse directory, as in ../shared/README.md.
 */
public final class IcebergTrino
        implements AutoCloseable
{
    public static final String CATALOG = "iceberg";
    public static final String SCHEMA = "demo";

    private final DistributedQueryRunner runner;
    private final EventListener listener;

    private IcebergTrino(DistributedQueryRunner runner, EventListener listener)
    {
        this.runner = runner;
        this.listener = listener;
    }

    public static IcebergTrino start(EventListener listener, String catalogDatabaseUrl, Path warehouse)
            throws Exception
    {
        return start(listener, catalogDatabaseUrl, warehouse, Map.of());
    }

    /** With server properties of its own, e.g. {@link #spilling(Path)}. */
    public static IcebergTrino start(EventListener listener, String catalogDatabaseUrl, Path warehouse, Map<String, String> serverProperties)
            throws Exception
    {
        return start(listener, catalogDatabaseUrl, warehouse, serverProperties, Map.of());
    }

    /** With server properties and Iceberg catalog properties of its own (e.g. {@code iceberg.target-max-file-size}). */
    public static IcebergTrino start(EventListener listener, String catalogDatabaseUrl, Path warehouse, Map<String, String> serverProperties,
            Map<String, String> catalogProperties)
            throws Exception
    {
        LocalIcebergCatalog.prepare(catalogDatabaseUrl);
        Files.createDirectories(warehouse);
        Session session = testSessionBuilder().setCatalog(CATALOG).setSchema(SCHEMA).setSource("icetune-test").build();
        DistributedQueryRunner runner = DistributedQueryRunner.builder(session)
                .setWorkerCount(0)
                .setEventListener(listener)
                .setExtraProperties(serverProperties)
                .build();
        try {
            runner.installPlugin(new IcebergPlugin());
            Map<String, String> catalog = new HashMap<>(LocalIcebergCatalog.trinoProperties(catalogDatabaseUrl, warehouse));
            catalog.putAll(catalogProperties);
            runner.createCatalog(CATALOG, "iceberg", catalog);
            runner.execute("CREATE SCHEMA IF NOT EXISTS " + CATALOG + "." + SCHEMA);
        }
        catch (Exception | Error e) {
            runner.close();
            listener.shutdown();
            throw e;
        }
        return new IcebergTrino(runner, listener);
    }

    /**
     * Server properties under which a query run with session property {@code spill_enabled} spills what it can to
     * {@code directory} (memory is revoked as soon as it is taken, as Trino's own spill tests do); others do not spill.
     */
    public static Map<String, String> spilling(Path directory)
    {
        return Map.of("spiller-spill-path", directory.toAbsolutePath().toString(), "spiller-max-used-space-threshold", "1.0",
                "memory-revoking-threshold", "0.0", "memory-revoking-target", "0.0");
    }

    public MaterializedResult execute(String sql)
    {
        return runner.execute(sql);
    }

    /** Runs a query with these session properties; returns its query id. */
    public String run(Map<String, String> sessionProperties, String sql)
    {
        return runner.executeWithPlan(session(sessionProperties), sql).queryId().toString();
    }

    private Session session(Map<String, String> sessionProperties)
    {
        Session.SessionBuilder session = Session.builder(runner.getDefaultSession());
        sessionProperties.forEach(session::setSystemProperty);
        return session.build();
    }

    /** Another catalog beside the JDBC one, e.g. an Iceberg catalog on Trino's file metastore. */
    public void createCatalog(String name, String connector, Map<String, String> properties)
    {
        runner.createCatalog(name, connector, properties);
    }

    /** The coordinator's address for the Trino JDBC driver, as a client outside the process would use it. */
    public String jdbcUrl()
    {
        return "jdbc:trino://" + runner.getCoordinator().getBaseUrl().getHost() + ":" + runner.getCoordinator().getBaseUrl().getPort() + "/" + CATALOG + "/" + SCHEMA;
    }

    /** Runs a query; returns its query id, by which the test finds its captured row. */
    public String run(String sql)
    {
        return runner.executeWithPlan(runner.getDefaultSession(), sql).queryId().toString();
    }

    /** Runs a query that must fail; returns the failure message. */
    public String executeFailing(String sql)
    {
        return executeFailing(Map.of(), sql);
    }

    /** Runs a query that must fail with these session properties (e.g. {@code query_max_execution_time}); returns the failure message. */
    public String executeFailing(Map<String, String> sessionProperties, String sql)
    {
        try {
            runner.execute(session(sessionProperties), sql);
        }
        catch (RuntimeException e) {
            return e.getMessage();
        }
        throw new AssertionError("expected to fail: " + sql);
    }

    /** Stops Trino, then the listener it reported to: Trino's last events reach the listener, which writes them before it stops. */
    @Override
    public void close()
    {
        runner.close();
        listener.shutdown();
    }
}
