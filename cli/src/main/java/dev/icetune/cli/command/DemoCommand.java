package dev.icetune.cli.command;

import dev.icetune.cli.IcetuneCli;
import dev.icetune.cli.TextTable;
import dev.icetune.engine.model.Status;
import dev.icetune.engine.store.RecommendationStore;
import dev.icetune.store.Database;
import dev.icetune.store.Failures;
import dev.icetune.testing.CapturedRows;
import dev.icetune.testing.LocalIcebergCatalog;
import dev.icetune.testing.TestingPostgres;
import dev.icetune.testing.TrinoServerProcess;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The main job end to end on an embedded default: an embedded PostgreSQL, the assembled Trino 483 server with the
 * listener from its archive, the runbook's {@code events} table with its problems and a dashboard workload; then
 * the same commands a person runs (evaluate, recommendations, approve, apply, report) against a configuration
 * file written for them, the workload again, and the before and after.
 */
@Command(name = "demo", description = {"The whole runbook on a real Trino 483 server and an embedded PostgreSQL: problems, workload, "
        + "recommendations, approval, fixes, the workload again, before and after.", "About four minutes on 2 cores."})
public final class DemoCommand
        extends ContextCommand
{
    private static final String APPROVER = "demo";

    @Option(names = "--no-apply", description = "stop after the recommendations")
    boolean noApply;

    @Option(names = "--keep-running", description = "leave Trino and PostgreSQL up to explore (their addresses are printed)")
    boolean keepRunning;

    @Option(names = "--files", paramLabel = "N", defaultValue = "1000", description = "small files in the events table (default: ${DEFAULT-VALUE})")
    int files;

    @Option(names = "--trino-server", paramLabel = "DIR", defaultValue = "${env:ICETUNE_TRINO_SERVER}",
            description = "the assembled Trino 483 server (trino-server/target/trino-server; bin/icetune passes it)")
    Path trinoServer;

    @Option(names = "--rules", paramLabel = "DIR", description = "rules directory (default: rules/ here, else the installation's rules/)")
    Path rules;

    private String step = "starting";

    @Override
    public Integer call()
            throws Exception
    {
        if (trinoServer == null || !Files.isDirectory(trinoServer.resolve("lib"))) {
            throw new IllegalArgumentException("the demo runs the assembled Trino 483 server: build it with ./mvnw install (trino-server/target/trino-server), "
                    + "then pass --trino-server DIR (bin/icetune does)");
        }
        Path work = Files.createTempDirectory("icetune-demo");
        TrinoServerProcess server = null;
        try {
            step("starting an embedded PostgreSQL (query_logs, recommendations, and the Iceberg JDBC catalog)");
            TestingPostgres postgres = TestingPostgres.shared();
            String captureUrl = postgres.createDatabase("icetune");
            String catalogUrl = postgres.createDatabase("iceberg_catalog");
            LocalIcebergCatalog.prepare(catalogUrl);
            Database.of(captureUrl, "postgres", "icetune-demo").migrate();

            step("starting Trino 483 from " + trinoServer + " (plugin/icetune unpacked from the listener's archive)");
            Path warehouse = work.resolve("warehouse");
            server = TrinoServerProcess.start(trinoServer, Files.createDirectories(work.resolve("trino")), catalogUrl, warehouse,
                    Map.of("icetune.db.url", captureUrl, "icetune.db.user", "postgres"));
            out().println("    Trino at " + server.jdbcUrl() + ", log " + server.log());

            step("creating iceberg.demo.events (timestamp, event_type, user_id, session_id, payload): unpartitioned, unsorted, " + files + " small files");
            createEvents(server, files);

            step("running the dashboards' workload");
            Map<String, List<String>> before = workload(server);
            CapturedRows rows = new CapturedRows(captureUrl);
            before.values().stream().flatMap(List::stream).forEach(rows::awaitQuery);

            Path config = writeConfig(work, captureUrl, catalogUrl, warehouse, server);
            step("evaluating the runbook's rules: bin/icetune --config " + config + " evaluate");
            icetune(config, "evaluate");
            icetune(config, "recommendations", "list", "--status", "open");
            if (noApply) {
                step("stopping before approval (--no-apply)");
            }
            else {
                RecommendationStore store = new RecommendationStore(Database.of(captureUrl, "postgres", "icetune-demo").jdbi());
                step("approving the fixes icetune can apply; query rewrites and advice go to their owners");
                for (RecommendationStore.Stored recommendation : store.list(Optional.of(Status.OPEN))) {
                    if (recommendation.fix().kind().isApplicable()) {
                        icetune(config, "recommendations", "approve", String.valueOf(recommendation.id()), "--by", APPROVER, "--reason", "the demo approves every fix");
                    }
                    else {
                        out().println("    #" + recommendation.id() + " " + recommendation.ruleId() + ", for its owner: " + shorten(recommendation.proposedFix(), 160));
                    }
                }
                step("applying them in the order they depend on each other: bin/icetune apply --all-approved --by " + APPROVER);
                // a fix that fails is reported and changes nothing (Trino's JDBC catalog, for one, has no materialized views): the demo goes on
                icetuneReportingFailures(config, "apply", "--all-approved", "--by", APPROVER);

                step("running the same workload again");
                Map<String, List<String>> after = workload(server);
                after.values().stream().flatMap(List::stream).forEach(rows::awaitQuery);

                step("measuring each fix's effect on its own queries: bin/icetune evaluate, then report fix-effects and estimate-accuracy");
                icetune(config, "evaluate");
                icetune(config, "report", "fix-effects");
                icetune(config, "report", "estimate-accuracy");
                printTable("before and after, per query pattern, with the fixes its change is credited to", compare(rows, before, after));
            }
            step("the runbook's report: expensive query patterns of the last hour");
            icetune(config, "report", "top-expensive-patterns");
            if (keepRunning) {
                step("kept running (--keep-running): Trino " + server.jdbcUrl() + ", PostgreSQL " + captureUrl + " (user postgres), config " + config + "; Ctrl-C to stop");
                Thread.currentThread().join();
            }
            step("done");
            return 0;
        }
        catch (Exception | Error e) {
            out().println();
            out().println("demo failed while " + step + ": " + Failures.message(e));
            if (server != null) {
                out().println("Trino's log ends with:\n" + server.tail());
            }
            return IcetuneCli.FAILED;
        }
        finally {
            // stop what the demo started, failed or not (the embedded PostgreSQL stops with the JVM)
            if (server != null) {
                server.close();
            }
        }
    }

    /** The configuration a person would write for this deployment. */
    private Path writeConfig(Path work, String captureUrl, String catalogUrl, Path warehouse, TrinoServerProcess server)
            throws Exception
    {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("icetune.db.url", captureUrl);
        properties.put("icetune.db.user", "postgres");
        properties.put("icetune.rules.dir", (rules != null ? rules : context().standardRules()).toAbsolutePath().toString());
        properties.put("icetune.approvers", APPROVER);
        properties.put("icetune.trino.url", server.jdbcUrl());
        properties.put("icetune.trino.user", "icetune");
        properties.put("icetune.trino.catalog", LocalIcebergCatalog.TRINO_CATALOG);
        properties.put("iceberg.catalog.name", LocalIcebergCatalog.NAME);
        LocalIcebergCatalog.icebergProperties(catalogUrl, warehouse).forEach((key, value) -> properties.put("iceberg.catalog." + key, value));
        StringBuilder text = new StringBuilder("# written by bin/icetune demo\n");
        properties.forEach((key, value) -> text.append(key).append('=').append(value).append('\n'));
        Path config = work.resolve("icetune.properties");
        Files.writeString(config, text);
        return config;
    }

    /** A command as a person types it, in this process: the same code path. */
    private void icetune(Path config, String... args)
    {
        int exit = icetuneReportingFailures(config, args);
        if (exit != 0) {
            throw new IllegalStateException("icetune " + String.join(" ", args) + " exited with " + exit);
        }
    }

    private int icetuneReportingFailures(Path config, String... args)
    {
        List<String> command = new ArrayList<>(List.of("--config", config.toString()));
        command.addAll(List.of(args));
        out().println("    $ icetune " + String.join(" ", args));
        return IcetuneCli.run(command.toArray(String[]::new), out(), err(), root().environment());
    }

    private static void createEvents(TrinoServerProcess server, int files)
            throws Exception
    {
        try (Connection connection = server.connect("loader"); Statement statement = connection.createStatement()) {
            statement.execute("CREATE SCHEMA IF NOT EXISTS iceberg.demo");
            statement.execute("CREATE TABLE iceberg.demo.events (\"timestamp\" timestamp(6), event_type varchar, user_id bigint, session_id varchar, payload varchar)");
        }
        // one INSERT per file, an hour of events each: the small-file problem of a streaming ingest
        ExecutorService loaders = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int file = 0; file < files; file++) {
                int hour = file;
                done.add(loaders.submit(() -> {
                    insertRetryingCommitConflicts(server, """
                            INSERT INTO iceberg.demo.events
                            SELECT TIMESTAMP '2024-01-01 00:00:00' + INTERVAL '1' HOUR * %d + INTERVAL '1' SECOND * (x * 7),
                                   element_at(ARRAY['click', 'view', 'purchase', 'search'], 1 + x %% 4),
                                   (x * 7919 + %d * 104729) %% 100000, lower(to_hex(md5(to_utf8(CAST(x * 31 + %d AS varchar))))), 'payload-' || CAST(x AS varchar)
                            FROM UNNEST(sequence(1, 200)) AS t(x)""".formatted(hour, hour, hour));
                    return null;
                }));
            }
            for (int i = 0; i < done.size(); i++) {
                done.get(i).get();
                if ((i + 1) % 100 == 0) {
                    System.out.println("    " + (i + 1) + " files");
                }
            }
        }
        finally {
            loaders.shutdownNow();
        }
    }

    /**
     * Two loaders append to one table, as a streaming ingest does; when Iceberg's own commit retries run out
     * on a busy machine, the insert failed whole (nothing of it committed) and is run again, as an ingest job would.
     */
    private static void insertRetryingCommitConflicts(TrinoServerProcess server, String insert)
            throws Exception
    {
        for (int attempt = 1; ; attempt++) {
            try (Connection connection = server.connect("loader"); Statement statement = connection.createStatement()) {
                statement.execute(insert);
                return;
            }
            catch (SQLException e) {
                if (attempt == 5 || e.getMessage() == null || !e.getMessage().contains("Failed to commit")) {
                    throw e;
                }
            }
        }
    }

    /** The runbook's dashboards: time-range counts, the date_format query, user and session lookups, the hourly aggregation. */
    private static Map<String, List<String>> workload(TrinoServerProcess server)
            throws Exception
    {
        Map<String, List<String>> ids = new LinkedHashMap<>();
        try (Connection connection = server.connect("dashboard"); Statement statement = connection.createStatement()) {
            for (int day = 5; day < 10; day++) {
                run(statement, ids, "time-range count", "SELECT count(*) FROM iceberg.demo.events WHERE \"timestamp\" >= TIMESTAMP '2024-01-%02d 00:00:00' AND \"timestamp\" < TIMESTAMP '2024-01-%02d 00:00:00'".formatted(day, day + 1));
            }
            for (int day = 15; day < 17; day++) {
                run(statement, ids, "date_format", "SELECT count(*) FROM iceberg.demo.events WHERE date_format(\"timestamp\", '%%Y-%%m-%%d') = '2024-01-%02d'".formatted(day));
            }
            for (int i = 0; i < 6; i++) {
                run(statement, ids, "user_id lookup", "SELECT * FROM iceberg.demo.events WHERE user_id = " + (1000 + i * 37));
                run(statement, ids, "session_id lookup", "SELECT * FROM iceberg.demo.events WHERE session_id = '" + "abcdef0123456789".substring(i) + "'");
                run(statement, ids, "hourly aggregation", "SELECT date_trunc('hour', \"timestamp\") AS hour, event_type, count(*) AS event_count FROM iceberg.demo.events GROUP BY 1, 2");
            }
        }
        return ids;
    }

    private static void run(Statement statement, Map<String, List<String>> ids, String kind, String sql)
            throws Exception
    {
        try (ResultSet result = statement.executeQuery(sql)) {
            while (result.next()) {
                // read it all, as a dashboard would
            }
            ids.computeIfAbsent(kind, key -> new ArrayList<>()).add(result.unwrap(io.trino.jdbc.TrinoResultSet.class).getQueryId());
        }
    }

    private static List<List<Object>> compare(CapturedRows rows, Map<String, List<String>> before, Map<String, List<String>> after)
    {
        List<List<Object>> table = new ArrayList<>();
        for (String kind : before.keySet()) {
            Map<String, Object> was = stats(rows, before.get(kind));
            Map<String, Object> now = stats(rows, after.getOrDefault(kind, List.of()));
            table.add(List.of(kind, was.get("p95"), now.get("p95"), was.get("files"), now.get("files"), was.get("mb"), now.get("mb"), credited(rows, before.get(kind).getFirst())));
        }
        return table;
    }

    /** The fixes whose measured effect covers the pattern of the query: together when they were measured as a group. */
    private static String credited(CapturedRows rows, String queryId)
    {
        List<Map<String, Object>> fixes = rows.query("""
                SELECT r.id, r.rule_id, r.measured_effect ->> 'verdict' AS verdict FROM recommendations r, query_logs l
                WHERE l.query_id = ? AND r.measured_effect -> 'patterns' @> jsonb_build_array(l.query_pattern_hash::text) ORDER BY r.id""", queryId);
        if (fixes.isEmpty()) {
            return "none measured";
        }
        return fixes.stream().map(fix -> "#" + fix.get("id") + " " + fix.get("rule_id")).collect(java.util.stream.Collectors.joining(", "))
                + (fixes.size() > 1 ? " (together)" : "") + ": " + fixes.getFirst().get("verdict");
    }

    private static Map<String, Object> stats(CapturedRows rows, List<String> ids)
    {
        return rows.query("""
                SELECT round(percentile_cont(0.95) WITHIN GROUP (ORDER BY latency)) AS p95, round(avg(files_scanned), 1) AS files,
                       round(avg(bytes_scanned) / 1048576.0, 2) AS mb
                FROM query_logs WHERE query_id = ANY (?)""", (Object) ids.toArray(String[]::new)).getFirst();
    }

    private void printTable(String title, List<List<Object>> rows)
    {
        out().println();
        out().println(title);
        TextTable table = new TextTable(90, "PATTERN", "P95 MS BEFORE", "AFTER", "FILES/QUERY BEFORE", "AFTER", "MB/QUERY BEFORE", "AFTER", "CREDITED TO");
        rows.forEach(row -> table.row(row.toArray()));
        table.print(out());
        out().println();
    }

    private static String shorten(String text, int length)
    {
        String flat = text == null ? "" : text.replace('\n', ' ');
        return flat.length() <= length ? flat : flat.substring(0, length - 1) + "…";
    }

    private void step(String message)
    {
        step = message;
        out().println("==> " + message);
    }
}
