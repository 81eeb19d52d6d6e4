package dev.icetune.listener;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The coordinator this listener runs in, said alive to PostgreSQL every {@link #INTERVAL} (coordinator_heartbeats). Met from
 * outside: a coordinator killed (kill -9, the OOM killer, its host lost) sends no completion for the queries it was running and
 * no sign of its own end, and hung-queries paged for them until a coordinator of the cluster started a query again. The
 * coordinator is known by its first query: Trino ends each query id with an id it draws anew at every start
 * ({@code 20261204_194824_00364_x2euz}). A listener that sees no query (a worker's) says nothing.
 *
 * <p>Learned on the capture stage, said by the write stage.
 */
final class CoordinatorHeartbeat
{
    /** A quarter of the two minutes after which the evaluation takes a coordinator for gone. */
    static final Duration INTERVAL = Duration.ofSeconds(30);

    private static final Pattern QUERY_ID = Pattern.compile("[0-9]{8}_[0-9]{6}_[0-9]{5}_([a-z0-9]{5})");

    record Coordinator(String cluster, String id) {}

    private volatile Coordinator coordinator;
    /** An interval ago at first: the first beat is due as soon as the coordinator is known. */
    private long lastBeatNanos = System.nanoTime() - INTERVAL.toNanos();

    /** A query started: the first one of a Trino id names the coordinator. */
    void started(CapturedStart start)
    {
        if (coordinator == null) {
            Matcher id = QUERY_ID.matcher(start.queryId());
            if (id.matches()) {
                coordinator = new Coordinator(start.clusterName(), id.group(1));
            }
        }
    }

    /** The coordinator to say alive now: known, and not said in the last interval. */
    Optional<Coordinator> due()
    {
        Coordinator known = coordinator;
        if (known == null || System.nanoTime() - lastBeatNanos < INTERVAL.toNanos()) {
            return Optional.empty();
        }
        return Optional.of(known);
    }

    /** Said, or refused: the next in an interval. */
    void beaten()
    {
        lastBeatNanos = System.nanoTime();
    }

    /** Not said, PostgreSQL being away: due again as soon as it takes writes. */
    void missed()
    {
        lastBeatNanos = System.nanoTime() - INTERVAL.toNanos();
    }
}
