package dev.icetune.listener;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/** The lines logged while it is open, as Trino's log would show them (airlift logs through java.util.logging). */
final class LoggedLines
        extends Handler
        implements AutoCloseable
{
    private final List<String> lines = new CopyOnWriteArrayList<>();

    LoggedLines()
    {
        Logger.getLogger("").addHandler(this);
    }

    @Override
    public void publish(LogRecord record)
    {
        lines.add(new SimpleFormatter().formatMessage(record) + (record.getThrown() == null ? "" : " " + record.getThrown()));
    }

    /** The lines so far, once one of them holds {@code text} or {@code timeout} has passed. */
    List<String> await(String text, Duration timeout)
            throws InterruptedException
    {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (lines.stream().noneMatch(line -> line.contains(text)) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        return List.copyOf(lines);
    }

    @Override
    public void flush() {}

    @Override
    public void close()
    {
        Logger.getLogger("").removeHandler(this);
    }
}
