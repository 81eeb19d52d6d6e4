package dev.icetune.listener;

import com.google.inject.Inject;
import io.airlift.log.Logger;
import io.trino.spi.eventlistener.QueryCompletedEvent;
import io.trino.spi.eventlistener.QueryCreatedEvent;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import static java.util.Objects.requireNonNull;

/**
 * Two stages, off Trino's query path: one thread takes Trino's events off the queue in batches and turns
 * them into rows, the other (with the sink's part writers, the only threads doing I/O) commits them to
 * PostgreSQL. When PostgreSQL fails it retries with backoff, then journals the batch to disk and keeps
 * journaling, in order, until a replay of the journal succeeds; only then does it write live batches
 * directly again. Whatever can be neither written nor journaled is counted, and logged once per interval.
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
    /** Captured batches waiting for the write stage; small, so that a slow database pushes back on capture. */
    private final BlockingQueue<EncodedBatch> captured = new ArrayBlockingQueue<>(2);
    private static final EncodedBatch END = EncodedBatch.encode(List.of(), 1);

    private volatile boolean stopping;
    private long nextAttemptNanos;
    private Duration backoff;
    private long lastLossLogNanos = System.nanoTime();
    private long droppedJournalFull;
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
        this.backoff = retryInitialDelay;
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
                }
            }
        }
        finally {
            putUninterruptibly(END);
        }
    }

    /** The write stage: PostgreSQL, or the journal. Runs beside the capture stage, so that building rows and COPY overlap. */
    void writeLoop()
    {
        try {
            while (true) {
                EncodedBatch batch;
                try {
                    batch = captured.poll(1, TimeUnit.SECONDS);
                }
                catch (InterruptedException e) {
                    continue; // ends only on END: the capture stage decides when nothing is left
                }
                if (batch == END) {
                    break;
                }
                if (batch != null) {
                    try {
                        deliver(batch);
                    }
                    catch (RuntimeException | Error e) {
                        metrics.dropped.increment(batch.size());
                        log.error(e, "icetune: unexpected error writing events; %s events lost", batch.size());
                    }
                }
                logLosses(false);
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
                batch.add(switch (event) {
                    case QueryCompletedEvent completed -> capture.capture(completed);
                    case QueryCreatedEvent created -> capture.capture(created);
                    default -> throw new IllegalArgumentException("unexpected event " + event.getClass().getName());
                });
            }
            catch (RuntimeException e) {
                metrics.dropped.increment();
                log.error(e, "icetune: cannot capture an event; it is not stored");
            }
        }
        return batch;
    }

    private void deliver(EncodedBatch batch)
    {
        if (System.nanoTime() - nextAttemptNanos >= 0 || stoppingWithNothingQueued()) {
            if (replayJournal() && write(batch)) {
                return;
            }
        }
        keep(batch);
    }

    private boolean stoppingWithNothingQueued()
    {
        return stopping && queue.isEmpty() && captured.isEmpty();
    }

    /** Writes journaled batches oldest first; true once the journal is empty. */
    private boolean replayJournal()
    {
        if (journal.isEmpty()) {
            return true;
        }
        while (true) {
            Optional<Path> oldest = journal.oldest();
            if (oldest.isEmpty()) {
                return true;
            }
            EncodedBatch batch;
            try {
                batch = EncodedBatch.encode(journal.read(oldest.get()), config.getDbWriters());
            }
            catch (IOException | RuntimeException e) {
                quarantine(oldest.get(), e);
                continue;
            }
            if (!writeOnce(batch)) {
                return false;
            }
            metrics.replayed.increment(batch.size());
            try {
                journal.remove(oldest.get());
            }
            catch (IOException e) {
                // left on disk it would be replayed again: harmless, the sink is idempotent
                log.warn("icetune: cannot remove replayed journal file %s: %s", oldest.get(), e.getMessage());
                return false;
            }
        }
    }

    /** A live batch: several attempts with backoff before the caller journals it. */
    private boolean write(EncodedBatch batch)
    {
        if (batch.size() == 0) {
            return true;
        }
        for (int attempt = 1; attempt <= config.getRetryAttempts(); attempt++) {
            if (writeOnce(batch)) {
                return true;
            }
            if (attempt < config.getRetryAttempts() && !stopping) {
                sleep(retryInitialDelay.multipliedBy(1L << Math.min(attempt - 1, 20)));
            }
        }
        return false;
    }

    private boolean writeOnce(EncodedBatch batch)
    {
        long start = System.nanoTime();
        try {
            sink.write(batch);
            metrics.batchLatency.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            metrics.written.increment(batch.size());
            if (down) {
                log.info("icetune: PostgreSQL accepts writes again");
                down = false;
            }
            backoff = retryInitialDelay;
            nextAttemptNanos = System.nanoTime();
            return true;
        }
        catch (SQLException | RuntimeException e) {
            metrics.writeFailures.increment();
            if (!down) {
                // the message of a PostgreSQL error never holds the password; the URL may, so it is not logged
                log.warn("icetune: PostgreSQL write failed (%s: %s); journaling to %s until it recovers",
                        e.getClass().getSimpleName(), e.getMessage(), spoolDirectory);
                down = true;
            }
            nextAttemptNanos = System.nanoTime() + backoff.toNanos();
            backoff = backoff.multipliedBy(2).compareTo(retryMaxDelay) > 0 ? retryMaxDelay : backoff.multipliedBy(2);
            return false;
        }
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
        }
        catch (IOException | RuntimeException e) {
            log.warn("icetune: cannot journal a batch to %s: %s", spoolDirectory, e.getMessage());
        }
        droppedJournalFull += batch.size();
        metrics.dropped.increment(batch.size());
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
        loggedQueueDrops += queueDrops;
        droppedJournalFull = 0;
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
