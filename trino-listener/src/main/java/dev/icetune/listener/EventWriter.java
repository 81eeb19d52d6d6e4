package dev.icetune.listener;

import com.google.inject.Inject;
import dev.icetune.store.Failures;
import dev.icetune.store.SchemaMigrator;
import io.airlift.log.Logger;
import io.trino.spi.eventlistener.QueryCompletedEvent;
import io.trino.spi.eventlistener.QueryCreatedEvent;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static java.util.Objects.requireNonNull;

/**
 * Two stages, off Trino's query path: one thread takes Trino's events off the queue in batches and turns
 * them into rows, the other (with the sink's writer connections, the only threads doing I/O) commits them to
 * PostgreSQL, the next batch going out behind the one in flight while writes go well. When PostgreSQL fails
 * it retries with backoff, then journals the batch to disk and keeps journaling, in order, until a replay
 * of the journal succeeds; only then does it write live batches directly again. The write stage heals by itself: at start-up and on its own timer (the retry backoff,
 * up to {@code icetune.retry.max-delay}) it creates the schema and replays the journal, whether or not
 * events arrive. Whatever can be neither written nor journaled is counted, and logged once per interval.
 */
final class EventWriter
{
    private static final Logger log = Logger.get(EventWriter.class);

    private final EventQueue queue;
    private final EventCapture capture;
    private final PostgresSink sink;
    private final SpoolJournal journal;
    private final ListenerMetrics metrics;
    private final ListenerConfig config;
    private final Duration retryInitialDelay;
    private final Duration retryMaxDelay;
    private final Path spoolDirectory;
    /** At most this many lost completions are kept to be recorded (about 10 MB); more are counted as dropped only. */
    private static final int MAX_LOST_COMPLETIONS = 100_000;
    /** Captured batches waiting for the write stage; small, so that a slow database pushes back on capture. */
    private final BlockingQueue<EncodedBatch> captured = new ArrayBlockingQueue<>(2);
    private static final EncodedBatch END = EncodedBatch.encode(List.of(), 1);
    /** Bounds of the write stage's wait for a batch: it wakes up at least this often to heal when an attempt is due. */
    private static final long MIN_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final long MAX_POLL_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** Journal files read for one replay transaction at most, however few events they hold. */
    private static final int JOURNAL_FILES_PER_REPLAY = 1000;

