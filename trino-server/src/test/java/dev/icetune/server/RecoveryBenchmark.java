package dev.icetune.server;

import dev.icetune.testing.CapturedRows;
import dev.icetune.testing.LocalIcebergCatalog;
import dev.icetune.testing.PostgresServer;
import dev.icetune.testing.SilentServer;
import dev.icetune.testing.TestingPostgres;
import dev.icetune.testing.TrinoServerProcess;
import org.postgresql.PGConnection;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/**
 * Prints how the capture recovers, on the assembled Trino server with the listener at its default settings and a
 * PostgreSQL server process stopped, started and replaced by a silent socket from outside:
 * <ul>
 * <li>latency of {@code SELECT 1} through the client protocol, median and p99, with PostgreSQL up (the reference),
 * down, and hanging (accepting connections, never answering); target: down and hanging within noise of up;</li>
 * <li>seconds from PostgreSQL back to an empty journal for 10,000 journaled events with no traffic, split into the
 * wait for the writer's next attempt and the replay itself, beside a raw COPY of the same rows into the same server
 * (the reference); target: within {@code icetune.retry.max-delay} (30 s) + 5 s.</li>
 * </ul>
 * Run with {@code bin/icetune bench recovery}.
 */
public final class RecoveryBenchmark
{
    private static final int LATENCY_QUERIES = 500;
    private static final int JOURNALED_EVENTS = 10_000;
    private static final Duration MAX_DELAY = Duration.ofSeconds(30);

    private RecoveryBenchmark() {}

    public static void main(String[] args)
            throws Exception
    {
        Path work = Files.createTempDirectory("icetune-recovery");
        String catalogUrl = TestingPostgres.shared().createDatabase("recovery_catalog");
        LocalIcebergCatalog.prepare(catalogUrl);
        try (PostgresServer capture = PostgresServer.start(work.resolve("pg"));
                TrinoServerProcess trino = TrinoServerProcess.start(TrinoServerProcess.assembledServer(), work.resolve("trino"), catalogUrl, work.resolve("warehouse"),
                        Map.of("icetune.db.url", capture.url("postgres"), "icetune.db.user", "postgres"))) {
            System.out.printf("icetune recovery benchmark: assembled Trino 483 server, listener defaults, PostgreSQL server process (%d cores)%n",
                    Runtime.getRuntime().availableProcessors());
            CapturedRows rows = new CapturedRows(capture.url("postgres"));
            Path spool = trino.dataDirectory().resolve("var/icetune-spool");

            latencies(trino, "warm-up");
            Latency up = latencies(trino, "up");
            long before = settled(() -> rows.count("SELECT count(*) FROM query_logs"));

            capture.stop(PostgresServer.Stop.FAST);
            Latency down = latencies(trino, "down");
            journal(trino, spool, JOURNALED_EVENTS);
            long journaled = settled(() -> journaledEvents(spool));
            long expectedRows = before + journaled / 2;

            // the writer last failed while the server was down: from now on nothing is sent, the journal must drain by itself
            capture.start();
            long back = System.nanoTime();
            double firstReplay = Double.NaN;
            while (journaledEvents(spool) > 0 || rows.count("SELECT count(*) FROM query_logs") < expectedRows) {
                if (Double.isNaN(firstReplay) && rows.count("SELECT count(*) FROM query_logs") > before) {
                    firstReplay = seconds(System.nanoTime() - back);
                }
                Thread.sleep(50);
                if (seconds(System.nanoTime() - back) > 300) {
                    throw new IllegalStateException("the journal did not drain within 5 minutes");
                }
            }
            double drained = seconds(System.nanoTime() - back);
            double copy = rawCopySeconds(capture.url("postgres"));
            long stored = rows.count("SELECT count(*) FROM query_logs");
            long distinct = rows.count("SELECT count(DISTINCT query_id) FROM query_logs");

            capture.stop(PostgresServer.Stop.FAST);
            Latency hanging;
            try (SilentServer silent = new SilentServer(capture.port())) {
                hanging = latencies(trino, "hanging");
            }
            capture.start();
            Latency upAgain = latencies(trino, "up-again");

            System.out.printf("%nSELECT 1 through the client protocol, %d queries one after another:%n", LATENCY_QUERIES);
            System.out.printf("  PostgreSQL up (reference)    median %6.1f ms   p99 %6.1f ms%n", up.median(), up.p99());
            System.out.printf("  PostgreSQL down              median %6.1f ms   p99 %6.1f ms   ratio to up %.2f / %.2f%n", down.median(), down.p99(), down.median() / up.median(), down.p99() / up.p99());
            System.out.printf("  PostgreSQL hanging           median %6.1f ms   p99 %6.1f ms   ratio to up %.2f / %.2f%n", hanging.median(), hanging.p99(), hanging.median() / up.median(), hanging.p99() / up.p99());
            System.out.printf("  PostgreSQL up again (noise) median %6.1f ms   p99 %6.1f ms   ratio to up %.2f / %.2f%n", upAgain.median(), upAgain.p99(), upAgain.median() / up.median(), upAgain.p99() / up.p99());
            System.out.println("  target: down and hanging within the noise of up against up again");
            System.out.printf("%n%,d journaled events (%,d queries: created + completed), PostgreSQL started again, no traffic:%n", journaled, journaled / 2);
            System.out.printf("  journal empty after        %6.1f s  (first replayed row after %.1f s: the writer's backoff; replay %.1f s)%n", drained, firstReplay, drained - firstReplay);
            System.out.printf("  raw COPY of the same rows  %6.2f s  (reference; replay ratio %.1f)%n", copy, (drained - firstReplay) / copy);
            System.out.printf("  target: within retry.max-delay + 5 s = %d s: %s%n", MAX_DELAY.toSeconds() + 5, drained <= MAX_DELAY.toSeconds() + 5 ? "met" : "MISSED");
            System.out.printf("  rows %,d expected %,d, distinct query ids %,d: lost %d, duplicated %d%n", stored, expectedRows, distinct, Math.max(0, expectedRows - distinct), stored - distinct);
        }
    }

