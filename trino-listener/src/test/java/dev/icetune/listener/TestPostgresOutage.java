package dev.icetune.listener;

import dev.icetune.store.Database;
import dev.icetune.testing.CapturedRows;
import dev.icetune.testing.PostgresServer;
import dev.icetune.testing.TestingEvents;
import dev.icetune.testing.TestingPostgres;
import io.trino.spi.eventlistener.QueryCompletedEvent;
import io.trino.spi.eventlistener.QueryContext;
import io.trino.spi.eventlistener.QueryStatistics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What the listener does with what PostgreSQL did not take, at its default settings: the journal, what cannot be
 * kept, batches half committed. Outages of a real server, stopped and started from outside under a real Trino,
 * are in the trino-server module's TestCaptureHealsItself.
 */
class TestPostgresOutage
{
    @TempDir
    Path temporary;

    @Test
    void whatCannotBeKeptIsCounted()
            throws Exception
    {
        // nothing listens on the port, and the journal holds about one batch
        Path spool = temporary.resolve("spool");
        IcetuneEventListener listener = (IcetuneEventListener) new IcetuneEventListenerFactory().create(Map.of(
                "icetune.db.url", "jdbc:postgresql://127.0.0.1:" + TestingPostgres.freePort() + "/none",
                "icetune.queue-capacity", "10",
                "icetune.spool.max-size", "1kB",
                "icetune.spool.dir", spool.toString()), null);
        for (int i = 0; i < 200; i++) {
            listener.queryCompleted(TestingEvents.completed("q_lost_" + i, "SELECT 1", List.of(TestingEvents.icebergInput("t", 1, 1))));
        }
        listener.shutdown();

        assertThat(listener.droppedEvents()).isPositive();
        assertThat(listener.droppedEvents() + journaledEvents(spool)).as("every event is either journaled or counted as dropped").isEqualTo(200);
    }

    /**
     * Met from outside: the journal's disk filled during an outage; each batch after that left an empty temporary file and a
     * warning, 240 of each in a minute. Here the first journal files are written to /dev/full, which fails every write with
     * "No space left on device" as a full disk does: their events are counted lost, no temporary file stays, and the journal
     * takes the batches after them.
     */
    @Test
    void aJournalWhoseDiskIsFullLosesOnlyWhatItCannotWriteAndLeavesNoTemporaryFile()
            throws Exception
    {
        Path spool = journalOnAFullDisk();
        IcetuneEventListener listener = (IcetuneEventListener) new IcetuneEventListenerFactory().create(Map.of(
                "icetune.db.url", "jdbc:postgresql://127.0.0.1:" + TestingPostgres.freePort() + "/none",
                "icetune.retry.attempts", "1",
                "icetune.spool.dir", spool.toString()), null);
        for (int i = 0; i < 200; i++) {
            listener.queryCompleted(TestingEvents.completed("q_disk_full_" + i, "SELECT 1", List.of(TestingEvents.icebergInput("t", 1, 1))));
            if (i % 20 == 19) {
                Thread.sleep(300); // batches of their own, so that some land after the full disk's
            }
        }
        listener.shutdown();

        assertThat(listener.droppedEvents()).isPositive();
        assertThat(listener.droppedEvents() + journaledEvents(spool)).as("every event is either journaled or counted as dropped").isEqualTo(200);
        assertThat(journaledEvents(spool)).as("the journal took the batches after the full disk's").isPositive();
        try (Stream<Path> files = Files.list(spool)) {
            assertThat(files.map(file -> file.getFileName().toString())).as("no temporary file left").noneMatch(name -> name.endsWith(".tmp"));
        }
        assertThat(Path.of("/dev/full")).as("the device itself untouched").exists();
    }

    /**
     * Met from outside: a query started before the journal's disk filled lost its completion, and the hung-queries rule took its
     * start for a query running far too long, CRITICAL, for a day. Here PostgreSQL refuses connections and the first journal
     * files go to /dev/full; once PostgreSQL takes connections again, the journal is replayed and the completions that were
     * lost are recorded as such, by themselves.
     */
    @Test
    void completionsLostToAFullDiskAreRecordedOncePostgresIsBack()
            throws Exception
    {
        Path spool = journalOnAFullDisk();
        TestingPostgres postgres = TestingPostgres.shared();
        String url = postgres.createDatabase("lost_completions");
        postgres.allowConnections(url, false);
        IcetuneEventListener listener = listener(url, spool, Map.of("icetune.retry.attempts", "1"));
        try {
            for (int i = 0; i < 200; i++) {
                listener.queryCompleted(TestingEvents.completed("q_lost_completion_" + i, "SELECT 1", List.of()));
                if (i % 20 == 19) {
                    Thread.sleep(300);
                }
            }
            long lost = listener.droppedEvents();
            assertThat(lost).isPositive();

            postgres.allowConnections(url, true);
            CapturedRows rows = new CapturedRows(url);
            awaitStoredOrLost(rows, 200, Duration.ofSeconds(120));
            assertThat(stored(rows, "lost_completions")).as("each lost completion recorded").isEqualTo(lost);
            assertThat(stored(rows, "query_logs")).as("the journaled ones replayed").isEqualTo(200 - lost);
            assertThat(rows.count("SELECT count(*) FROM lost_completions x JOIN query_logs l USING (query_id)")).isZero();
            assertThat(rows.count("SELECT count(*) FROM lost_completions WHERE cluster_name = 'test'")).as("the cluster of each, as its start's").isEqualTo(lost);
        }
        finally {
            listener.shutdown();
        }
    }

