package dev.icetune.listener;

import dev.icetune.store.Database;
import dev.icetune.testing.CapturedRows;
import dev.icetune.testing.IcebergTrino;
import dev.icetune.testing.TestingEvents;
import dev.icetune.testing.TestingPostgres;
import io.trino.spi.eventlistener.EventListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** PostgreSQL goes away in the middle of a stream of real Trino queries and comes back: every event arrives exactly once. */
class TestPostgresOutage
{
    private static final int PER_PHASE = 15;

    @TempDir
    Path temporary;

    @Test
    void everyEventArrivesExactlyOnceAcrossAnOutage()
            throws Exception
    {
        int port = TestingPostgres.freePort();
        Path data = temporary.resolve("pgdata");
        Path spool = temporary.resolve("spool");
        TestingPostgres capture = TestingPostgres.startOwn(port, data);
        String url = capture.url("postgres");
        EventListener listener = new IcetuneEventListenerFactory().create(config(url, spool), null);
        CapturedRows rows = new CapturedRows(url);
        List<String> ids = new ArrayList<>();

        // the Iceberg catalog lives in the shared server, which stays up: only the capture database goes away
        try (IcebergTrino trino = IcebergTrino.start(listener, TestingPostgres.shared().createDatabase("outage_catalog"), temporary.resolve("warehouse"))) {
            trino.execute("CREATE TABLE t (id bigint)");
            trino.execute("INSERT INTO t VALUES 1, 2, 3");
            runQueries(trino, ids, "before");
            rows.await(ids.size(), "SELECT query_id FROM query_logs WHERE query_text LIKE 'SELECT count(*) FROM t WHERE id > %'");

            capture.close();
            runQueries(trino, ids, "during");
            awaitJournal(spool);

            capture = TestingPostgres.startOwn(port, data);
            runQueries(trino, ids, "after");
            rows.await(ids.size(), "SELECT query_id FROM query_logs WHERE query_text LIKE 'SELECT count(*) FROM t WHERE id > %'");
        }
        finally {
            listener.shutdown();
        }

        try {
            List<Object> stored = rows.query("SELECT query_id FROM query_logs WHERE query_text LIKE 'SELECT count(*) FROM t WHERE id > %'")
                    .stream().map(row -> row.get("query_id")).toList();
            assertThat(stored).hasSize(3 * PER_PHASE).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(ids);
            assertThat(rows.count("SELECT count(*) FROM query_inputs i JOIN query_logs l USING (query_id) WHERE l.query_text LIKE 'SELECT count(*) FROM t WHERE id > %'"))
                    .isEqualTo(3 * PER_PHASE);
            try (Stream<Path> left = Files.list(spool)) {
                assertThat(left.filter(file -> file.toString().endsWith(".jsonl"))).as("journal replayed and removed").isEmpty();
            }
        }
        finally {
            capture.close();
        }
    }

    @Test
    void shutdownWhileDownKeepsTheJournalForTheNextStart()
            throws Exception
    {
        int port = TestingPostgres.freePort();
        Path data = temporary.resolve("pgdata2");
        Path spool = temporary.resolve("spool2");
        TestingPostgres capture = TestingPostgres.startOwn(port, data);
        String url = capture.url("postgres");
        Map<String, String> config = config(url, spool);
        // migrate first, then stop the server
        EventListener first = new IcetuneEventListenerFactory().create(config, null);
        first.queryCompleted(TestingEvents.completed("q_first", "SELECT 1", List.of()));
        new CapturedRows(url).awaitQuery("q_first");
        capture.close();
        for (int i = 0; i < 10; i++) {
            first.queryCompleted(TestingEvents.completed("q_kept_" + i, "SELECT 1", List.of(TestingEvents.icebergInput("t", 1, 1))));
        }
        first.shutdown();
        awaitJournal(spool);

        capture = TestingPostgres.startOwn(port, data);
        EventListener second = new IcetuneEventListenerFactory().create(config, null);
        try {
            CapturedRows rows = new CapturedRows(url);
            second.queryCompleted(TestingEvents.completed("q_second", "SELECT 1", List.of()));
            rows.awaitQuery("q_second");
            assertThat(rows.count("SELECT count(*) FROM query_logs WHERE query_id LIKE 'q_kept_%'")).isEqualTo(10);
        }
        finally {
            second.shutdown();
            capture.close();
        }
    }

