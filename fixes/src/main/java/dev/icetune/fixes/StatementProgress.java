package dev.icetune.fixes;

import dev.icetune.engine.model.Estimate;
import io.trino.jdbc.QueryStats;

import java.time.Duration;
import java.util.function.Consumer;

import static java.util.Objects.requireNonNull;

/**
 * Says how far a Trino statement still running has got, every {@link #INTERVAL}: a rewrite of a large table takes minutes, and a
 * person watching an apply told nothing after its step began cannot tell it from a hung one (met from outside: a 145 MB rewrite
 * silent for its whole run). Trino's client reports its query's stats at each poll, about once a second.
 */
final class StatementProgress
        implements Consumer<QueryStats>
{
    private static final Duration INTERVAL = Duration.ofSeconds(10);

    private final Consumer<String> progress;
    private final long startNanos = System.nanoTime();
    private long nextNanos = startNanos + INTERVAL.toNanos();

    StatementProgress(Consumer<String> progress)
    {
        this.progress = requireNonNull(progress, "progress is null");
    }

    @Override
    public void accept(QueryStats stats)
    {
        long now = System.nanoTime();
        if (now < nextNanos) {
            return;
        }
        nextNanos = now + INTERVAL.toNanos();
        progress.accept(line(stats, Duration.ofNanos(now - startNanos)));
    }

    private static String line(QueryStats stats, Duration running)
    {
        String share = stats.getProgressPercentage().isPresent() ? "%.0f%% done".formatted(stats.getProgressPercentage().getAsDouble()) : "done";
        String done = stats.isQueued() ? "queued in Trino" : "%s (%,d of %,d splits)".formatted(share, stats.getCompletedSplits(), stats.getTotalSplits());
        return "still running after %s: %s, %s read, %s written (Trino query %s)".formatted(seconds(running), done,
                Estimate.bytes(stats.getPhysicalInputBytes()), Estimate.bytes(stats.getPhysicalWrittenBytes()), stats.getQueryId());
    }

    private static String seconds(Duration running)
    {
        long seconds = running.toSeconds();
        return seconds < 120 ? seconds + " s" : "%d min %d s".formatted(seconds / 60, seconds % 60);
    }
}
