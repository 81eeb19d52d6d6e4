package dev.icetune.listener;

import io.airlift.log.Level;
import io.airlift.log.Logging;
import io.trino.spi.eventlistener.EventListener;

import java.io.PrintStream;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The main job until the full demo exists: an embedded PostgreSQL, an in-process Trino 483 with the
 * Iceberg connector and the icetune listener, a small workload, and what was captured.
 */
public final class CaptureDemo
{
    /** Taken before Trino starts: Trino's logging then redirects System.out into its log. */
    private static final PrintStream OUT = System.out;

    private CaptureDemo() {}

    public static void main(String[] args)
            throws Exception
    {
        Path work = Files.createTempDirectory("icetune-demo");
        Logging logging = Logging.initialize();
        logging.setLevel("org.apache.iceberg", Level.WARN);
        logging.setLevel("io.trino", Level.WARN);
        logging.setLevel("io.airlift", Level.WARN);
        logging.setLevel("org.flywaydb", Level.WARN);
        step("starting embedded PostgreSQL");
        TestingPostgres postgres = TestingPostgres.shared();
        String captureUrl = postgres.createDatabase("icetune");
        EventListener listener = new IcetunePlugin().getEventListenerFactories().iterator().next().create(Map.of(
                "icetune.db.url", captureUrl,
                "icetune.db.user", "postgres",
                "icetune.flush-interval", "100ms",
                "icetune.spool.dir", work.resolve("spool").toString()), null);
        step("starting Trino 483 with the Iceberg connector (JDBC catalog, local warehouse " + work.resolve("warehouse") + ")");
        try (IcebergTrino trino = IcebergTrino.start(listener, postgres.createDatabase("iceberg_catalog"), work.resolve("warehouse"))) {
            step("creating events (unpartitioned, one small file a day) and events_by_day (partitioned by day(ts))");
            trino.execute("CREATE TABLE events (ts timestamp(6), event_type varchar, user_id bigint)");
            trino.execute("CREATE TABLE events_by_day (ts timestamp(6), event_type varchar, user_id bigint) WITH (partitioning = ARRAY['day(ts)'])");
            for (int day = 1; day <= 30; day++) {
                String values = "(TIMESTAMP '2024-01-%02d 10:00:00', 'click', %d), (TIMESTAMP '2024-01-%02d 12:00:00', 'view', %d)".formatted(day, day, day, day + 1000);
                trino.execute("INSERT INTO events VALUES " + values);
                trino.execute("INSERT INTO events_by_day VALUES " + values);
            }
            step("running the dashboard workload");
            for (int day = 10; day < 15; day++) {
                for (String table : List.of("events", "events_by_day")) {
                    trino.execute("SELECT count(*) FROM %s WHERE ts >= TIMESTAMP '2024-01-%02d 00:00:00' AND ts < TIMESTAMP '2024-01-%02d 00:00:00'".formatted(table, day, day + 1));
                    trino.execute("SELECT count(*) FROM %s WHERE date_format(ts, '%%Y-%%m-%%d') = '2024-01-%02d'".formatted(table, day));
                    trino.execute("SELECT event_type, count(*) FROM %s WHERE user_id = %d GROUP BY 1".formatted(table, day));
                }
            }
            trino.executeFailing("SELECT count(*) / 0 FROM events");
        }
        finally {
            listener.shutdown(); // flushes what is queued
        }

        CapturedRows rows = new CapturedRows(captureUrl);
        step("captured " + rows.count("SELECT count(*) FROM query_logs") + " queries and " + rows.count("SELECT count(*) FROM query_inputs") + " table inputs");
        print("the runbook's report: expensive query patterns of the last hour", rows.query("""
                SELECT query_pattern, avg(latency) AS avg_latency, count(*) AS frequency, sum(bytes_scanned) AS total_bytes
                FROM query_logs WHERE timestamp > now() - interval '1 hour'
                GROUP BY query_pattern ORDER BY avg_latency DESC LIMIT 10"""));
        print("file scan efficiency per table and predicate", rows.query("""
                SELECT i.table_name, left(l.query_pattern, 60) AS pattern, round(avg(i.files_scanned)) AS files_scanned,
                       max(i.total_data_files) AS total_files, round(avg(i.manifests_skipped)) AS manifests_skipped,
                       round(avg(i.pruning_ratio)::numeric, 2) AS pruning_ratio, bool_or(cardinality(i.constraint_columns) > 0) AS pushed_down,
                       max(left(i.filter_predicate, 40)) AS left_above_scan
                FROM query_inputs i JOIN query_logs l USING (query_id, "timestamp")
                WHERE l.query_text NOT LIKE 'INSERT%' AND l.query_text NOT LIKE 'CREATE%'
                GROUP BY 1, 2 ORDER BY 1, 2"""));
        print("failures", rows.query("SELECT query_id, error_code, error_type, left(error_message, 60) AS message FROM query_logs WHERE NOT success"));
        step("done; the capture database was " + captureUrl);
        System.exit(0);
    }

    private static void step(String message)
    {
        OUT.println("==> " + message);
    }

    private static void print(String title, List<Map<String, Object>> rows)
    {
        OUT.println();
        OUT.println(title);
        if (rows.isEmpty()) {
            OUT.println("  (none)");
            return;
        }
        List<String> columns = List.copyOf(rows.getFirst().keySet());
        int[] widths = columns.stream().mapToInt(String::length).toArray();
        for (Map<String, Object> row : rows) {
            for (int i = 0; i < columns.size(); i++) {
                widths[i] = Math.max(widths[i], String.valueOf(row.get(columns.get(i))).length());
            }
        }
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < columns.size(); i++) {
            line.append("  ").append(String.format("%-" + widths[i] + "s", columns.get(i)));
        }
        OUT.println(line);
        for (Map<String, Object> row : rows) {
            line.setLength(0);
            for (int i = 0; i < columns.size(); i++) {
                line.append("  ").append(String.format("%-" + widths[i] + "s", row.get(columns.get(i))));
            }
            OUT.println(line);
        }
    }
}