    /**
     * Met from outside: Trino stopped (SIGTERM) under a running query sent no completion for it (whether its stop fails its queries
     * before it shuts its listeners down is a race), and while it stayed down an evaluation took the query for a hung one. The
     * queries started and not completed as the listener shuts down are recorded as lost completions.
     */
    @Test
    void queriesRunningWhenTrinoStopsAreRecordedAsEndedWithoutACompletion()
            throws Exception
    {
        String url = TestingPostgres.shared().createDatabase("stopped_running");
        IcetuneEventListener listener = listener(url, temporary.resolve("stopped-spool"), Map.of());
        CapturedRows rows = new CapturedRows(url);
        for (int i = 0; i < 3; i++) {
            listener.queryCreated(TestingEvents.created("q_stopped_" + i, "SELECT " + i));
        }
        listener.queryCompleted(TestingEvents.completed("q_stopped_0", "SELECT 0", List.of()));
        rows.await(3, "SELECT * FROM query_starts");
        try (LoggedLines lines = new LoggedLines()) {
            listener.shutdown();
            assertThat(lines.await("Trino stops with", Duration.ZERO)).anyMatch(line -> line.contains("Trino stops with 2 queries running; recorded as ended"));
        }

        assertThat(rows.query("SELECT query_id, cluster_name FROM lost_completions ORDER BY query_id"))
                .containsExactly(Map.of("query_id", "q_stopped_1", "cluster_name", "test"), Map.of("query_id", "q_stopped_2", "cluster_name", "test"));
    }

    /**
     * Met from outside: a coordinator killed (kill -9, as the OOM killer does) and left down sent no completion for the queries it
     * was running, and hung-queries paged for them until a coordinator of the cluster started a query again. From its first query
     * on, the listener says its coordinator alive, by the id ending its query ids, and again every 30 s with no query needed.
     */
    @Test
    void aCoordinatorIsSaidAliveFromItsFirstQueryOnAndAgainWithNoQuery()
            throws Exception
    {
        String url = TestingPostgres.shared().createDatabase("heartbeat");
        IcetuneEventListener listener = listener(url, temporary.resolve("heartbeat-spool"), Map.of());
        CapturedRows rows = new CapturedRows(url);
        try {
            listener.queryCreated(TestingEvents.created("20261207_083000_00000_k3x9p", "SELECT 1"));
            Map<String, Object> first = rows.await(1, "SELECT cluster_name, coordinator_id, seen_at FROM coordinator_heartbeats").getFirst();
            assertThat(first).containsEntry("cluster_name", "test").containsEntry("coordinator_id", "k3x9p");

            awaitBeat(rows, "SELECT count(*) FROM coordinator_heartbeats WHERE seen_at > ?", first.get("seen_at"));
            assertThat(rows.query("SELECT coordinator_id, seen_at > ? AS later FROM coordinator_heartbeats", first.get("seen_at")))
                    .as("said again within %s and a little, no query sent", CoordinatorHeartbeat.INTERVAL)
                    .containsExactly(Map.of("coordinator_id", "k3x9p", "later", true));
        }
        finally {
            listener.shutdown();
        }
    }

