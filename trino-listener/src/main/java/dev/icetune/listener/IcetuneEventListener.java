package dev.icetune.listener;

import com.google.inject.Inject;
import dev.icetune.store.Database;
import io.airlift.log.Logger;
import io.trino.spi.eventlistener.EventListener;
import io.trino.spi.eventlistener.QueryCompletedEvent;
import io.trino.spi.eventlistener.QueryCreatedEvent;
import jakarta.annotation.PostConstruct;

import java.time.Duration;

import static java.util.Objects.requireNonNull;

/**
 * Trino calls this on its query threads. Each callback only offers the event to a bounded queue: no I/O,
 * no lock held across I/O, no exception escapes. The {@link EventWriter}'s two threads do the rest.
 */
public final class IcetuneEventListener
        implements EventListener
{
    private static final Logger log = Logger.get(IcetuneEventListener.class);
    private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(60);

    private final EventQueue queue;
    private final EventWriter writer;
    private final ListenerMetrics metrics;
    private final Database database;
    private final Thread captureThread;
    private final Thread writerThread;

    @Inject
    public IcetuneEventListener(EventQueue queue, EventWriter writer, ListenerMetrics metrics, Database database)
    {
        this.queue = requireNonNull(queue, "queue is null");
        this.writer = requireNonNull(writer, "writer is null");
        this.metrics = requireNonNull(metrics, "metrics is null");
        this.database = requireNonNull(database, "database is null");
        this.captureThread = Thread.ofPlatform().name("icetune-capture").daemon(true).unstarted(writer::captureLoop);
        this.writerThread = Thread.ofPlatform().name("icetune-writer").daemon(true).unstarted(writer::writeLoop);
    }

    @PostConstruct
    public void start()
    {
        captureThread.start();
        writerThread.start();
        log.info("icetune: capturing queries into %s", database);
    }

    @Override
    public void queryCreated(QueryCreatedEvent event)
    {
        enqueue(event);
    }

    @Override
    public void queryCompleted(QueryCompletedEvent event)
    {
        if (!enqueue(event)) {
            writer.completionLost(event); // its start may be written: not to be taken for a query still running (never throws)
        }
    }

    /** False when the event was dropped (the queue full). */
    private boolean enqueue(Object event)
    {
        try {
            metrics.received.increment();
            if (!queue.offer(event)) {
                metrics.dropped.increment();
                return false;
            }
        }
        catch (Throwable ignored) {
            // never fail or slow a Trino query because of capture
        }
        return true;
    }

    /** Events lost so far (queue or journal full); the same figure as the icetuneEventsDropped meter. */
    long droppedEvents()
    {
        return (long) metrics.dropped.count();
    }

    /** Writes (or journals) everything queued, then releases the connections and the meters. */
    @Override
    public void shutdown()
    {
        writer.stop();
        try {
            captureThread.join(SHUTDOWN_TIMEOUT);
            writerThread.join(SHUTDOWN_TIMEOUT);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (writerThread.isAlive()) {
            log.warn("icetune: writer did not finish within %s; %s events still queued", SHUTDOWN_TIMEOUT, queue.size());
        }
        metrics.close();
    }
}
