package dev.icetune.rules.cli;

import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.icetune.rules.EngineConfig;
import dev.icetune.rules.apply.FixApplier;
import dev.icetune.rules.apply.QueryLinter;
import dev.icetune.rules.engine.Evaluator;
import dev.icetune.rules.engine.RuleBook;
import dev.icetune.rules.engine.RuleBookException;
import dev.icetune.rules.engine.RuleBookHolder;
import dev.icetune.rules.engine.Scenarios;
import dev.icetune.rules.facts.Recommendation;
import dev.icetune.rules.iceberg.TableFactSource;
import dev.icetune.rules.iceberg.TableMetadataReader;
import dev.icetune.rules.store.RecommendationStore;
import dev.icetune.sql.SchemaMigrator;
import io.micrometer.core.instrument.Clock;
import io.micrometer.jmx.JmxConfig;
import io.micrometer.jmx.JmxMeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.jdbi.v3.core.Jdbi;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code bin/icetune}: evaluate the rules, read recommendations, validate and test rule edits. */
@Command(name = "icetune", mixinStandardHelpOptions = true, version = "icetune 0.1.0",
        description = "The Trino + Iceberg query-optimization runbook, run by software.",
        subcommands = {IcetuneCli.Evaluate.class, IcetuneCli.Recommendations.class, IcetuneCli.Apply.class, IcetuneCli.Rollback.class, IcetuneCli.Report.class, IcetuneCli.Lint.class, IcetuneCli.Rules.class,
                IcetuneCli.Migrate.class})