    private volatile boolean stopping;
    /** When PostgreSQL may be tried again: now at start-up, later after each failure (the backoff). */
    private long nextAttemptNanos = System.nanoTime();
    private int failuresInARow;
    /** The live batch last handed to the sink and not yet settled: the next one goes out behind it, not after it. */
    private PostgresSink.Pending pending;
    private long lastLossLogNanos = System.nanoTime();
    private long droppedJournalFull;
    /**
     * The queries whose completion was lost (query id to cluster), to be recorded once PostgreSQL takes writes: their starts,
     * written or journaled before, would otherwise stay open for ever. At most {@link #MAX_LOST_COMPLETIONS}; more are counted only.
     */
    private final Map<String, String> lostCompletions = new LinkedHashMap<>();
    /**
     * Completions lost before capture (the queue full, a capture that failed), handed from Trino's threads and the capture stage to
     * the write stage, which takes them into {@link #lostCompletions}; at most {@link #MAX_LOST_COMPLETIONS} waiting.
     */
    private final Queue<Map.Entry<String, String>> completionsLostBeforeCapture = new ConcurrentLinkedQueue<>();
    private final AtomicInteger completionsLostWaiting = new AtomicInteger();
    /**
     * The capture stage's queries started and not completed yet (query id to cluster), the oldest left out past
     * {@link #MAX_LOST_COMPLETIONS} (a start whose completion the full queue dropped is recorded lost already): those running as
     * Trino stops send no completion.
     */
    private final Map<String, String> running = new LinkedHashMap<>()
    {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest)
        {
            return size() > MAX_LOST_COMPLETIONS;
        }
    };
    private final CoordinatorHeartbeat heartbeat = new CoordinatorHeartbeat();
    /** The last heartbeat was refused (not an outage: a schema older than the listener's): said once until one goes through. */
    private boolean heartbeatRefused;
    /** Events the journal could not write (a full disk), since the last log of losses, and why the last one failed. */
    private long droppedUnwritable;
    /** Lost completions recorded since the last log of losses. */
    private long recordedLostCompletions;
    private String unwritableCause;
    private long loggedQueueDrops;
    private boolean down;

    @Inject
    EventWriter(EventQueue queue, EventCapture capture, PostgresSink sink, SpoolJournal journal, ListenerMetrics metrics, ListenerConfig config)
    {
        this.queue = requireNonNull(queue, "queue is null");
        this.capture = requireNonNull(capture, "capture is null");
        this.sink = requireNonNull(sink, "sink is null");
        this.journal = requireNonNull(journal, "journal is null");
        this.metrics = requireNonNull(metrics, "metrics is null");
        this.config = requireNonNull(config, "config is null");
        this.retryInitialDelay = config.getRetryInitialDelay().toJavaTime();
        this.retryMaxDelay = config.getRetryMaxDelay().toJavaTime();
        this.spoolDirectory = journal.directory();
    }

    /** Asks both stages to write what is queued and end. */
    void stop()
    {
        stopping = true;
    }

    /** The capture stage: Trino's events to rows, a batch at a time, handed to the write stage. */
    void captureLoop()
    {
        List<Object> raw = new ArrayList<>(config.getBatchSize());
        try {
            boolean more = true;
            while (more) {
                raw.clear();
                try {
                    more = take(raw);
                }
                catch (InterruptedException e) {
                    stopping = true; // what was taken is still in raw and is written below
                }
                try {
                    List<CapturedEvent> batch = capture(raw);
                    if (!batch.isEmpty()) {
                        putUninterruptibly(EncodedBatch.encode(batch, config.getDbWriters()));
                    }
                }
                catch (RuntimeException | Error e) {
                    // a bug of ours must not end the thread: the events of this batch are counted as lost
                    metrics.dropped.increment(raw.size());
                    log.error(e, "icetune: unexpected error capturing events; %s events lost", raw.size());
                    raw.forEach(event -> {
                        if (event instanceof QueryCompletedEvent completed) {
                            completionLost(completed);
                        }
                    });
                }
            }
        }
        finally {
            stoppedWhileRunning();
            putUninterruptibly(END);
        }
    }

    /**
     * Trino stops with queries running: they end with its JVM, without a completion, and their starts would be taken for hung
     * queries until a coordinator of the cluster starts a query again (for good, where none does: a coordinator stopped for a
     * maintenance paged its on-call after a minute). Recorded as lost completions, as the write stage's last act.
     */
    private void stoppedWhileRunning()
    {
        if (!running.isEmpty()) {
            log.info("icetune: Trino stops with %s queries running; recorded as ended without a completion, so that they are not taken for hung ones", running.size());
            running.forEach(this::completionLost);
            running.clear();
        }
    }

    /**
     * The write stage: PostgreSQL, or the journal. Runs beside the capture stage, so that building rows and COPY
     * overlap. Between batches, and when none come, it heals: schema first, then the journal, whenever an attempt is due.
     */
    void writeLoop()
    {
        try {
            while (true) {
                EncodedBatch batch;
                try {
                    // with a batch in flight, only a batch already captured is taken; otherwise the one in flight is settled
                    batch = pending != null ? captured.poll()
                            : captured.poll(Math.clamp(nextAttemptNanos - System.nanoTime(), MIN_POLL_NANOS, MAX_POLL_NANOS), TimeUnit.NANOSECONDS);
                }
                catch (InterruptedException e) {
                    continue; // ends only on END: the capture stage decides when nothing is left
                }
                boolean end = batch == END;
                try {
                    if (batch != null && !end) {
                        deliver(batch);
                    }
                    else if (pending != null) {
                        settle();
                    }
                    else if (!end) {
                        heal();
                    }
                    recordLostCompletions();
                    beat();
                }
                catch (RuntimeException | Error e) {
                    int lost = batch == null || end ? 0 : batch.size();
                    metrics.dropped.increment(lost);
                    log.error(e, "icetune: unexpected error writing events; %s events lost", lost);
                }
                logLosses(false);
                if (end) {
                    break;
                }
            }
        }
        finally {
            logLosses(true);
            sink.close();
        }
    }

    /** A captured batch, and END above all, must reach the write stage: losing END would leave it waiting forever. */
    private void putUninterruptibly(EncodedBatch batch)
    {
        while (true) {
            try {
                captured.put(batch);
                return;
            }
            catch (InterruptedException e) {
                stopping = true;
            }
        }
    }

    /** Fills {@code raw} with up to a batch; waits at most the flush interval for it to fill. False once stopped and drained. */
    private boolean take(List<Object> raw)
            throws InterruptedException
    {
        long deadline = System.nanoTime() + config.getFlushInterval().roundTo(TimeUnit.NANOSECONDS);
        while (raw.size() < config.getBatchSize()) {
            if (queue.drainTo(raw, config.getBatchSize() - raw.size()) > 0) {
                continue;
            }
            long remaining = deadline - System.nanoTime();
            if (stopping || remaining <= 0) {
                break;
            }
            Object next = queue.poll(Math.min(remaining, TimeUnit.MILLISECONDS.toNanos(50)), TimeUnit.NANOSECONDS);
            if (next != null) {
                raw.add(next);
                if (raw.size() == 1) {
                    // wait a little for company only when the queue is busy; a lone event is written at once
                    deadline = Math.min(deadline, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20));
                }
            }
            else if (!raw.isEmpty()) {
                break;
            }
        }
        return !(stopping && queue.isEmpty() && raw.isEmpty());
    }

    private List<CapturedEvent> capture(List<Object> raw)
    {
        List<CapturedEvent> batch = new ArrayList<>(raw.size());
        for (Object event : raw) {
            try {
                CapturedEvent captured = switch (event) {
                    case QueryCompletedEvent completed -> capture.capture(completed);
                    case QueryCreatedEvent created -> capture.capture(created);
                    default -> throw new IllegalArgumentException("unexpected event " + event.getClass().getName());
                };
                batch.add(captured);
                switch (captured) {
                    case CapturedStart start -> {
                        running.put(start.queryId(), start.clusterName());
                        heartbeat.started(start);
                    }
                    case CapturedQuery query -> running.remove(query.queryId());
                }
            }
            catch (RuntimeException e) {
                metrics.dropped.increment();
                log.error(e, "icetune: cannot capture an event; it is not stored");
                if (event instanceof QueryCompletedEvent completed) {
                    completionLost(completed);
                }
            }
        }
        return batch;
    }

    private void deliver(EncodedBatch batch)
    {
        if (pending != null) {
            if (!down && sink.isPrepared() && journal.isEmpty()) {
                // writes go well: this batch goes out behind the one in flight, settled meanwhile
                PostgresSink.Pending previous = pending;
                pending = sink.submit(batch);
                settle(previous);
                return;
            }
            settle();
        }
        if ((isDue() || stoppingWithNothingQueued()) && replayJournal()) {
            pending = sink.submit(batch);
            return;
        }
        keep(batch);
    }

    private void settle()
    {
        PostgresSink.Pending written = pending;
        pending = null;
        settle(written);
    }

    /**
     * Waits for a live batch handed to the sink. If it failed: more attempts, the waits between them doubling up to
     * the maximum, then the journal. A stopping listener has no time to wait out an outage: the journal at once.
     */
    private void settle(PostgresSink.Pending written)
    {
        if (isWritten(written)) {
            return;
        }
        int attempts = stopping ? 1 : config.getRetryAttempts();
        for (int attempt = 2; attempt <= attempts; attempt++) {
            sleep(delay(attempt - 1));
            if (writeOnce(written.batch())) {
                return;
            }
        }
        keep(written.batch());
    }

    /** With no batch to write: when an attempt is due, the schema (at start-up, or on a server that lost it) and the journal. */
    private void heal()
    {
        if (!isDue() || (sink.isPrepared() && journal.isEmpty())) {
            return;
        }
        if (!sink.isPrepared()) {
            try {
                sink.prepare();
                succeeded();
            }
            catch (SQLException | RuntimeException e) {
                failed(e);
                return;
            }
        }
        // a failed replay counts as a failed attempt: the next one waits out the backoff
        replayJournal();
    }

    private boolean isDue()
    {
        return System.nanoTime() - nextAttemptNanos >= 0;
    }

    private boolean stoppingWithNothingQueued()
    {
        return stopping && queue.isEmpty() && captured.isEmpty();
    }

    /**
     * Writes journaled batches oldest first, as many files a transaction as make up a batch (a journal written while
     * PostgreSQL was down holds many small ones); true once the journal is empty.
     */
    private boolean replayJournal()
    {
        long replayed = 0;
        while (!journal.isEmpty()) {
            List<Path> oldest = journal.oldest(JOURNAL_FILES_PER_REPLAY);
            if (oldest.isEmpty()) {
                break; // its files were removed by hand
            }
            List<Path> files = new ArrayList<>();
            List<CapturedEvent> events = new ArrayList<>();
            for (Path file : oldest) {
                try {
                    events.addAll(journal.read(file));
                    files.add(file);
                }
                catch (IOException | RuntimeException e) {
                    quarantine(file, e);
                }
                if (events.size() >= config.getBatchSize()) {
                    break;
                }
            }
            if (files.isEmpty()) {
                continue; // all set aside
            }
            EncodedBatch batch = EncodedBatch.encode(events, config.getDbWriters());
            if (!writeOnce(batch)) {
                return false;
            }
            metrics.replayed.increment(batch.size());
            replayed += batch.size();
            for (Path file : files) {
                try {
                    journal.remove(file);
                }
                catch (IOException e) {
                    // left on disk it would be replayed again: harmless, the sink is idempotent
                    log.warn("icetune: cannot remove replayed journal file %s: %s", file, e.getMessage());
                    return false;
                }
            }
        }
        if (replayed > 0) {
            // also said for a journal an earlier run left (PostgreSQL down when Trino stopped): nothing else tells the operator it arrived
            log.info("icetune: replayed %s events journaled while PostgreSQL was unavailable; the journal in %s is empty", replayed, spoolDirectory);
        }
        return true;
    }

    /** The wait after the {@code attempt}-th failure in a row: the initial delay, doubled each time, at most the maximum. */
    private Duration delay(int attempt)
    {
        return delay(attempt, retryInitialDelay, retryMaxDelay);
    }

    static Duration delay(int attempt, Duration initial, Duration max)
    {
        Duration doubled = initial.multipliedBy(1L << Math.min(attempt - 1, 30));
        return doubled.compareTo(max) > 0 ? max : doubled;
    }

    private boolean writeOnce(EncodedBatch batch)
    {
        return isWritten(sink.submit(batch));
    }

    /** Waits for a batch handed to the sink; counts it written, or the attempt failed. */
    private boolean isWritten(PostgresSink.Pending written)
    {
        try {
            sink.await(written);
            metrics.batchLatency.record(System.nanoTime() - written.startNanos(), TimeUnit.NANOSECONDS);
            metrics.written.increment(written.batch().size());
            succeeded();
            return true;
        }
        catch (SQLException | RuntimeException e) {
            failed(e);
            return false;
        }
    }

    private void succeeded()
    {
        if (down) {
            log.info("icetune: PostgreSQL accepts writes again; %s bytes journaled to replay", journal.bytes());
            down = false;
        }
        failuresInARow = 0;
        nextAttemptNanos = System.nanoTime();
    }

    /**
     * Met from outside: a plugin run with icetune.db.migrate=false against a database nobody had migrated said only that a
     * function did not exist. Its events are journaled until then, and replayed without a restart.
     */
    private static final String MIGRATE = " - the schema is not migrated: run bin/icetune migrate against this database (or set icetune.db.migrate=true), "
            + "and what was journaled meanwhile is written then";

    private void failed(Exception e)
    {
        metrics.writeFailures.increment();
        if (!down) {
            // the message of a PostgreSQL error never holds the password; the URL may, so it is not logged
            // what to do, where the failure is one a person must mend (a schema not migrated, a DBA's statement_timeout, a standby)
            String advice = SchemaMigrator.isSchemaMissing(e) ? MIGRATE : Failures.whatToDo(e).map(text -> " - " + text).orElse("");
            log.warn("icetune: PostgreSQL write failed (%s: %s)%s; journaling to %s and trying again every %s at most until it recovers",
                    e.getClass().getSimpleName(), e.getMessage(), advice, spoolDirectory, config.getRetryMaxDelay());
            down = true;
        }
        failuresInARow++;
        nextAttemptNanos = System.nanoTime() + delay(failuresInARow).toNanos();
    }

    private void keep(EncodedBatch batch)
    {
        if (batch.size() == 0) {
            return;
        }
        try {
            if (journal.append(batch.events())) {
                metrics.spooled.increment(batch.size());
                return;
            }
            droppedJournalFull += batch.size();
        }
        catch (IOException | RuntimeException e) {
            // a full disk fails every batch: said with the other losses, once per log interval, not once a batch
            droppedUnwritable += batch.size();
            unwritableCause = e.toString();
        }
        metrics.dropped.increment(batch.size());
        rememberLostCompletions(batch);
    }

    /**
     * A completion lost before capture: the queue was full (called on Trino's thread: no lock, no wait), or its capture failed. Its
     * start may have been written: it is recorded with the other lost completions. Never throws: its callers are Trino's thread and
     * the capture stage's handlers of a failed event and a failed batch, which must go on (an unreadable event is counted dropped already).
     */
    void completionLost(QueryCompletedEvent event)
    {
        try {
            completionLost(event.getMetadata().getQueryId(), capture.cluster(event.getContext()));
        }
        catch (RuntimeException | Error ignored) {
            // its id or cluster unreadable (the reason its capture failed): it stays unrecorded
        }
    }

    private void completionLost(String queryId, String cluster)
    {
        if (completionsLostWaiting.incrementAndGet() > MAX_LOST_COMPLETIONS) {
            completionsLostWaiting.decrementAndGet();
            return;
        }
        completionsLostBeforeCapture.add(Map.entry(queryId, cluster));
    }

    private void rememberLostCompletions(EncodedBatch batch)
    {
        for (CapturedEvent event : batch.events()) {
            if (event instanceof CapturedQuery query && lostCompletions.size() < MAX_LOST_COMPLETIONS) {
                lostCompletions.put(query.queryId(), query.clusterName());
            }
        }
    }

    /** Once PostgreSQL takes writes and the journal is replayed: the lost completions, so that their queries are not taken for running. */
    private void recordLostCompletions()
    {
        for (Map.Entry<String, String> lost; (lost = completionsLostBeforeCapture.poll()) != null; ) {
            completionsLostWaiting.decrementAndGet();
            if (lostCompletions.size() < MAX_LOST_COMPLETIONS) {
                lostCompletions.put(lost.getKey(), lost.getValue());
            }
        }
        if (lostCompletions.isEmpty() || down || !sink.isPrepared() || !journal.isEmpty()) {
            return;
        }
        try {
            sink.recordLostCompletions(lostCompletions);
            recordedLostCompletions += lostCompletions.size(); // said once per log interval: a queue kept full records some every batch
        }
        catch (SQLException | RuntimeException e) {
            if (e instanceof SQLException failure && PostgresSink.isOutage(failure)) {
                failed(failure); // PostgreSQL went away: recorded once it is back
                return;
            }
            // refused (a schema not migrated with icetune.db.migrate=false): not a reason to hold live writes back
            log.warn("icetune: cannot record %s queries whose completion was lost (%s); they may be taken for running ones for a day",
                    lostCompletions.size(), e.getMessage());
        }
        lostCompletions.clear();
    }

    /**
     * Once its coordinator is known: that it is alive, every 30 s ({@link CoordinatorHeartbeat}). During an outage it is tried
     * as a write is, when the backoff allows, and is what finds PostgreSQL back where no query comes (met reading the code: a
     * coordinator running one long query, its beat failing on an outage, was said alive again only at its next query, so its
     * queries were taken for a gone coordinator's 2 minutes later), and said at once then.
     */
    private void beat()
    {
        Optional<CoordinatorHeartbeat.Coordinator> coordinator = heartbeat.due();
        if (coordinator.isEmpty() || (down && !isDue()) || !sink.isPrepared()) {
            return;
        }
        heartbeat.beaten();
        try {
            sink.beat(coordinator.get());
            heartbeatRefused = false;
            if (journal.isEmpty()) {
                succeeded(); // PostgreSQL back where no write would find it; with a journal, its replay says so (a batch may still be refused)
            }
        }
        catch (SQLException | RuntimeException e) {
            if (e instanceof SQLException failure && PostgresSink.isOutage(failure)) {
                heartbeat.missed();
                failed(failure);
            }
            else if (!heartbeatRefused) {
                heartbeatRefused = true;
                log.warn("icetune: cannot say this coordinator is alive (%s)%s; if it is killed, the queries it runs then are taken for hung ones "
                        + "until a coordinator of the cluster starts a query", e.getMessage(),
                        SchemaMigrator.isSchemaMissing(e) ? " - run bin/icetune migrate against this database (or set icetune.db.migrate=true)" : "");
            }
        }
    }

    private void quarantine(Path file, Exception cause)
    {
        try {
            Path kept = journal.quarantine(file);
            log.error(cause, "icetune: journal file %s cannot be read; kept as %s and skipped", file, kept);
        }
        catch (IOException e) {
            log.error(e, "icetune: journal file %s cannot be read nor set aside", file);
        }
    }

    private void logLosses(boolean force)
    {
        if (!force && System.nanoTime() - lastLossLogNanos < config.getLogInterval().roundTo(TimeUnit.NANOSECONDS)) {
            return;
        }
        long queueDrops = queue.dropped() - loggedQueueDrops;
        if (queueDrops > 0 || droppedJournalFull > 0) {
            log.warn("icetune: %s events dropped in the last %s: %s with the queue full (capacity %s), %s with the journal full (limit %s bytes)",
                    queueDrops + droppedJournalFull, config.getLogInterval(), queueDrops, queue.capacity(), droppedJournalFull, journal.maxBytes());
        }
        if (droppedUnwritable > 0) {
            log.warn("icetune: %s events dropped in the last %s: the journal in %s cannot be written (%s); free its disk or let Trino write there, and it journals again",
                    droppedUnwritable, config.getLogInterval(), spoolDirectory, unwritableCause);
        }
        if (recordedLostCompletions > 0) {
            log.info("icetune: recorded %s queries whose completion was lost in the last %s, so that they are not taken for running ones",
                    recordedLostCompletions, config.getLogInterval());
        }
        loggedQueueDrops += queueDrops;
        recordedLostCompletions = 0;
        droppedJournalFull = 0;
        droppedUnwritable = 0;
        lastLossLogNanos = System.nanoTime();
    }

    private static void sleep(Duration duration)
    {
        try {
            Thread.sleep(duration);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
