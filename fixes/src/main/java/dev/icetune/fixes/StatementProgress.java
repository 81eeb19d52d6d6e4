package dev.icetune.fixes;

import dev.icetune.engine.model.Estimate;
import io.trino.jdbc.QueryStats;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
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
 * Where nothing listens at the coordinator's address any more, its process is gone and the query with it (a query does not outlive
 * its coordinator): the statement is canceled then rather than left to the client's two minutes, and {@link #explained} says so.
 */
final class StatementProgress
        implements Consumer<QueryStats>, AutoCloseable
{
    private static final Duration INTERVAL = Duration.ofSeconds(10);
    /** A coordinator that is up answers a connect at once; one that does not within this is not taken for gone. */
    private static final int CONNECT_TIMEOUT_MILLIS = 2_000;

    /** One thread says every statement's lines: each is a few string operations. */
    private static final ScheduledExecutorService TICKS = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("icetune-statement-progress").daemon(true).factory());

    private final Consumer<String> progress;
    private final Optional<InetSocketAddress> coordinator;
    private final Runnable cancel;
    private volatile boolean coordinatorGone;
    private final long startNanos = System.nanoTime();
    private volatile QueryStats latest;
    private volatile long latestNanos = startNanos;
    private final ScheduledFuture<?> ticks;

    /** {@code coordinator}: the address the statement's client talks to, where known; {@code cancel} ends the statement. */
    StatementProgress(Consumer<String> progress, Optional<InetSocketAddress> coordinator, Runnable cancel)
    {
        this.progress = requireNonNull(progress, "progress is null");
        this.coordinator = requireNonNull(coordinator, "coordinator is null");
        this.cancel = requireNonNull(cancel, "cancel is null");
        this.ticks = TICKS.scheduleAtFixedRate(this::say, INTERVAL.toNanos(), INTERVAL.toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public void accept(QueryStats stats)
    {
        latest = stats;
        latestNanos = System.nanoTime();
    }

    /**
     * The statement's failure as a person should read it: where it was canceled here because its coordinator was gone, that (the
     * driver's own words, "Query was canceled", would say a person canceled it).
     */
    SQLException explained(SQLException failure)
    {
        if (!coordinatorGone) {
            return failure;
        }
        SQLException gone = gone();
        gone.addSuppressed(failure);
        return gone;
    }

    /** Fails a statement that ended without a failure after it was canceled here: its result may have been cut short. */
    void failIfCoordinatorGone()
            throws SQLException
    {
        if (coordinatorGone) {
            throw gone();
        }
    }

    private SQLException gone()
    {
        return new SQLException("Failed to connect to %s: Trino stopped during the statement".formatted(address(coordinator.orElseThrow())));
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
            String query = stats == null ? "" : " (Trino query %s)".formatted(stats.getQueryId());
            if (coordinator.filter(StatementProgress::refuses).isPresent()) {
                coordinatorGone = true;
                ticks.cancel(false);
                progress.accept("no answer from Trino for %s%s, and nothing listens at %s: Trino stopped, and the query with it".formatted(
                        seconds(silent), query, address(coordinator.get())));
                cancel.run();
                return;
            }
            progress.accept("no answer from Trino for %s%s: its client asks again for 2 minutes before it gives up".formatted(seconds(silent), query));
        }
        else if (stats != null) {
            progress.accept(line(stats, Duration.ofNanos(now - startNanos)));
        }
    }

    /**
     * Whether every address {@code address} names refuses a connect: no process listens there (a name such as localhost may name an
     * IPv6 address Trino does not listen on beside the IPv4 one it does). A timeout or another failure is no answer, not a refusal.
     */
    static boolean refuses(InetSocketAddress address)
    {
        try {
            // resolved at each probe, as the client resolves it at each request
            for (InetAddress each : InetAddress.getAllByName(address.getHostString())) {
                try (Socket socket = new Socket()) {
                    socket.connect(new InetSocketAddress(each, address.getPort()), CONNECT_TIMEOUT_MILLIS);
                    return false;
                }
                catch (ConnectException e) {
                    // refused here: the next address
                }
            }
            return true;
        }
        catch (IOException e) {
            return false;
        }
    }

    private static String address(InetSocketAddress address)
    {
        return address.getHostString() + ":" + address.getPort();
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