public final class IcetuneCli
{
    static final ObjectWriter JSON = JsonMapper.builder().findAndAddModules().disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).build()
            .writerWithDefaultPrettyPrinter();

    @Option(names = "--config", description = "properties file: icetune.db.*, windows, iceberg.catalog.* (default: ${DEFAULT-VALUE})",
            defaultValue = "icetune.properties", scope = CommandLine.ScopeType.INHERIT)
    Path config;

    private final PrintStream out;
    private final PrintStream err;

    IcetuneCli(PrintStream out, PrintStream err)
    {
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args)
    {
        System.exit(run(args, System.out, System.err));
    }

    public static int run(String[] args, PrintStream out, PrintStream err)
    {
        CommandLine commandLine = new CommandLine(new IcetuneCli(out, err));
        commandLine.setOut(new java.io.PrintWriter(out, true));
        commandLine.setErr(new java.io.PrintWriter(err, true));
        commandLine.setExecutionExceptionHandler((exception, line, parsed) -> {
            // a clear message, not a stack trace: bad config, a database that is not there, rules that do not compile
            if (exception instanceof RuleBookException rules) {
                err.println("icetune: rules do not compile:\n  " + String.join("\n  ", rules.problems()));
            }
            else {
                err.println("icetune: " + exception.getMessage());
            }
            return 1;
        });
        return commandLine.execute(args);
    }

    EngineConfig engineConfig()
    {
        if (!config.toFile().isFile()) {
            throw new IllegalArgumentException("no config file " + config.toAbsolutePath() + " (pass --config FILE)");
        }
        return EngineConfig.load(config, System.getenv());
    }

    Jdbi jdbi(EngineConfig engine)
    {
        if (engine.migrate()) {
            SchemaMigrator.migrate(engine.dbUrl(), engine.dbUser(), engine.dbPassword());
        }
        java.util.Properties properties = new java.util.Properties();
        engine.dbUser().ifPresent(user -> properties.setProperty("user", user));
        engine.dbPassword().ifPresent(password -> properties.setProperty("password", password));
        properties.setProperty("ApplicationName", "icetune-rules-engine");
        return Jdbi.create(engine.dbUrl(), properties);
    }

    /** The Iceberg catalog's metadata reader, when the configuration names the catalog. */
    static Optional<TableMetadataReader> iceberg(EngineConfig engine)
    {
        return engine.hasIcebergCatalog()
                ? Optional.of(new TableMetadataReader(engine.trinoCatalog().orElseThrow(), engine.icebergCatalogName(), engine.icebergCatalogProperties()))
                : Optional.empty();
    }

    TableMetadataReader requireIceberg(EngineConfig engine, String purpose)
    {
        return iceberg(engine).orElseThrow(() -> new IllegalArgumentException(purpose + " needs the Iceberg catalog: set icetune.trino.catalog and iceberg.catalog.* in " + config));
    }

    Optional<FixApplier.TrinoConnections> trino(EngineConfig engine)
    {
        return engine.trinoUrl().map(url -> () -> {
            java.util.Properties properties = new java.util.Properties();
            properties.setProperty("user", engine.trinoUser());
            engine.trinoPassword().ifPresent(password -> properties.setProperty("password", password));
            return new io.trino.jdbc.TrinoDriver().connect(url, properties);
        });
    }

    void json(Object value)
            throws Exception
    {
        out.println(JSON.writeValueAsString(value));
    }

    @Command(name = "evaluate", description = "Read query_logs and Iceberg metadata, run the rules, record the recommendations.")
    static final class Evaluate
            implements Callable<Integer>
    {
        @ParentCommand
        IcetuneCli cli;

        @Option(names = "--service", description = "evaluate every icetune.evaluate.interval until stopped; rule edits are picked up between runs")
        boolean service;

        @Option(names = "--json", description = "print the result as JSON")
        boolean json;

        @Override
        public Integer call()
                throws Exception
        {
            EngineConfig engine = cli.engineConfig();
            Jdbi jdbi = cli.jdbi(engine);
            Optional<TableMetadataReader> iceberg = iceberg(engine);
            RuleBookHolder rules = new RuleBookHolder(engine.rulesDirectory(), message -> cli.err.println("icetune: " + message));
            // the service's meters go to JMX (domain icetune), and to Prometheus on icetune.metrics.port when set
            CompositeMeterRegistry meters = new CompositeMeterRegistry();
            meters.add(new JmxMeterRegistry(new JmxConfig()
            {
                @Override
                public String get(String key)
                {
                    return null;
                }

                @Override
                public String domain()
                {
                    return "icetune";
                }
            }, Clock.SYSTEM));
            com.sun.net.httpserver.HttpServer metricsServer = null;
            if (engine.metricsPort() > 0) {
                PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
                meters.add(prometheus);
                metricsServer = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress(engine.metricsPort()), 0);
                metricsServer.createContext("/metrics", exchange -> {
                    byte[] body = prometheus.scrape().getBytes(java.nio.charset.StandardCharsets.UTF_8);
                    exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
                    exchange.sendResponseHeaders(200, body.length);
                    exchange.getResponseBody().write(body);
                    exchange.close();
                });
                metricsServer.start();
                cli.err.println("==> Prometheus metrics on http://0.0.0.0:" + engine.metricsPort() + "/metrics");
            }
            Evaluator evaluator = new Evaluator(jdbi, rules, iceberg.map(TableFactSource.class::cast), engine.window(), engine.baseline(), engine.resolveAfter(),
                    new RecommendationStore(jdbi, engine.approvals()), meters);
            try {
                while (true) {
                    Evaluator.Result result = evaluator.evaluate(Instant.now(), step -> cli.err.println("==> " + step));
                    if (json) {
                        Map<String, Object> document = new LinkedHashMap<>();
                        document.put("evaluation", result.evaluationId());
                        document.put("window_start", result.windowStart().toString());
                        document.put("window_end", result.windowEnd().toString());
                        document.put("facts", result.facts());
                        document.put("fired", result.firedByRule());
                        document.put("outcome", result.outcome());
                        document.put("recommendations", result.recommendations());
                        cli.json(document);
                    }
                    else {
                        TextTable table = new TextTable(70, "RULE", "TARGET", "SEVERITY", "LEVEL", "FIX");
                        for (Recommendation recommendation : result.recommendations()) {
                            table.row(recommendation.ruleId(), recommendation.target(), recommendation.severity(), recommendation.level(), recommendation.proposedFix());
                        }
                        table.print(cli.out);
                    }
                    if (!service) {
                        return 0;
                    }
                    Thread.sleep(engine.interval());
                }
            }
            finally {
                if (metricsServer != null) {
                    metricsServer.stop(0);
                }
                meters.close();
                if (iceberg.isPresent()) {
                    iceberg.get().close();
                }
            }
        }
    }

    @Command(name = "recommendations", description = "List or show recommendations.",
            subcommands = {Recommendations.ListRecommendations.class, Recommendations.Show.class, Recommendations.Approve.class, Recommendations.Reject.class})
    static final class Recommendations
    {
        @ParentCommand
        IcetuneCli cli;

        RecommendationStore store()
        {
            EngineConfig engine = cli.engineConfig();
            return new RecommendationStore(cli.jdbi(engine), engine.approvals());
        }

        @Command(name = "approve", description = "Approve an open recommendation (only identities in icetune.approvers).")
        static final class Approve
                implements Callable<Integer>
        {
            @ParentCommand
            Recommendations parent;

            @Parameters(index = "0", description = "recommendation id")
            long id;

            @Option(names = "--by", required = true, description = "who approves")
            String by;

            @Option(names = "--reason", description = "why")
            String reason;

            @Override
            public Integer call()
            {
                RecommendationStore.Stored approved = parent.store().approve(id, by, reason);
                parent.cli.out.printf("#%d %s on %s approved by %s%n", approved.id(), approved.ruleId(), approved.target(), by);
                return 0;
            }
        }

        @Command(name = "reject", description = "Reject an open or approved recommendation (only identities in icetune.approvers).")
        static final class Reject
                implements Callable<Integer>
        {
            @ParentCommand
            Recommendations parent;

            @Parameters(index = "0", description = "recommendation id")
            long id;

            @Option(names = "--by", required = true, description = "who rejects")
            String by;

            @Option(names = "--reason", required = true, description = "why")
            String reason;

            @Override
            public Integer call()
            {
                RecommendationStore.Stored rejected = parent.store().reject(id, by, reason);
                parent.cli.out.printf("#%d %s on %s rejected by %s%n", rejected.id(), rejected.ruleId(), rejected.target(), by);
                return 0;
            }
        }

        @Command(name = "list", description = "Recommendations, most severe first.")
        static final class ListRecommendations
                implements Callable<Integer>
        {
            @ParentCommand
            Recommendations parent;

            @Option(names = "--status", description = "only this status: open, approved, rejected, applied, verified, regressed, resolved")
            String status;

            @Option(names = "--json", description = "print JSON")
            boolean json;

            @Override
            public Integer call()
                    throws Exception
            {
                List<RecommendationStore.Stored> all = parent.store().list(Optional.ofNullable(status));
                if (json) {
                    parent.cli.json(all);
                    return 0;
                }
                TextTable table = new TextTable(60, "ID", "STATUS", "SEVERITY", "LEVEL", "RULE", "TARGET", "LAST SEEN", "SEEN");
                all.forEach(each -> table.row(each.id(), each.status(), each.severity(), each.level(), each.ruleId(), each.target(), each.lastSeen(), each.timesSeen()));
                table.print(parent.cli.out);
                return 0;
            }
        }

        @Command(name = "show", description = "One recommendation with its evidence, fix and history.")
        static final class Show
                implements Callable<Integer>
        {
            @ParentCommand
            Recommendations parent;

            @Parameters(index = "0", description = "recommendation id")
            long id;

            @Option(names = "--json", description = "print JSON")
            boolean json;

            @Override
            public Integer call()
                    throws Exception
            {
                RecommendationStore store = parent.store();
                RecommendationStore.Stored found = store.find(id).orElseThrow(() -> new IllegalArgumentException("no recommendation " + id));
                List<RecommendationStore.HistoryEntry> history = store.history(id);
                PrintStream out = parent.cli.out;
                if (json) {
                    parent.cli.json(Map.of("recommendation", found, "history", history));
                    return 0;
                }
                out.printf("#%d %s on %s %s: %s, %s, %s%n", found.id(), found.ruleId(), found.targetType().toLowerCase(), found.target(), found.status(),
                        found.severity(), found.level());
                out.println();
                out.println(found.explanation());
                out.println();
                out.println("Proposed fix:");
                out.println("  " + found.proposedFix());
                out.println();
                out.println("Evidence:");
                found.evidence().forEach((name, value) -> out.printf("  %-28s %s%n", name, value));
                out.println();
                out.printf("First seen %s, last seen %s, %d times.%n%n", found.firstSeen(), found.lastSeen(), found.timesSeen());
                TextTable table = new TextTable(80, "AT", "FROM", "TO", "BY", "REASON");
                history.forEach(entry -> table.row(entry.at(), entry.fromStatus(), entry.toStatus(), entry.actor(), entry.reason()));
                table.print(out);
                return 0;
            }
        }
    }

    @Command(name = "rules", description = "Check the platform team's rules.", subcommands = {Rules.Validate.class, Rules.Test.class})
    static final class Rules
    {
        @ParentCommand
        IcetuneCli cli;

        @Option(names = "--dir", description = "rules directory (default: ${DEFAULT-VALUE})", defaultValue = "rules", scope = CommandLine.ScopeType.INHERIT)
        Path directory;

        @Command(name = "validate", description = "Compile every DRL file and read the thresholds; print each error with file and line.")
        static final class Validate
                implements Callable<Integer>
        {
            @ParentCommand
            Rules parent;

            @Override
            public Integer call()
            {
                RuleBook book = RuleBook.load(parent.directory);
                parent.cli.out.printf("%d rules in %s compile; %d thresholds.%n", book.ruleNames().size(), parent.directory, book.thresholds().values().size());
                book.ruleNames().forEach(name -> parent.cli.out.println("  " + name));
                return 0;
            }
        }

        @Command(name = "test", description = "Run the scenarios in <dir>/scenarios: facts in, expected recommendations out.")
        static final class Test
                implements Callable<Integer>
        {
            @ParentCommand
            Rules parent;

            @Option(names = "--json", description = "print JSON")
            boolean json;

            @Override
            public Integer call()
                    throws Exception
            {
                List<Scenarios.Result> results = Scenarios.run(RuleBook.load(parent.directory), parent.directory.resolve("scenarios"));
                long failed = results.stream().filter(result -> !result.passed()).count();
                if (json) {
                    parent.cli.json(results);
                }
                else {
                    for (Scenarios.Result result : results) {
                        parent.cli.out.printf("%s  %s: %s%n", result.passed() ? "PASS" : "FAIL", result.file(), result.scenario());
                        if (!result.passed()) {
                            if (result.error() != null) {
                                parent.cli.out.println("      error: " + result.error());
                            }
                            if (!result.missing().isEmpty()) {
                                parent.cli.out.println("      expected but not produced: " + result.missing());
                            }
                            if (!result.unexpected().isEmpty()) {
                                parent.cli.out.println("      produced but not expected: " + result.unexpected());
                            }
                        }
                    }
                    parent.cli.out.printf("%d passed, %d failed%n", results.size() - failed, failed);
                }
                return failed == 0 && !results.isEmpty() ? 0 : 1;
            }
        }
    }

    @Command(name = "apply", description = "Apply an approved fix (Iceberg metadata changes through the Iceberg API), or show what it would change.")
    static final class Apply
            implements Callable<Integer>
    {
        @ParentCommand
        IcetuneCli cli;

        @Parameters(index = "0", arity = "0..1", description = "recommendation id")
        Long id;

        @Option(names = "--all-approved", description = "every approved recommendation")
        boolean allApproved;

        @Option(names = "--dry-run", description = "print exactly what would change, change nothing")
        boolean dryRun;

        @Option(names = "--by", required = true, description = "who applies")
        String by;

        @Override
        public Integer call()
                throws Exception
        {
            if ((id == null) == !allApproved) {
                throw new IllegalArgumentException("give a recommendation id or --all-approved");
            }
            EngineConfig engine = cli.engineConfig();
            Jdbi jdbi = cli.jdbi(engine);
            RecommendationStore store = new RecommendationStore(jdbi, engine.approvals());
            try (TableMetadataReader iceberg = cli.requireIceberg(engine, "applying fixes")) {
                FixApplier applier = new FixApplier(jdbi, store, iceberg, cli.trino(engine));
                List<Long> ids = allApproved ? store.list(Optional.of("approved")).stream().map(RecommendationStore.Stored::id).toList() : List.of(id);
                int failed = 0;
                for (long each : ids) {
                    try {
                        FixApplier.Outcome outcome = applier.apply(each, by, dryRun);
                        cli.out.printf("#%d %s: %s%s%n", each, outcome.result(), outcome.change(), outcome.message() == null ? "" : " (" + outcome.message() + ")");
                    }
                    catch (RuntimeException e) {
                        failed++;
                        cli.err.println("icetune: #" + each + ": " + e.getMessage());
                    }
                }
                return failed == 0 ? 0 : 1;
            }
        }
    }

    @Command(name = "rollback", description = "Restore what an applied fix changed in the partition spec, sort order or properties.")
    static final class Rollback
            implements Callable<Integer>
    {
        @ParentCommand
        IcetuneCli cli;

        @Parameters(index = "0", description = "recommendation id")
        long id;

        @Option(names = "--by", required = true, description = "who rolls back")
        String by;

        @Override
        public Integer call()
                throws Exception
        {
            EngineConfig engine = cli.engineConfig();
            Jdbi jdbi = cli.jdbi(engine);
            try (TableMetadataReader iceberg = cli.requireIceberg(engine, "rolling back")) {
                FixApplier.Outcome outcome = new FixApplier(jdbi, new RecommendationStore(jdbi, engine.approvals()), iceberg, cli.trino(engine)).rollback(id, by);
                cli.out.printf("#%d %s: %s%s%n", id, outcome.result(), outcome.change(), outcome.message() == null ? "" : " (" + outcome.message() + ")");
                return outcome.result().equals("rolled-back") ? 0 : 1;
            }
        }
    }

    @Command(name = "lint", description = "Review a query before it ships: EXPLAIN through Trino, then the query-level rules. Exit 2 when it has findings.")
    static final class Lint
            implements Callable<Integer>
    {
        @ParentCommand
        IcetuneCli cli;

        @Option(names = "--sql", description = "the query")
        String sql;

        @Option(names = "--file", description = "a file holding the query")
        Path file;

        @Option(names = "--json", description = "print JSON")
        boolean json;

        @Override
        public Integer call()
                throws Exception
        {
            if ((sql == null) == (file == null)) {
                throw new IllegalArgumentException("give the query with --sql or --file");
            }
            String query = sql != null ? sql : java.nio.file.Files.readString(file).strip().replaceAll(";$", "");
            EngineConfig engine = cli.engineConfig();
            FixApplier.TrinoConnections trino = cli.trino(engine)
                    .orElseThrow(() -> new IllegalArgumentException("lint runs EXPLAIN through Trino: set icetune.trino.url in " + cli.config));
            Optional<TableMetadataReader> iceberg = iceberg(engine);
            try {
                long fullScan = (long) dev.icetune.rules.engine.RuleBook.load(engine.rulesDirectory()).thresholds().get("lint.full_scan_min_files");
                QueryLinter.Report report = new QueryLinter(trino, iceberg, fullScan).lint(query);
                if (json) {
                    cli.json(report);
                }
                else {
                    cli.out.println("Would scan:");
                    report.scans().forEach(scan -> cli.out.println("  " + scan));
                    cli.out.println();
                    if (report.findings().isEmpty()) {
                        cli.out.println("No findings.");
                    }
                    for (QueryLinter.Finding finding : report.findings()) {
                        cli.out.printf("%s on %s: %s%n  suggestion: %s%n", finding.rule(), finding.table(), finding.message(), finding.suggestion());
                    }
                }
                return report.findings().isEmpty() ? 0 : 2;
            }
            finally {
                if (iceberg.isPresent()) {
                    iceberg.get().close();
                }
            }
        }
    }

    @Command(name = "report", description = "Run a report of sql/reports (e.g. fix-effects) and print its rows.")
    static final class Report
            implements Callable<Integer>
    {
        @ParentCommand
        IcetuneCli cli;

        @Parameters(index = "0", description = "report name, e.g. fix-effects")
        String name;

        @Option(names = "--json", description = "print JSON")
        boolean json;

        @Override
        public Integer call()
                throws Exception
        {
            if (!name.matches("[a-z0-9-]+")) {
                throw new IllegalArgumentException("no report named '" + name + "'");
            }
            String sql;
            try (java.io.InputStream in = IcetuneCli.class.getClassLoader().getResourceAsStream("dev/icetune/sql/reports/" + name + ".sql")) {
                if (in == null) {
                    throw new IllegalArgumentException("no report named '" + name + "' (see sql/reports)");
                }
                sql = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip().replaceAll(";$", "");
            }
            List<Map<String, Object>> rows = cli.jdbi(cli.engineConfig()).withHandle(handle -> handle.createQuery(sql).mapToMap().list());
            if (json) {
                cli.json(rows);
                return 0;
            }
            if (rows.isEmpty()) {
                cli.out.println("(no rows)");
                return 0;
            }
            TextTable table = new TextTable(40, rows.getFirst().keySet().toArray(String[]::new));
            rows.forEach(row -> table.row(row.values().toArray()));
            table.print(cli.out);
            return 0;
        }
    }

    @Command(name = "migrate", description = "Apply pending schema migrations (for plugins run with icetune.db.migrate=false).")
    static final class Migrate
            implements Callable<Integer>
    {
        @ParentCommand
        IcetuneCli cli;

        @Override
        public Integer call()
        {
            EngineConfig engine = cli.engineConfig();
            var result = SchemaMigrator.migrate(engine.dbUrl(), engine.dbUser(), engine.dbPassword());
            cli.out.printf("schema at version %s (%d migrations applied)%n", result.targetSchemaVersion, result.migrationsExecuted);
            return 0;
        }
    }
}
