package dev.icetune.cli.command;

import dev.icetune.cli.IcetuneCli;
import dev.icetune.cli.JsonOutput;
import dev.icetune.engine.TrinoConnections;
import dev.icetune.engine.lint.QueryLinter;
import dev.icetune.store.TextFiles;
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
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

@Command(name = "lint", description = {"Review a query before it ships: EXPLAIN through Trino, then the query-level rules.",
        "A file of several statements, each ended by a semicolon, is reviewed statement by statement (USE, SET SESSION and RESET SESSION set the session for those after it; "
                + "--json then prints a list, one report or error a statement).",
        "Exit codes: 0 no findings, 3 findings (2 is a usage error, 1 a failure)."})
public final class LintCommand
        extends ContextCommand
{
    @ArgGroup(exclusive = true, multiplicity = "1")
    Query query;

    static final class Query
    {
        // as people type it: icetune lint "SELECT ..."
        @Parameters(index = "0", arity = "1", paramLabel = "QUERY", description = "the query (the same as --sql); - reads it from standard input")
        String positional;

        @Option(names = "--sql", paramLabel = "SQL", description = "the query")
        String sql;

        @Option(names = "--file", paramLabel = "FILE", description = "a file holding the query; - reads it from standard input")
        Path file;

        /** "-" is no query: as in other tools, standard input, whether given alone or as --file. */
        boolean fromStandardInput()
        {
            return "-".equals(positional) || (file != null && file.toString().equals("-"));
        }

        String text()
                throws IOException
        {
            if (fromStandardInput()) {
                return TextFiles.withoutByteOrderMark(new String(System.in.readAllBytes(), StandardCharsets.UTF_8));
            }
            if (positional != null) {
                return positional;
            }
            if (sql != null) {
                return sql;
            }
            try {
                return TextFiles.read(file);
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
        List<SqlStatement> statements = SqlStatement.split(query.text());
        long queries = statements.stream().filter(statement -> !ScriptSession.setsSession(statement)).count();
        if (queries == 0) {
            throw new ParameterException(spec.commandLine(), "no query to lint" + (query.fromStandardInput() ? " in -" : query.file != null ? " in " + query.file : ""));
        }
        TrinoConnections trino = context().requireTrino("lint runs EXPLAIN");
        ScriptSession session = new ScriptSession(catalog, schema, context().settings().engine().getTrinoCatalog());
        QueryLinter linter = new QueryLinter(session.connections(trino), context().iceberg(), context().thresholds());
        // each statement in turn, in the session the statements before it set; in a script of several queries, one that Trino
        // refuses does not stop the others
        List<Linted> linted = new ArrayList<>();
        for (SqlStatement statement : statements) {
            if (session.apply(statement)) {
                continue;
            }
            if (queries == 1) {
                QueryLinter.Report report = lint(linter, statement);
                out().println(json ? JsonOutput.write(report) : text(report));
                return report.findings().isEmpty() ? 0 : IcetuneCli.FINDINGS;
            }
            int number = linted.size() + 1;
            String where = "statement %d, line %d".formatted(number, statement.line());
            try {
                QueryLinter.Report report = lint(linter, statement);
                linted.add(new Linted(number, statement.line(), statement.text(), report, null));
                if (!json) {
                    out().printf("-- %s: %s%n%s%n", where, statement.headline(), text(report));
                }
            }
            catch (SQLException e) {
                linted.add(new Linted(number, statement.line(), statement.text(), null, e.getMessage()));
                err().println("icetune: " + where + ": " + e.getMessage());
            }
        }
        if (json) {
            out().println(JsonOutput.write(linted));
        }
        return linted.stream().anyMatch(each -> each.error() != null) ? IcetuneCli.FAILED
                : linted.stream().anyMatch(each -> !each.report().findings().isEmpty()) ? IcetuneCli.FINDINGS : 0;
    }

    /** One statement of a script as --json prints it: its report, or what Trino said of it. */
    record Linted(int statement, int line, String query, QueryLinter.Report report, String error) {}

    private static QueryLinter.Report lint(QueryLinter linter, SqlStatement statement)
            throws SQLException
    {
        try {
            return linter.lint(statement.text());
        }
        catch (SQLException e) {
            // the server's word, refusing the query or not there at all, with the key that says which server (not its URL: it may hold a password)
            String message = statement.placedInScript(String.valueOf(e.getMessage()));
            throw new SQLException("Trino (icetune.trino.url): " + message + advice(message), e);
        }
    }

    /** What to do about what Trino refused, where a person linting a dashboard's query meets it. */
    private static String advice(String message)
    {
        if (message.contains("must be specified when session")) {
            return "; qualify the query's tables, or give --schema (and --catalog)";
        }
        if (message.contains("Incorrect number of parameters")) {
            // a prepared statement's text, as query_logs keeps a dashboard's: the plan depends on the values
            return "; lint the query with a value in place of each ?, as it runs";
        }
        return "";
    }

    /** A report as a person reads it: the scans, then each finding with its suggestion. */
    private static String text(QueryLinter.Report report)
    {
        StringBuilder text = new StringBuilder(report.scans().isEmpty() ? "Would scan no Iceberg table.\n" : "Would scan:\n");
        report.scans().forEach(scan -> text.append("  ").append(scan).append('\n'));
        text.append('\n');
        if (report.findings().isEmpty()) {
            text.append("No findings.\n");
        }
        for (QueryLinter.Finding finding : report.findings()) {
            text.append("%s%s: %s%n  suggestion: %s%n".formatted(finding.rule(), finding.table() == null ? "" : " on " + finding.table(), finding.message(), finding.suggestion()));
        }
        return text.toString().stripTrailing();
    }
}