    private record Latency(double median, double p99) {}

    private static Latency latencies(TrinoServerProcess trino, String phase)
            throws Exception
    {
        double[] millis = new double[LATENCY_QUERIES];
        try (Connection connection = trino.connect("bench-" + phase); Statement statement = connection.createStatement()) {
            for (int i = 0; i < LATENCY_QUERIES; i++) {
                long start = System.nanoTime();
                try (ResultSet result = statement.executeQuery("SELECT 1")) {
                    result.next();
                }
                millis[i] = (System.nanoTime() - start) / 1e6;
            }
        }
        java.util.Arrays.sort(millis);
        return new Latency(millis[millis.length / 2], millis[(int) Math.ceil(millis.length * 0.99) - 1]);
    }

    /** Queries from four clients until the journal holds {@code events}. */
    private static void journal(TrinoServerProcess trino, Path spool, long events)
            throws Exception
    {
        ExecutorService clients = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int client = 0; client < 4; client++) {
                running.add(clients.submit(() -> {
                    try (Connection connection = trino.connect("bench-journal"); Statement statement = connection.createStatement()) {
                        while (journaledEvents(spool) < events) {
                            for (int i = 0; i < 100; i++) {
                                try (ResultSet result = statement.executeQuery("SELECT 1")) {
                                    result.next();
                                }
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> client : running) {
                client.get();
            }
        }
        finally {
            clients.shutdownNow();
        }
    }

    private interface Count
    {
        long get()
                throws Exception;
    }

    /** A count once it stopped moving: the last events in the writer's hands reach PostgreSQL or the journal within a flush and a failed attempt. */
    private static long settled(Count count)
            throws Exception
    {
        long last = -1;
        long now = count.get();
        while (now != last) {
            Thread.sleep(2000);
            last = now;
            now = count.get();
        }
        return now;
    }

    /** The reference: the replayed rows (queries of the outage, their starts) copied out and into empty tables of the same shape, one connection. */
    private static double rawCopySeconds(String url)
            throws Exception
    {
        long nanos = 0;
        try (Connection connection = DriverManager.getConnection(url, "postgres", ""); Statement statement = connection.createStatement()) {
            PGConnection postgres = connection.unwrap(PGConnection.class);
            for (String table : List.of("query_logs", "query_starts")) {
                statement.execute("CREATE TEMPORARY TABLE reference_%s (LIKE %s)".formatted(table, table));
                ByteArrayOutputStream data = new ByteArrayOutputStream();
                postgres.getCopyAPI().copyOut("COPY (SELECT * FROM %s WHERE user_name IN ('bench-down', 'bench-journal')) TO STDOUT".formatted(table), data);
                long start = System.nanoTime();
                postgres.getCopyAPI().copyIn("COPY reference_%s FROM STDIN".formatted(table), new ByteArrayInputStream(data.toByteArray()));
                nanos += System.nanoTime() - start;
            }
        }
        return seconds(nanos);
    }

    private static long journaledEvents(Path spool)
            throws IOException
    {
        if (!Files.isDirectory(spool)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(spool)) {
            return files.filter(file -> file.toString().endsWith(".jsonl")).mapToLong(file -> {
                try (Stream<String> lines = Files.lines(file)) {
                    return lines.count();
                }
                catch (IOException | java.io.UncheckedIOException replayed) {
                    return 0;
                }
            }).sum();
        }
    }

    private static double seconds(long nanos)
    {
        return nanos / 1e9;
    }
}