    @Test
    void whatCannotBeKeptIsCounted()
            throws Exception
    {
        Map<String, String> config = Map.of(
                "icetune.db.url", "jdbc:postgresql://127.0.0.1:" + TestingPostgres.freePort() + "/none?connectTimeout=1",
                "icetune.flush-interval", "50ms",
                "icetune.retry.attempts", "1",
                "icetune.queue-capacity", "10",
                "icetune.spool.max-size", "1kB",
                "icetune.spool.dir", temporary.resolve("spool3").toString());
        IcetuneEventListener listener = (IcetuneEventListener) new IcetuneEventListenerFactory().create(config, null);
        for (int i = 0; i < 200; i++) {
            listener.queryCompleted(TestingEvents.completed("q_lost_" + i, "SELECT 1", List.of(TestingEvents.icebergInput("t", 1, 1))));
        }
        listener.shutdown();

        long journaled;
        try (Stream<Path> files = Files.list(temporary.resolve("spool3"))) {
            journaled = files.filter(file -> file.toString().endsWith(".jsonl")).mapToLong(file -> {
                try {
                    return Files.readAllLines(file).size();
                }
                catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).sum();
        }
        assertThat(listener.droppedEvents()).isPositive();
        assertThat(listener.droppedEvents() + journaled).as("every event is either journaled or counted as dropped").isEqualTo(200);
    }

    @Test
    void aBatchWhosePartsPartlyCommittedIsWrittenAgainExactlyOnce()
            throws Exception
    {
        String url = TestingPostgres.shared().createDatabase("parts");
        ListenerConfig config = new ListenerConfig().setDbWriters(2);
        EventCapture capture = new EventCapture(1000, false);
        List<CapturedEvent> events = new ArrayList<>();
        for (int i = 0; i < 4 * EncodedBatch.MIN_EVENTS_PER_PART; i++) {
            events.add(capture.capture(TestingEvents.completed("q_part_" + i, "SELECT " + i, List.of(TestingEvents.icebergInput("t", 1, 1), TestingEvents.icebergInput("u", 1, 1)))));
        }
        EncodedBatch batch = EncodedBatch.encode(events, 2);
        assertThat(batch.parts()).hasSize(2);
        assertThat(EncodedBatch.encode(events.subList(0, 10), 2).parts()).as("a trickle uses one connection").hasSize(1);
        try (PostgresSink sink = new PostgresSink(Database.of(url, "postgres", "icetune-test"), config)) {
            // as if the second part had committed and the first had failed: the whole batch comes again
            sink.write(EncodedBatch.encode(events.subList(events.size() / 2, events.size()), 1));
            sink.write(batch);
            sink.write(batch);
        }
        CapturedRows rows = new CapturedRows(url);
        assertThat(rows.count("SELECT count(DISTINCT query_id) FROM query_logs")).isEqualTo(events.size());
        assertThat(rows.count("SELECT count(*) FROM query_logs")).isEqualTo(events.size());
        assertThat(rows.count("SELECT count(*) FROM query_inputs")).isEqualTo(2L * events.size());
    }

    /** Short delays, so that the outage is noticed and the recovery found within the test. */
    private static Map<String, String> config(String url, Path spool)
    {
        return Map.of(
                "icetune.db.url", url,
                "icetune.db.user", "postgres",
                "icetune.flush-interval", "50ms",
                "icetune.retry.attempts", "2",
                "icetune.retry.initial-delay", "50ms",
                "icetune.retry.max-delay", "500ms",
                "icetune.spool.dir", spool.toString());
    }

    private static void runQueries(IcebergTrino trino, List<String> ids, String phase)
    {
        for (int i = 0; i < PER_PHASE; i++) {
            ids.add(trino.run("SELECT count(*) FROM t WHERE id > " + i + " AND '" + phase + "' <> ''"));
        }
    }

    private static void awaitJournal(Path spool)
            throws InterruptedException, IOException
    {
        for (int i = 0; i < 600; i++) {
            if (Files.isDirectory(spool)) {
                try (Stream<Path> files = Files.list(spool)) {
                    if (files.anyMatch(file -> file.toString().endsWith(".jsonl"))) {
                        return;
                    }
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("nothing was journaled to " + spool);
    }
}
