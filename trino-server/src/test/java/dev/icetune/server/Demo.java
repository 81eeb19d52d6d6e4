package dev.icetune.server;

import dev.icetune.listener.CapturedRows;
import dev.icetune.listener.TestingPostgres;
import dev.icetune.rules.apply.FixApplier;
import dev.icetune.rules.engine.Evaluator;
import dev.icetune.rules.engine.RuleBookHolder;
import dev.icetune.rules.facts.Fix;
import dev.icetune.rules.iceberg.TableFactSource;
import dev.icetune.rules.iceberg.TableMetadataReader;
import dev.icetune.rules.store.Approvals;
import dev.icetune.rules.store.RecommendationStore;
import dev.icetune.sql.SchemaMigrator;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.jdbi.v3.core.Jdbi;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * bin/icetune demo: the whole runbook on a real Trino 483 server with the plugin installed from its
 * plugin directory, an embedded PostgreSQL and a local Iceberg warehouse. Flags: --no-apply (stop after
 * the recommendations), --keep-running (leave Trino and PostgreSQL up to explore), --files N.
 */
public final class Demo
{
    private static final PrintStream OUT = System.out;
    /** The order in which fixes make sense: layout changes first, then the rewrite that applies them, then statistics. */
    private static final List<String> APPLY_ORDER = List.of("missing-partition-pruning", "inefficient-layout", "bloom-filter", "snapshot-buildup",
            "delete-file-buildup", "small-files", "stale-statistics", "materialized-view");

    private static String step = "starting";
    /** Held so that the levels stick: Iceberg and Flyway log every table load and migration at INFO. */
    private static final List<java.util.logging.Logger> QUIET = List.of(java.util.logging.Logger.getLogger("org.apache.iceberg"),
            java.util.logging.Logger.getLogger("org.flywaydb"), java.util.logging.Logger.getLogger("io.zonky.test"));

    private Demo() {}

