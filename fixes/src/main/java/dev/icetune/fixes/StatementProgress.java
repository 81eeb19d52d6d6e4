package dev.icetune.fixes;

import dev.icetune.engine.model.Estimate;
import io.trino.jdbc.QueryStats;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static java.util.Objects.requireNonNull;

/**
 * Says how far a Trino statement still running has got, every {@link #INTERVAL}: a rewrite of a large table takes minutes, and a
 * person watching an apply told nothing after its step began cannot tell it from a hung one (met from outside: a 145 MB rewrite
 * silent for its whole run). Trino's client reports its query's stats at each poll, about once a second; when they stop coming
 * (met from outside: Trino killed during a rewrite, and its client silently asking again for two minutes), that is said instead.
 */
final class StatementProgress
        implements Consumer<QueryStats>, AutoCloseable
{
    private static final Duration INTERVAL = Duration.ofSeconds(10);

    /** One thread says every statement's lines: each is a few string operations. */
    private static final ScheduledExecutorService TICKS = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("icetune-statement-progress").daemon(true).factory());

    private final Consumer<String> progress;
    private final long startNanos = System.nanoTime();
    private volatile QueryStats latest;
    private volatile long latestNanos = startNanos;
    private final ScheduledFuture<?> ticks;

    StatementProgress(Consumer<String> progress)
    {
        this.progress = requireNonNull(progress, "progress is null");
        this.ticks = TICKS.scheduleAtFixedRate(this::say, INTERVAL.toNanos(), INTERVAL.toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public void accept(QueryStats stats)
    {
        latest = stats;
        latestNanos = System.nanoTime();
    }

    @Override
    public void close()
    {
        ticks.cancel(false);
    }

    private void say()
    {
        long now = System.nanoTime();
        QueryStats stats = latest;
        Duration silent = Duration.ofNanos(now - latestNanos);
        if (silent.compareTo(INTERVAL) >= 0) {
            progress.accept("no answer from Trino for %s%s: its client asks again for 2 minutes before it gives up".formatted(seconds(silent),
                    stats == null ? "" : " (Trino query %s)".formatted(stats.getQueryId())));
        }
        else if (stats != null) {
            progress.accept(line(stats, Duration.ofNanos(now - startNanos)));
        }
    }

    /** What a statement's latest stats say; before its splits are planned, "planning" (met from outside: "done (0 of 0 splits)"). */
    static String line(QueryStats stats, Duration running)
    {
        String splits = "%,d of %,d splits".formatted(stats.getCompletedSplits(), stats.getTotalSplits());
        String done = stats.isQueued() ? "queued in Trino"
                : stats.getTotalSplits() == 0 ? "planning"
                : stats.getProgressPercentage().isPresent() ? "%.0f%% done (%s)".formatted(stats.getProgressPercentage().getAsDouble(), splits)
                : splits + " done";
        return "still running after %s: %s, %s read, %s written (Trino query %s)".formatted(seconds(running), done,
                Estimate.bytes(stats.getPhysicalInputBytes()), Estimate.bytes(stats.getPhysicalWrittenBytes()), stats.getQueryId());
    }

    private static String seconds(Duration running)
    {
        long seconds = running.toSeconds();
        return seconds < 120 ? seconds + " s" : "%d min %d s".formatted(seconds / 60, seconds % 60);
    }
}
