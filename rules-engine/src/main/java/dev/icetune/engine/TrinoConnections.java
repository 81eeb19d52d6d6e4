package dev.icetune.engine;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * Opens a JDBC connection to Trino as the configured user: how fixes run statements, lint runs EXPLAIN and a catalog of
 * {@code type=trino} is read.
 */
@FunctionalInterface
public interface TrinoConnections
{
    /** The client source icetune's connections give Trino: the evidence leaves icetune's own queries out of the workload's patterns. */
    String SOURCE = "icetune";

    Connection open()
            throws SQLException;

    /**
     * Trino's catalog (an Iceberg JDBC catalog) used a connection it had kept and its database had ended: met from outside, the
     * first statement after a restart of the PostgreSQL the catalog lives in failed ("Cannot check and eventually update SQL schema:
     * FATAL: terminating connection due to administrator command"), and the same statement again ran. Nothing ran: it may be run again.
     */
    static boolean isCatalogConnectionLost(SQLException e)
    {
        // the database driver's message is a cause of Trino's, as Trino's client passes the server's failure on
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            String message = String.valueOf(cause.getMessage());
            if (CATALOG_CONNECTION_LOST.stream().anyMatch(message::contains)) {
                return true;
            }
        }
        return false;
    }

    /** Work done through Trino. */
    @FunctionalInterface
    interface Work<T>
    {
        T run()
                throws SQLException;
    }

    /** {@code work}'s result; {@code work} done once more where its first try met {@link #isCatalogConnectionLost a catalog's ended connection}. */
    static <T> T againIfCatalogConnectionLost(Work<T> work)
            throws SQLException
    {
        try {
            return work.run();
        }
        catch (SQLException e) {
            if (!isCatalogConnectionLost(e)) {
                throw e;
            }
            return work.run();
        }
    }

    /** How the PostgreSQL and MySQL drivers say a connection is gone, as Trino passes their messages on. */
    List<String> CATALOG_CONNECTION_LOST = List.of("terminating connection due to administrator command", "This connection has been closed",
            "An I/O error occurred while sending to the backend", "Communications link failure", "No operations allowed after connection closed");
}