    public static void main(String[] args)
            throws Exception
    {
        QUIET.forEach(logger -> logger.setLevel(java.util.logging.Level.WARNING));
        List<String> flags = List.of(args);
        boolean apply = !flags.contains("--no-apply");
        boolean keepRunning = flags.contains("--keep-running");
        int files = flags.contains("--files") ? Integer.parseInt(flags.get(flags.indexOf("--files") + 1)) : 1000;
        Path work = Files.createTempDirectory("icetune-demo");
        TrinoServerProcess server = null;
        boolean failed = false;
        try {
            step("starting an embedded PostgreSQL (query_logs, recommendations, and the Iceberg JDBC catalog)");
            TestingPostgres postgres = TestingPostgres.shared();
            String captureUrl = postgres.createDatabase("icetune");
            String catalogUrl = postgres.createDatabase("iceberg_catalog");
            TrinoServerProcess.prepareCatalog(catalogUrl);
            SchemaMigrator.migrate(captureUrl, Optional.of("postgres"), Optional.empty());

            step("starting Trino 483 from " + System.getProperty("icetune.server.dir") + " (plugin/icetune unpacked from the listener's archive)");
            Path warehouse = work.resolve("warehouse");
            server = TrinoServerProcess.start(work.resolve("trino"), catalogUrl, warehouse, Map.of(
                    "icetune.db.url", captureUrl, "icetune.db.user", "postgres", "icetune.flush-interval", "200ms",
                    "icetune.spool.dir", work.resolve("spool").toString()));
            OUT.println("    Trino at " + server.jdbcUrl() + ", log " + server.log());
            TrinoServerProcess trino = server;

            step("creating iceberg.demo.events (timestamp, event_type, user_id, session_id, payload): unpartitioned, unsorted, " + files + " small files");
            createEvents(server, files);

            step("running the dashboards' workload");
            Map<String, List<String>> before = workload(server);
            CapturedRows rows = new CapturedRows(captureUrl);
            before.values().stream().flatMap(List::stream).forEach(rows::awaitQuery);

            step("evaluating the runbook's rules");
            Jdbi jdbi = Jdbi.create(captureUrl, "postgres", "");
            RecommendationStore store = new RecommendationStore(jdbi, Approvals.parse("demo", ""));
            try (TableMetadataReader iceberg = new TableMetadataReader("iceberg", "icetune", Map.of(
                    "type", "jdbc", "uri", catalogUrl, "jdbc.user", "postgres", "jdbc.password", "", "jdbc.schema-version", "V1",
                    "warehouse", "local:///", "io-impl", "dev.icetune.rules.iceberg.LocalFileIO", "local.location", warehouse.toString()))) {
                Path rules = Files.isDirectory(Path.of("rules")) ? Path.of("rules") : Path.of("../rules");
                Evaluator evaluator = new Evaluator(jdbi, new RuleBookHolder(rules, message -> OUT.println("    " + message)), Optional.of((TableFactSource) iceberg),
                        Duration.ofHours(1), Duration.ofDays(7), 3, store, new SimpleMeterRegistry());
                evaluator.evaluate(Instant.now().plusSeconds(1), message -> OUT.println("    " + message));
                List<RecommendationStore.Stored> recommendations = store.list(Optional.of("open"));
                printTable("recommendations", recommendations.stream().map(r -> row("id", r.id(), "rule", r.ruleId(), "target", shorten(r.target(), 40),
                        "severity", r.severity(), "level", r.level(), "fix", shorten(r.proposedFix(), 90))).toList());
                if (!apply) {
                    step("stopping before approval (--no-apply); with --keep-running, approve and apply with bin/icetune against the databases printed below");
                }
                else {
                    step("approving and applying the fixes (query rewrites are delivered, never applied)");
                    FixApplier applier = new FixApplier(jdbi, store, iceberg, Optional.of(() -> trino.connect("icetune")));
                    List<RecommendationStore.Stored> ordered = new ArrayList<>(recommendations);
                    ordered.sort((a, b) -> Integer.compare(rank(a.ruleId()), rank(b.ruleId())));
                    for (RecommendationStore.Stored recommendation : ordered) {
                        String kind = String.valueOf(recommendation.fix().get(Fix.KIND));
                        if (kind.equals(Fix.QUERY_REWRITE) || kind.equals(Fix.TEXT)) {
                            OUT.println("    #" + recommendation.id() + " " + recommendation.ruleId() + ": deliver to its owner: " + shorten(recommendation.proposedFix(), 160));
                            continue;
                        }
                        store.approve(recommendation.id(), "demo", "the demo approves every fix");
                        try {
                            FixApplier.Outcome outcome = applier.apply(recommendation.id(), "demo", false);
                            OUT.println("    #" + recommendation.id() + " " + recommendation.ruleId() + ": " + outcome.result() + ": " + shorten(outcome.change(), 120));
                        }
                        catch (RuntimeException e) {
                            OUT.println("    #" + recommendation.id() + " " + recommendation.ruleId() + ": not applied: " + shorten(e.getMessage(), 200));
                        }
                    }

                    step("running the same workload again");
                    Map<String, List<String>> after = workload(server);
                    after.values().stream().flatMap(List::stream).forEach(rows::awaitQuery);
                    printTable("before and after, per query pattern", compare(rows, before, after));
                    evaluator.evaluate(Instant.now().plusSeconds(1), message -> OUT.println("    " + message));
                    printTable("measured effect of the fixes", rows.query("""
                            SELECT id, rule_id, status, measured_effect ->> 'files_per_query_before' AS files_before,
                                   measured_effect ->> 'files_per_query_after' AS files_after, measured_effect ->> 'p95_ms_before' AS p95_before,
                                   measured_effect ->> 'p95_ms_after' AS p95_after
                            FROM recommendations WHERE measured_effect IS NOT NULL ORDER BY id"""));
                }
            }
            printTable("the runbook's report: expensive query patterns of the last hour", rows.query("""
                    SELECT left(query_pattern, 80) AS query_pattern, round(avg(latency)) AS avg_latency, count(*) AS frequency, sum(bytes_scanned) AS total_bytes
                    FROM query_logs WHERE timestamp > now() - interval '1 hour'
                    GROUP BY query_pattern ORDER BY avg_latency DESC LIMIT 10"""));
            if (keepRunning) {
                step("kept running (--keep-running): Trino " + server.jdbcUrl() + ", PostgreSQL " + captureUrl + " (user postgres); Ctrl-C to stop");
                Thread.currentThread().join();
            }
            step("done");
        }
        catch (Exception | Error e) {
            OUT.println();
            OUT.println("demo failed while " + step + ": " + e.getMessage());
            if (server != null) {
                OUT.println("Trino's log ends with:\n" + server.tail());
            }
            failed = true;
        }
        finally {
            // stop what the demo started, failed or not (the embedded PostgreSQL stops with the JVM)
            if (server != null) {
                server.close();
            }
        }
        System.exit(failed ? 1 : 0);
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
                    OUT.println("    " + (i + 1) + " files");
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

    private static List<Map<String, Object>> compare(CapturedRows rows, Map<String, List<String>> before, Map<String, List<String>> after)
    {
        List<Map<String, Object>> table = new ArrayList<>();
        for (String kind : before.keySet()) {
            Map<String, Object> was = stats(rows, before.get(kind));
            Map<String, Object> now = stats(rows, after.getOrDefault(kind, List.of()));
            table.add(row("pattern", kind, "p95 ms before", was.get("p95"), "after", now.get("p95"), "files/query before", was.get("files"), "after ", now.get("files"),
                    "MB/query before", was.get("mb"), "after  ", now.get("mb")));
        }
        return table;
    }

    private static Map<String, Object> stats(CapturedRows rows, List<String> ids)
    {
        if (ids.isEmpty()) {
            return Map.of();
        }
        return rows.query("""
                SELECT round(percentile_cont(0.95) WITHIN GROUP (ORDER BY latency)) AS p95, round(avg(files_scanned), 1) AS files,
                       round(avg(bytes_scanned) / 1048576.0, 2) AS mb
                FROM query_logs WHERE query_id = ANY (?)""", (Object) ids.toArray(String[]::new)).getFirst();
    }

    private static int rank(String rule)
    {
        int index = APPLY_ORDER.indexOf(rule);
        return index < 0 ? APPLY_ORDER.size() : index;
    }

    private static Map<String, Object> row(Object... namesAndValues)
    {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            row.put(String.valueOf(namesAndValues[i]), namesAndValues[i + 1]);
        }
        return row;
    }

