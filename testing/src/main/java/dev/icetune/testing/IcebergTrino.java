package dev.icetune.testing;

import io.trino.Session;
import io.trino.plugin.iceberg.IcebergPlugin;
import io.trino.spi.eventlistener.EventListener;
import io.trino.testing.DistributedQueryRunner;
import io.trino.testing.MaterializedResult;

import java.nio.file.Files;
import java.nio.file.Path;
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

    private IcebergTrino(DistributedQueryRunner runner)
    {
        this.runner = runner;
    }

    public static IcebergTrino start(EventListener listener, String catalogDatabaseUrl, Path warehouse)
            throws Exception
    {
        LocalIcebergCatalog.prepare(catalogDatabaseUrl);
        Files.createDirectories(warehouse);
        Session session = testSessionBuilder().setCatalog(CATALOG).setSchema(SCHEMA).setSource("icetune-test").build();
        DistributedQueryRunner runner = DistributedQueryRunner.builder(session)
                .setWorkerCount(0)
                .setEventListener(listener)
                .build();
        try {
            runner.installPlugin(new IcebergPlugin());
            runner.createCatalog(CATALOG, "iceberg", LocalIcebergCatalog.trinoProperties(catalogDatabaseUrl, warehouse));
            runner.execute("CREATE SCHEMA IF NOT EXISTS " + CATALOG + "." + SCHEMA);
        }
        catch (Exception | Error e) {
            runner.close();
            throw e;
        }
        return new IcebergTrino(runner);
    }

    public MaterializedResult execute(String sql)
    {
        return runner.execute(sql);
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
        try {
            runner.execute(sql);
        }
        catch (RuntimeException e) {
            return e.getMessage();
        }
        throw new AssertionError("expected to fail: " + sql);
    }

    @Override
    public void close()
    {
        runner.close();
    }
}
