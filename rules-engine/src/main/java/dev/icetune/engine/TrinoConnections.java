package dev.icetune.engine;

import java.sql.Connection;
import java.sql.SQLException;

/** Opens a JDBC connection to Trino as the configured user: how fixes run statements and lint runs EXPLAIN. */
@FunctionalInterface
public interface TrinoConnections
{
    Connection open()
            throws SQLException;
}