    private static String shorten(String text, int length)
    {
        String flat = text == null ? "" : text.replace('\n', ' ');
        return flat.length() <= length ? flat : flat.substring(0, length - 1) + "…";
    }

    private static void step(String message)
    {
        step = message;
        OUT.println("==> " + message);
    }

    private static void printTable(String title, List<Map<String, Object>> rows)
    {
        OUT.println();
        OUT.println(title);
        if (rows.isEmpty()) {
            OUT.println("  (none)");
            return;
        }
        List<String> columns = new ArrayList<>(rows.getFirst().keySet());
        int[] widths = columns.stream().mapToInt(String::length).toArray();
        for (Map<String, Object> row : rows) {
            for (int i = 0; i < columns.size(); i++) {
                widths[i] = Math.max(widths[i], String.valueOf(row.get(columns.get(i))).length());
            }
        }
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < columns.size(); i++) {
            line.append("  ").append(String.format("%-" + widths[i] + "s", columns.get(i).strip()));
        }
        OUT.println(line);
        for (Map<String, Object> row : rows) {
            line.setLength(0);
            for (int i = 0; i < columns.size(); i++) {
                line.append("  ").append(String.format("%-" + widths[i] + "s", row.get(columns.get(i))));
            }
            OUT.println(line);
        }
        OUT.println();
    }
}
