package dev.icetune.listener;

import io.airlift.log.Logger;
import io.trino.spi.eventlistener.EventListener;
import io.trino.spi.eventlistener.QueryCompletedEvent;
import io.trino.spi.eventlistener.QueryCreatedEvent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;

import static java.util.Objects.requireNonNull;

/**
 * Trino calls this on its query threads. Each callback only offers the event to a bounded queue: no I/O,
 * no lock held across I/O, no exception escapes. The {@link EventWriter} thread does the rest.
 */
public final class IcetuneEventListener
        implements EventListener
{
    private static final Logger log = Logger.get(IcetuneEventListener.class);
    private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(60);

    private final BlockingQueue<Object> queue;
    private final ListenerMetrics metrics;
    private final AtomicLong droppedQueueFull;
    private final EventWriter writer;
    private final Thread captureThread;
    private final Thread writerThread;

    private IcetuneEventListener(IcetuneConfig config)
    {
        requireNonNull(config, "config is null");
        SpoolJournal journal;
        try {
            journal = new SpoolJournal(config.spoolDirectory().toAbsolutePath(), config.spoolMaxBytes());
        }
        catch (IOException e) {
            throw new UncheckedIOException("icetune: cannot use " + IcetuneConfig.SPOOL_DIR + " " + config.spoolDirectory().toAbsolutePath(), e);
        }
        this.queue = new ArrayBlockingQueue<>(config.queueCapacity());
        this.metrics = ListenerMetrics.jmx(queue::size, journal::bytes);
        this.droppedQueueFull = new AtomicLong();
        this.writer = new EventWriter(queue, new EventCapture(config.maxQueryTextLength(), config.keepPlan()), new PostgresSink(config),
                journal, metrics, config, droppedQueueFull);
        this.captureThread = Thread.ofPlatform().name("icetune-capture").daemon(true).unstarted(writer::captureLoop);
        this.writerThread = Thread.ofPlatform().name("icetune-writer").daemon(true).unstarted(writer::writeLoop);
    }

    static IcetuneEventListener start(IcetuneConfig config)
    {
        IcetuneEventListener listener = new IcetuneEventListener(config);
        listener.captureThread.start();
        listener.writerThread.start();
        log.info("icetune: capturing queries into %s", config);
        return listener;
    }

    @Override
    public void queryCreated(QueryCreatedEvent event)
    {
        enqueue(event);
    }

    @Override
    public void queryCompleted(QueryCompletedEvent event)
    {
        enqueue(event);
    }

    private void enqueue(Object event)
    {
        try {
            metrics.received.increment();
            if (!queue.offer(event)) {
                droppedQueueFull.incrementAndGet();
                metrics.dropped.increment();
            }
        }
        catch (Throwable ignored) {
            // never fail or slow a Trino query because of capture
        }
    }

    /** Events lost so far (queue or journal full); the same figure as the icetuneEventsDropped meter. */
    long droppedEvents()
    {
        return (long) metrics.dropped.count();
    }

    /** Writes (or journals) everything queued, then releases the connection and the meters. */
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