    /**
     * A plugin upgraded before its database, run with icetune.db.migrate=false against a schema without coordinator_heartbeats:
     * its heartbeat is refused. That is said once, with what to run, and holds no event back; once someone has migrated, the
     * coordinator is said alive at the next beat, with no restart.
     */
    @Test
    void aHeartbeatRefusedBySchemaTooOldIsSaidOnceAndSaidAgainOnceMigrated()
            throws Exception
    {
        String url = TestingPostgres.shared().createDatabase("heartbeat_refused");
        Database.of(url, "postgres", "operator").migrate();
        // the schema as the version before the heartbeat left it
        TestingPostgres.execute(url, "DROP TABLE coordinator_heartbeats", "DELETE FROM icetune_schema_history WHERE version = '15'");
        CapturedRows rows = new CapturedRows(url);
        try (LoggedLines lines = new LoggedLines()) {
            IcetuneEventListener listener = listener(url, temporary.resolve("heartbeat-refused-spool"), Map.of("icetune.db.migrate", "false"));
            try {
                listener.queryCreated(TestingEvents.created("20261207_083000_00000_r3fus", "SELECT 1"));
                completeQueries(listener, "q_refused_beat_", 5);
                String refused = "cannot say this coordinator is alive";
                assertThat(lines.await(refused, Duration.ofSeconds(30))).filteredOn(line -> line.contains(refused)).first().asString()
                        .contains("coordinator_heartbeats").contains("run bin/icetune migrate against this database");
                awaitStoredOrLost(rows, 5, Duration.ofSeconds(30));
                assertThat(rows.count("SELECT count(*) FROM query_logs WHERE query_id LIKE 'q_refused_beat_%'")).as("stored, not held back").isEqualTo(5);

                // a second beat refused meanwhile, at the interval as shipped
                Thread.sleep(CoordinatorHeartbeat.INTERVAL.plusSeconds(5).toMillis());
                assertThat(lines.await(refused, Duration.ZERO)).filteredOn(line -> line.contains(refused)).hasSize(1);

                Database.of(url, "postgres", "operator").migrate(); // bin/icetune migrate
                awaitBeat(rows, "SELECT count(*) FROM coordinator_heartbeats");
                assertThat(rows.query("SELECT coordinator_id FROM coordinator_heartbeats"))
                        .as("said alive at the next beat, within %s and a little", CoordinatorHeartbeat.INTERVAL).containsExactly(Map.of("coordinator_id", "r3fus"));
            }
            finally {
                listener.shutdown();
            }
        }
    }

    /**
     * A coordinator running one long query and starting no other, its beat failing on an outage: said alive again once PostgreSQL
     * is back, with no query sent. It was said alive again only at its next query (the beat waited for a write to find PostgreSQL
     * back), so 2 minutes after the outage its running queries were taken for a gone coordinator's, left out of hung-queries.
     */
    @Test
    void aCoordinatorStartingNoQueryIsSaidAliveAgainOnceAnOutageEnds()
            throws Exception
    {
        try (PostgresServer server = PostgresServer.start(temporary.resolve("pg"))) {
            String url = server.url("postgres");
            CapturedRows rows = new CapturedRows(url);
            IcetuneEventListener listener = listener(url, temporary.resolve("idle-spool"), Map.of());
            try {
                listener.queryCreated(TestingEvents.created("20261207_090000_00000_l0ng1", "SELECT count(*) FROM events CROSS JOIN events"));
                rows.await(1, "SELECT coordinator_id FROM coordinator_heartbeats");
                server.stop(PostgresServer.Stop.FAST);
                Thread.sleep(CoordinatorHeartbeat.INTERVAL.plusSeconds(5).toMillis()); // a beat tried meanwhile, and failed
                server.start();
                java.sql.Timestamp back = java.sql.Timestamp.from(Instant.now());

                awaitBeat(rows, "SELECT count(*) FROM coordinator_heartbeats WHERE seen_at > ?", back);
                assertThat(rows.count("SELECT count(*) FROM coordinator_heartbeats WHERE seen_at > ?", back))
                        .as("said alive within %s and a little of PostgreSQL's start, no query sent", CoordinatorHeartbeat.INTERVAL).isEqualTo(1);
            }
            finally {
                listener.shutdown();
            }
        }
    }

    /**
     * A burst of completions faster than capture fills the queue (`icetune.queue-capacity`): the completions dropped with it
     * were counted only, and their starts, written before, were taken by the hung-queries rule for queries running for a day.
     * They are recorded as lost completions, PostgreSQL up all along.
     */
    @Test
    void completionsDroppedWithTheQueueFullAreRecorded()
            throws Exception
    {
        String url = TestingPostgres.shared().createDatabase("queue_full");
        IcetuneEventListener listener = listener(url, temporary.resolve("spool"), Map.of("icetune.queue-capacity", "10"));
        try {
            // built before the burst: a burst that builds each event as it goes is slow enough for the capture to keep up (it did once, in CI)
            int burst = 5_000;
            List<QueryCompletedEvent> events = new ArrayList<>(burst);
            for (int i = 0; i < burst; i++) {
                events.add(TestingEvents.completed("q_queue_full_" + i, "SELECT 1", List.of()));
            }
            events.forEach(listener::queryCompleted);
            long dropped = listener.droppedEvents();
            assertThat(dropped).isPositive();

            CapturedRows rows = new CapturedRows(url);
            awaitStoredOrLost(rows, burst, Duration.ofSeconds(60));
            assertThat(stored(rows, "lost_completions")).as("each completion dropped recorded").isEqualTo(dropped);
            assertThat(stored(rows, "query_logs")).isEqualTo(burst - dropped);
            assertThat(rows.count("SELECT count(*) FROM lost_completions x JOIN query_logs l USING (query_id)")).isZero();
            assertThat(rows.count("SELECT count(*) FROM lost_completions WHERE cluster_name = 'test'")).isEqualTo(dropped);
        }
        finally {
            listener.shutdown();
        }
    }

