package dev.icetune.cli.command;

import dev.icetune.cli.IcetuneCli;
import dev.icetune.cli.JsonOutput;
import dev.icetune.engine.TrinoConnections;
import dev.icetune.engine.lint.QueryLinter;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;

@Command(name = "lint", description = {"Review a query before it ships: EXPLAIN through Trino, then the query-level rules.",
        "Exit codes: 0 no findings, 3 findings (2 is a usage error, 1 a failure)."})
public final class LintCommand
        extends ContextCommand
{
    @ArgGroup(exclusive = true, multiplicity = "1")
    Query query;

    static final class Query
    {
        // as people type it: icetune lint "SELECT ..."
        @Parameters(index = "0", arity = "1", paramLabel = "QUERY", description = "the query (the same as --sql)")
        String positional;

        @Option(names = "--sql", paramLabel = "SQL", description = "the query")
        String sql;

        @Option(names = "--file", paramLabel = "FILE", description = "a file holding the query; - reads it from standard input")
        Path file;

        String text()
                throws IOException
        {
            if (positional != null) {
                return positional;
            }
            if (sql != null) {
                return sql;
            }
            if (file.toString().equals("-")) {
                return new String(System.in.readAllBytes(), StandardCharsets.UTF_8);
            }
            try {
                return Files.readString(file);
            }
            catch (IOException e) {
                // the JDK's message is the path alone for a missing file ("icetune: q.sql"), the reason alone for a directory
                String reason = e instanceof NoSuchFileException ? "no such file" : e instanceof AccessDeniedException ? "permission denied" : e.getMessage();
                throw new IllegalArgumentException("cannot read --file " + file + ": " + reason, e);
            }
        }
    }

    // as in Trino's CLI: the session's catalog and schema, which unqualified table names are in
    @Option(names = "--catalog", paramLabel = "CATALOG", description = "the catalog of unqualified table names (default: icetune.trino.catalog)")
    String catalog;

    @Option(names = "--schema", paramLabel = "SCHEMA", description = "the schema of unqualified table names")
    String schema;

    @Option(names = "--json", description = "print JSON")
    boolean json;

    @Override
    public Integer call()
            throws Exception
    {
        if (query.positional != null && query.positional.strip().matches("\\S+") && Files.isRegularFile(Path.of(query.positional.strip()))) {
            // "icetune lint q.sql" sent the file's name to Trino, which said "mismatched input 'q'"
            throw new ParameterException(spec.commandLine(), "QUERY is the query's text, and %1$s is a file: icetune lint --file %1$s".formatted(query.positional.strip()));
        }
        String sql = query.text().strip().replaceAll(";$", "");
        if (sql.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "no query to lint" + (query.file == null ? "" : " in " + query.file));
        }
        TrinoConnections trino = context().requireTrino("lint runs EXPLAIN");
        Optional<String> sessionCatalog = Optional.ofNullable(catalog).or(() -> context().settings().engine().getTrinoCatalog());
        TrinoConnections session = () -> {
            Connection connection = trino.open();
            // a catalog or schema in icetune.trino.url stays, unless given here
            if (sessionCatalog.isPresent() && (catalog != null || connection.getCatalog() == null)) {
                connection.setCatalog(sessionCatalog.get());
            }
            if (schema != null) {
                connection.setSchema(schema);
            }
            return connection;
        };
        QueryLinter.Report report;
        try {
            report = new QueryLinter(session, context().iceberg(), context().thresholds()).lint(sql);
        }
        catch (SQLException e) {
            // the server's word, refusing the query or not there at all, with the key that says which server (not its URL: it may hold a password)
            String unqualified = String.valueOf(e.getMessage()).contains("must be specified when session") ? "; qualify the query's tables, or give --schema (and --catalog)" : "";
            throw new SQLException("Trino (icetune.trino.url): " + e.getMessage() + unqualified, e);
        }
        if (json) {
            out().println(JsonOutput.write(report));
        }
        else {
            out().println(report.scans().isEmpty() ? "Would scan no table." : "Would scan:");
            report.scans().forEach(scan -> out().println("  " + scan));
            out().println();
            if (report.findings().isEmpty()) {
                out().println("No findings.");
            }
            for (QueryLinter.Finding finding : report.findings()) {
                out().printf("%s%s: %s%n  suggestion: %s%n", finding.rule(), finding.table() == null ? "" : " on " + finding.table(), finding.message(), finding.suggestion());
            }
        }
        return report.findings().isEmpty() ? 0 : IcetuneCli.FINDINGS;
    }
}
