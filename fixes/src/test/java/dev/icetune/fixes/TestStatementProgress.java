package dev.icetune.fixes;

import io.trino.jdbc.QueryStats;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalDouble;

import static org.assertj.core.api.Assertions.assertThat;

class TestStatementProgress
{
    private static final Duration RUNNING = Duration.ofSeconds(10);

    /** Met from outside: an optimize still planning after 10 s was said "done (0 of 0 splits)". */
    @Test
    void eachStageOfAStatementIsSaidAsItIs()
    {
        assertThat(StatementProgress.line(stats(true, OptionalDouble.empty(), 0, 0), RUNNING))
                .isEqualTo("still running after 10 s: queued in Trino, 0 B read, 0 B written (Trino query 20261207_135906_00000_5da54)");
        assertThat(StatementProgress.line(stats(false, OptionalDouble.empty(), 0, 0), RUNNING)).startsWith("still running after 10 s: planning, 0 B read");
        assertThat(StatementProgress.line(stats(false, OptionalDouble.of(92.1), 70, 76), RUNNING)).startsWith("still running after 10 s: 92% done (70 of 76 splits), ");
        assertThat(StatementProgress.line(stats(false, OptionalDouble.empty(), 1200, 1500), RUNNING)).startsWith("still running after 10 s: 1,200 of 1,500 splits done, ");
    }

    /**
     * A coordinator is taken for gone, and its statement canceled, only where nothing listens at its address: a port with a listener, or
     * a name that does not resolve (a DNS outage), is no answer, and the client's own retries go on.
     */
    @Test
    void onlyAnAddressWhereNothingListensIsTakenForGone()
            throws IOException
    {
        int port;
        try (ServerSocket listening = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            port = listening.getLocalPort();
            assertThat(StatementProgress.refuses(InetSocketAddress.createUnresolved("localhost", port))).as("listening").isFalse();
        }
        assertThat(StatementProgress.refuses(InetSocketAddress.createUnresolved("localhost", port))).as("closed").isTrue();
        assertThat(StatementProgress.refuses(InetSocketAddress.createUnresolved("no-such-host.invalid", port))).as("unresolved").isFalse();
    }

    private static QueryStats stats(boolean queued, OptionalDouble progress, int completedSplits, int totalSplits)
    {
        return new QueryStats("20261207_135906_00000_5da54", queued ? "QUEUED" : "RUNNING", queued, !queued, progress, 1, totalSplits, 0, 0, completedSplits,
                0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, Optional.empty());
    }
}