    /**
     * Events Trino reports that icetune cannot capture: a completion whose statistics cannot be read is counted dropped and recorded as
     * a lost completion (so that its start is not taken for a running query); one whose context cannot be read either is counted
     * dropped, and the capture goes on with the next events. Before, the first was counted only, and the second, recorded as lost
     * by the capture stage's handler of a failed batch, threw again there, out of its loop: nothing more was written until Trino restarted.
     */
    @Test
    void eventsThatCannotBeCapturedAreRecordedAsLostAndTheCaptureGoesOn()
            throws Exception
    {
        String url = TestingPostgres.shared().createDatabase("unreadable_events");
        IcetuneEventListener listener = listener(url, temporary.resolve("spool"), Map.of());
        try {
            listener.queryCompleted(new Unreadable(TestingEvents.completed("q_statistics_unreadable", "SELECT 1", List.of()), false));
            listener.queryCompleted(new Unreadable(TestingEvents.completed("q_context_unreadable", "SELECT 1", List.of()), true));
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
            while (listener.droppedEvents() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(listener.droppedEvents()).isEqualTo(2);

            for (int i = 0; i < 5; i++) {
                listener.queryCompleted(TestingEvents.completed("q_after_unreadable_" + i, "SELECT 1", List.of()));
            }
            CapturedRows rows = new CapturedRows(url);
            deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
            while ((stored(rows, "query_logs") < 5 || stored(rows, "lost_completions") < 1) && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            assertThat(stored(rows, "query_logs")).as("the events after them captured and written").isEqualTo(5);
            assertThat(rows.count("SELECT count(*) FROM lost_completions WHERE query_id = 'q_statistics_unreadable'")).as("recorded as lost").isEqualTo(1);
            assertThat(stored(rows, "lost_completions")).as("the other's id could not be read").isEqualTo(1);
        }
        finally {
            listener.shutdown();
        }
    }

    /** A completion whose statistics, and optionally its context, throw when read: a broken event. */
    private static final class Unreadable
            extends QueryCompletedEvent
    {
        private final boolean contextToo;

        Unreadable(QueryCompletedEvent event, boolean contextToo)
        {
            super(event.getMetadata(), event.getStatistics(), event.getContext(), event.getIoMetadata(), event.getSelectColumnsLineageInfo(),
                    event.getFailureInfo(), event.getWarnings(), event.getCreateTime(), event.getExecutionStartTime(), event.getEndTime());
            this.contextToo = contextToo;
        }

        @Override
        public QueryStatistics getStatistics()
        {
            throw new IllegalStateException("a broken event");
        }

        @Override
        public QueryContext getContext()
        {
            if (contextToo) {
                throw new IllegalStateException("a broken event");
            }
            return super.getContext();
        }
    }

    /** A journal directory whose first five files are written to /dev/full: "No space left on device", as a full disk says. */
    private Path journalOnAFullDisk()
            throws IOException
    {
        Path full = Path.of("/dev/full");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(full), "a Linux /dev/full");
        Path spool = Files.createDirectories(temporary.resolve("spool"));
        for (int sequence = 0; sequence < 5; sequence++) {
            Files.createSymbolicLink(spool.resolve("%020d.tmp".formatted(sequence)), full);
        }
        return spool;
    }

    /** A listener writing to the database at {@code url} as postgres, journaling to {@code spool}, with {@code more} of its properties. */
    private static IcetuneEventListener listener(String url, Path spool, Map<String, String> more)
    {
        Map<String, String> properties = new HashMap<>(Map.of("icetune.db.url", url, "icetune.db.user", "postgres", "icetune.spool.dir", spool.toString()));
        properties.putAll(more);
        return (IcetuneEventListener) new IcetuneEventListenerFactory().create(properties, null);
    }

    /** Waits the heartbeat's interval and a little (as shipped: no timer shortened) for {@code countSql} to count a row. */
    private static void awaitBeat(CapturedRows rows, String countSql, Object... parameters)
            throws InterruptedException
    {
        Instant deadline = Instant.now().plus(CoordinatorHeartbeat.INTERVAL).plusSeconds(15);
        while (rows.count(countSql, parameters) == 0 && Instant.now().isBefore(deadline)) {
            Thread.sleep(500);
        }
    }

    /** Waits until {@code events} completions are stored in query_logs or recorded in lost_completions, or {@code timeout} has passed. */
    private static void awaitStoredOrLost(CapturedRows rows, long events, Duration timeout)
            throws InterruptedException
    {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (stored(rows, "query_logs") + stored(rows, "lost_completions") < events && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
    }

    private static long stored(CapturedRows rows, String table)
    {
        try {
            return rows.count("SELECT count(*) FROM " + table);
        }
        catch (RuntimeException e) {
            return 0; // not migrated yet
        }
    }

    @Test
    void theSchemaIsCreatedAtStartUpBeforeAnyQuery()
    {
        String url = TestingPostgres.shared().createDatabase("startup");
        IcetuneEventListener listener = listener(url, temporary.resolve("spool"), Map.of());
        try {
            new CapturedRows(url).await(2, "SELECT tablename FROM pg_tables WHERE tablename IN ('query_logs', 'query_inputs')");
        }
        finally {
            listener.shutdown();
        }
    }

    /**
     * Met from outside: a plugin run with icetune.db.migrate=false against a database nobody had migrated said only "function
     * icetune_maintain_partitions(integer, integer) does not exist". It says what to run, and once someone has, the events journaled
     * meanwhile arrive without a restart (at the default retry delays).
     */
    @Test
    void aSchemaNotMigratedIsSaidWithWhatToRunAndItsEventsArriveOnceItIs()
            throws Exception
    {
        String url = TestingPostgres.shared().createDatabase("not_migrated");
        try (LoggedLines lines = new LoggedLines()) {
            IcetuneEventListener listener = listener(url, temporary.resolve("spool"), Map.of("icetune.db.migrate", "false"));
            try {
                completeQueries(listener, "q_before_migration_", 10);
                assertThat(lines.await("journaling", Duration.ofSeconds(30))).filteredOn(line -> line.contains("journaling")).first().asString()
                        .contains("does not exist").contains("the schema is not migrated: run bin/icetune migrate against this database");

                Database.of(url, "postgres", "operator").migrate(); // bin/icetune migrate
                CapturedRows rows = new CapturedRows(url);
                awaitStoredOrLost(rows, 10, Duration.ofSeconds(90));
                assertThat(rows.count("SELECT count(*) FROM query_logs WHERE query_id LIKE 'q_before_migration_%'")).isEqualTo(10);
            }
            finally {
                listener.shutdown();
            }
        }
    }

    /**
     * Met from outside: the database made read-only (default_transaction_read_only, as for a maintenance or a standby behind the
     * URL). Its events are journaled, the log says why and what to do, and once the database takes writes again they arrive with
     * no query sent and no restart (at the default retry delays).
     */
    @Test
    void aDatabaseThatTakesNoWritesIsSaidWithWhatToDoAndItsEventsArriveOnceItDoes()
            throws Exception
    {
        String url = TestingPostgres.shared().createDatabase("read_only");
        Database.of(url, "postgres", "operator").migrate();
        TestingPostgres.execute(url, "DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET default_transaction_read_only = on', current_database()); END $$");
        try (LoggedLines lines = new LoggedLines()) {
            IcetuneEventListener listener = listener(url, temporary.resolve("spool"), Map.of());
            try {
                completeQueries(listener, "q_read_only_", 10);
                assertThat(lines.await("journaling", Duration.ofSeconds(30))).filteredOn(line -> line.contains("journaling")).first().asString()
                        .contains("read-only transaction").contains("The database takes no writes: icetune.db.url points at a standby, or default_transaction_read_only is on");

                // as the DBA ends the maintenance; the listener's sessions opened meanwhile were read-only, the ones it opens from now on are not
                TestingPostgres.execute(url, "SET default_transaction_read_only = off",
                        "DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET default_transaction_read_only = off', current_database()); END $$");
                CapturedRows rows = new CapturedRows(url);
                awaitStoredOrLost(rows, 10, Duration.ofSeconds(90));
                assertThat(rows.count("SELECT count(*) FROM query_logs WHERE query_id LIKE 'q_read_only_%'")).isEqualTo(10);
            }
            finally {
                listener.shutdown();
            }
        }
    }

    /**
     * Met from outside: the DBA rotated icetune's password, the file given as icetune.db.password-file (a mounted secret) followed,
     * and once PostgreSQL had restarted the listener journaled every event until Trino itself was restarted: it had read the file at
     * start-up only. The file is read at each new connection, so the events journaled meanwhile arrive with no restart and no query
     * sent (at the default retry delays).
     */
    @Test
    void aPasswordRotatedInItsFileIsTakenWithoutARestart()
            throws Exception
    {
        try (PostgresServer server = PostgresServer.start(temporary.resolve("pg"))) {
            server.requirePasswords();
            TestingPostgres.execute(server.url("postgres"), "CREATE ROLE icetune LOGIN PASSWORD 'Rot8-before'", "CREATE DATABASE rotated OWNER icetune");
            String url = server.url("rotated");
            Path passwordFile = temporary.resolve("db-password");
            Files.writeString(passwordFile, "Rot8-before\n");
            try (LoggedLines lines = new LoggedLines()) {
                IcetuneEventListener listener = listener(url, temporary.resolve("spool"),
                        Map.of("icetune.db.user", "icetune", "icetune.db.password-file", passwordFile.toString()));
                try {
                    CapturedRows rows = new CapturedRows(url);
                    completeQueries(listener, "q_before_rotation_", 5);
                    awaitStoredOrLost(rows, 5, Duration.ofSeconds(30));
                    assertThat(rows.count("SELECT count(*) FROM query_logs WHERE query_id LIKE 'q_before_rotation_%'")).isEqualTo(5);

                    // the rotation: the role's new password, a restart that ends the listener's session, and the file a little later
                    TestingPostgres.execute(url, "ALTER ROLE icetune PASSWORD 'Rot8-after'");
                    server.stop(PostgresServer.Stop.FAST);
                    server.start();
                    completeQueries(listener, "q_after_rotation_", 10);
                    assertThat(lines.await("journaling", Duration.ofSeconds(60))).filteredOn(line -> line.contains("journaling")).first().asString()
                            .contains("password authentication failed").contains("icetune.db.password-file").doesNotContain("Rot8");
                    Files.writeString(passwordFile, "Rot8-after\n");

                    awaitStoredOrLost(rows, 15, Duration.ofSeconds(90));
                    assertThat(rows.count("SELECT count(*) FROM query_logs WHERE query_id LIKE 'q_after_rotation_%'")).isEqualTo(10);
                }
                finally {
                    listener.shutdown();
                }
            }
        }
    }

    /**
     * Met from outside: the journal's directory removed while Trino ran and PostgreSQL was down (by hand, to throw a journal away;
     * a cleaner of temporary files) made every event after it dropped, "cannot be written (NoSuchFileException ...); free its
     * disk". The directory is made anew; and a journal removed by hand no longer counts as bytes to replay (the
     * icetune_spool_bytes the IcetuneListenerSpooling alert reads stayed above zero until Trino restarted).
     */
    @Test
    void aJournalDirectoryRemovedWhileTrinoRunsIsMadeAnew()
            throws Exception
    {
        Path spool = temporary.resolve("spool");
        try (PostgresServer server = PostgresServer.start(temporary.resolve("pg"))) {
            String url = server.url("postgres");
            try (LoggedLines lines = new LoggedLines()) {
                IcetuneEventListener listener = listener(url, spool, Map.of());
                try {
                    CapturedRows rows = new CapturedRows(url);
                    completeQueries(listener, "q_up_", 5);
                    awaitStoredOrLost(rows, 5, Duration.ofSeconds(30));

                    server.stop(PostgresServer.Stop.FAST);
                    completeQueries(listener, "q_thrown_away_", 10);
                    awaitJournaled(spool, 10);
                    deleteRecursively(spool); // the operator throws the journal away
                    completeQueries(listener, "q_after_removal_", 10);
                    awaitJournaled(spool, 10);
                    assertThat(listener.droppedEvents()).as("nothing dropped").isZero();

                    server.start();
                    awaitStoredOrLost(rows, 15, Duration.ofSeconds(90));
                    assertThat(rows.count("SELECT count(*) FROM query_logs WHERE query_id LIKE 'q_after_removal_%'")).isEqualTo(10);
                    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                    while (spoolBytesAsMonitoringReadsThem() > 0 && System.nanoTime() < deadline) {
                        Thread.sleep(200);
                    }
                    assertThat(spoolBytesAsMonitoringReadsThem()).as("icetune_spool_bytes once the journal is replayed").isZero();
                    assertThat(lines.await("replayed", Duration.ofSeconds(30))).as("the replay said").anyMatch(line -> line.contains("replayed 10 events"));
                }
                finally {
                    listener.shutdown();
                }
            }
        }
    }

    private static void awaitJournaled(Path spool, long events)
            throws InterruptedException
    {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (journaledSoFar(spool) < events && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        assertThat(journaledSoFar(spool)).as("journaled").isEqualTo(events);
    }

    private static long journaledSoFar(Path spool)
    {
        try {
            return journaledEvents(spool);
        }
        catch (IOException | UncheckedIOException e) {
            return 0; // no directory (yet)
        }
    }

    private static void deleteRecursively(Path directory)
            throws IOException
    {
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
    }

    /** The gauge the IcetuneListenerSpooling alert reads, from JMX as Prometheus' exporter reads it. */
    private static double spoolBytesAsMonitoringReadsThem()
            throws Exception
    {
        return ((Number) java.lang.management.ManagementFactory.getPlatformMBeanServer()
                .getAttribute(new javax.management.ObjectName("icetune:name=icetuneSpoolBytes,type=gauges"), "Value")).doubleValue();
    }

    private static void completeQueries(IcetuneEventListener listener, String idPrefix, int queries)
    {
        for (int i = 0; i < queries; i++) {
            listener.queryCompleted(TestingEvents.completed(idPrefix + i, "SELECT 1", List.of(TestingEvents.icebergInput("t", 1, 1))));
        }
    }

    @Test
    void theJournalIsReplayedAtStartUpAndAnUnreadableFileIsSetAside()
            throws Exception
    {
        Path spool = Files.createDirectories(temporary.resolve("spool"));
        // a file no version of the listener wrote: first in replay order, so it would block the others
        Files.writeString(spool.resolve("%020d.jsonl".formatted(0)), "{\"kind\":\"query\",\"queryId\":\n");
        IcetuneEventListener down = (IcetuneEventListener) new IcetuneEventListenerFactory().create(Map.of(
                "icetune.db.url", "jdbc:postgresql://127.0.0.1:" + TestingPostgres.freePort() + "/none",
                "icetune.spool.dir", spool.toString()), null);
        completeQueries(down, "q_kept_", 10);
        down.shutdown();
        assertThat(journaledEvents(spool)).as("the ten events, and the unreadable line unless already set aside").isBetween(10L, 11L);

        String url = TestingPostgres.shared().createDatabase("replay");
        IcetuneEventListener up = listener(url, spool, Map.of());
        try {
            // no event arrives: the writer replays what it finds at start-up by itself
            new CapturedRows(url).await(10, "SELECT query_id FROM query_logs WHERE query_id LIKE 'q_kept_%'");
            assertThat(journaledEvents(spool)).isZero();
            assertThat(spool.resolve("%020d.jsonl.unreadable".formatted(0))).as("set aside, not deleted").exists();
        }
        finally {
            up.shutdown();
        }
    }

    @Test
    void aBatchWhosePartsPartlyCommittedIsWrittenAgainExactlyOnce()
            throws Exception
    {
        String url = TestingPostgres.shared().createDatabase("parts");
        EventCapture capture = new EventCapture(Optional.empty(), 1000, false);
        List<CapturedEvent> events = new ArrayList<>();
        for (int i = 0; i < 4 * EncodedBatch.MIN_EVENTS_PER_PART; i++) {
            events.add(capture.capture(TestingEvents.completed("q_part_" + i, "SELECT " + i, List.of(TestingEvents.icebergInput("t", 1, 1), TestingEvents.icebergInput("u", 1, 1)))));
        }
        EncodedBatch batch = EncodedBatch.encode(events, 2);
        assertThat(batch.parts()).hasSize(2);
        assertThat(EncodedBatch.encode(events.subList(0, 10), 2).parts()).as("a trickle uses one connection").hasSize(1);
        CapturedRows rows = new CapturedRows(url);
        try (PostgresSink sink = new PostgresSink(Database.of(url, "postgres", "icetune-test"), new ListenerConfig().setDbWriters(2))) {
            sink.prepare();
            // the server refuses the last query of the second part, once: the first part commits, the second does not
            TestingPostgres.execute(url,
                    "CREATE SEQUENCE refusals",
                    """
                    CREATE FUNCTION refuse_once() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN
                      IF NEW.query_id = 'q_part_%s' THEN
                        IF nextval('refusals') = 1 THEN
                          RAISE EXCEPTION 'refused once';
                        END IF;
                      END IF;
                      RETURN NEW;
                    END $$""".formatted(events.size() - 1),
                    "CREATE TRIGGER refuse_once BEFORE INSERT ON query_logs FOR EACH ROW EXECUTE FUNCTION refuse_once()");

            assertThatThrownBy(() -> sink.await(sink.submit(batch))).isInstanceOf(SQLException.class).hasMessageContaining("refused once");
            assertThat(rows.count("SELECT count(*) FROM query_logs")).as("the first part committed").isEqualTo(events.size() / 2);

            sink.await(sink.submit(batch));
            sink.await(sink.submit(batch));
        }
        assertThat(rows.count("SELECT count(DISTINCT query_id) FROM query_logs")).isEqualTo(events.size());
        assertThat(rows.count("SELECT count(*) FROM query_logs")).isEqualTo(events.size());
        assertThat(rows.count("SELECT count(*) FROM query_inputs")).isEqualTo(2L * events.size());
    }

    @Test
    void connectionsKilledDuringABurstLoseNothingAndDuplicateNothing()
            throws Exception
    {
        // a burst queues batches faster than they are written, so each goes out behind the one in flight: the writer's
        // connections are killed from outside while batches are in flight, at the listener's default settings
        String url = TestingPostgres.shared().createDatabase("burst");
        CapturedRows rows = new CapturedRows(url);
        IcetuneEventListener listener = listener(url, temporary.resolve("spool"), Map.of());
        int events = 30_000;
        long kills = 0;
        try {
            rows.await(2, "SELECT tablename FROM pg_tables WHERE tablename IN ('query_logs', 'query_inputs')");
            for (int i = 0; i < events; i++) {
                listener.queryCompleted(TestingEvents.completed("q_burst_" + i, "SELECT " + i, List.of(TestingEvents.icebergInput("t", 1, 1))));
            }
            long stored = 0;
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (stored < events && System.nanoTime() < deadline) {
                long now = rows.count("SELECT count(*) FROM query_logs");
                if (now > stored && kills < 4) {
                    // each time the writer has written again: more kills in a row would only lengthen its backoff
                    kills += rows.count("""
                            SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
                            WHERE datname = current_database() AND application_name = 'icetune-trino-listener'""");
                }
                stored = now;
                Thread.sleep(20);
            }
        }
        finally {
            listener.shutdown();
        }
        assertThat(kills).as("writer connections killed during the burst").isPositive();
        assertThat(rows.count("SELECT count(DISTINCT query_id) FROM query_logs")).isEqualTo(events);
        assertThat(rows.count("SELECT count(*) FROM query_logs")).isEqualTo(events);
        assertThat(rows.count("SELECT count(*) FROM query_inputs")).isEqualTo(events);
        assertThat(listener.droppedEvents()).isZero();
    }

    /**
     * Met from outside: after PostgreSQL restarted, or its backends were killed while the listener was idle, the next batch failed on
     * the dead connection and went to the journal, with a warning, to be replayed a retry later. It is written at once on a new one.
     */
    @Test
    void aConnectionDroppedWhileIdleIsReplacedWithoutGivingUpTheBatch()
            throws Exception
    {
        String url = TestingPostgres.shared().createDatabase("idle_killed");
        EventCapture capture = new EventCapture(Optional.empty(), 1000, false);
        List<CapturedEvent> events = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            events.add(capture.capture(TestingEvents.completed("q_idle_" + i, "SELECT " + i, List.of(TestingEvents.icebergInput("t", 1, 1)))));
        }
        CapturedRows rows = new CapturedRows(url);
        try (PostgresSink sink = new PostgresSink(Database.of(url, "postgres", "icetune-test"), new ListenerConfig())) {
            sink.prepare();
            sink.await(sink.submit(EncodedBatch.encode(events.subList(0, 10), 1)));
            assertThat(rows.count("""
                    SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()""")).isPositive();
            while (rows.count("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()") > 0) {
                Thread.sleep(20); // the killed backends exit
            }

            sink.await(sink.submit(EncodedBatch.encode(events.subList(10, 20), 1)));
        }
        assertThat(rows.count("SELECT count(DISTINCT query_id) FROM query_logs")).isEqualTo(20);
        assertThat(rows.count("SELECT count(*) FROM query_logs")).isEqualTo(20);
    }

    @Test
    void theWaitBetweenAttemptsDoublesUpToTheMaximum()
    {
        Duration initial = Duration.ofMillis(100);
        Duration max = Duration.ofSeconds(30);
        assertThat(EventWriter.delay(1, initial, max)).isEqualTo(Duration.ofMillis(100));
        assertThat(EventWriter.delay(2, initial, max)).isEqualTo(Duration.ofMillis(200));
        assertThat(EventWriter.delay(9, initial, max)).isEqualTo(Duration.ofMillis(25_600));
        assertThat(EventWriter.delay(10, initial, max)).isEqualTo(max);
        assertThat(EventWriter.delay(1_000, initial, max)).as("no overflow after a long outage").isEqualTo(max);
    }

    private static long journaledEvents(Path spool)
            throws IOException
    {
        try (Stream<Path> files = Files.list(spool)) {
            return files.filter(file -> file.toString().endsWith(".jsonl")).mapToLong(file -> {
                try {
                    return Files.readAllLines(file).size();
                }
                catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).sum();
        }
    }
}
