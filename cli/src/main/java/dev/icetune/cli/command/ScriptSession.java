package dev.icetune.cli.command;

import dev.icetune.engine.TrinoConnections;
import io.trino.jdbc.TrinoConnection;

import java.sql.Connection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Trino's session as a script sets it, as in Trino's CLI: the catalog (given, else icetune.trino.catalog) and schema of unqualified
 * names, and session properties. A script's USE, SET SESSION and RESET SESSION change them for the statements after them. A catalog
 * or schema in icetune.trino.url stays, unless given.
 */
final class ScriptSession
{
    private final Optional<String> defaultCatalog;
    private String catalog;
    private String schema;
    private final Map<String, String> properties = new LinkedHashMap<>();

    ScriptSession(String catalog, String schema, Optional<String> defaultCatalog)
    {
        this.catalog = catalog;
        this.schema = schema;
        this.defaultCatalog = requireNonNull(defaultCatalog, "defaultCatalog is null");
    }

    /** Whether the statement sets the session (USE, SET SESSION, RESET SESSION) rather than being a query to review. */
    static boolean setsSession(SqlStatement statement)
    {
        return statement.use().isPresent() || statement.sessionProperty().isPresent();
    }

    /** Takes what the statement sets, if it sets the session; false for a query. */
    boolean apply(SqlStatement statement)
    {
        Optional<SqlStatement.Use> use = statement.use();
        if (use.isPresent()) {
            use.get().catalog().ifPresent(name -> catalog = name);
            schema = use.get().schema();
            return true;
        }
        Optional<SqlStatement.SessionProperty> property = statement.sessionProperty();
        property.ifPresent(set -> set.value().ifPresentOrElse(value -> properties.put(set.name(), value), () -> properties.remove(set.name())));
        return property.isPresent();
    }

    /** Connections in the session as it stands when each opens. */
    TrinoConnections connections(TrinoConnections trino)
    {
        return () -> {
            Connection connection = trino.open();
            Optional<String> sessionCatalog = Optional.ofNullable(catalog).or(() -> defaultCatalog);
            if (sessionCatalog.isPresent() && (catalog != null || connection.getCatalog() == null)) {
                connection.setCatalog(sessionCatalog.get());
            }
            if (schema != null) {
                connection.setSchema(schema);
            }
            // Trino checks the names and values with the query, and names a property it does not know
            if (!properties.isEmpty()) {
                properties.forEach(connection.unwrap(TrinoConnection.class)::setSessionProperty);
            }
            return connection;
        };
    }
}
