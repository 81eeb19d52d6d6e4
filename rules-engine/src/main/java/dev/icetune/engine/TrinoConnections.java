package dev.icetune.engine;

import java.sql.Connection;
import java.sql.SQLException;

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
}
