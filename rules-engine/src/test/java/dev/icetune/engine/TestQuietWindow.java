package dev.icetune.engine;

import dev.icetune.engine.rules.RuleBookHolder;
import dev.icetune.engine.store.RecommendationStore;
import dev.icetune.store.Database;
import dev.icetune.testing.TestingPostgres;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** What an evaluation says of a window without queries: where they come from, once, not at every interval of a service. */
class TestQuietWindow
{
    private static final String NO_QUERIES = "no queries in query_logs in the last 1h: is the listener in Trino's plugin directory";

    /** A service on a quiet cluster said "no queries in query_logs ..." at every interval, one line among its others each time. */
    @Test
    void anEmptyWindowIsSaidWhenItBeginsToBeEmpty()
    {
        String url = TestingPostgres.shared().createDatabase("quiet_window");
        Database.of(url, "postgres", "icetune-test").migrate();
        Jdbi jdbi = Jdbi.create(url, "postgres", "");
        Evaluator evaluator = new Evaluator(jdbi, new RuleBookHolder(Path.of("../rules"), System.err::println), Optional.empty(), Duration.ofHours(1),
                Duration.ofDays(7), 3, new RecommendationStore(jdbi), new SimpleMeterRegistry());
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);

        assertThat(said(evaluator, now)).as("the first evaluation, on a fresh install").anyMatch(line -> line.startsWith(NO_QUERIES));
        assertThat(said(evaluator, now.plus(Duration.ofMinutes(5)))).as("the service's next, 5 minutes later").noneMatch(line -> line.startsWith(NO_QUERIES));

        Instant query = now.plus(Duration.ofMinutes(7));
        jdbi.useHandle(handle -> handle.createUpdate("""
                        INSERT INTO query_logs (query_id, "timestamp", state, success, user_name, query_text, query_text_length, query_text_truncated,
                            create_time, end_time, latency, input_count)
                        VALUES ('q1', :at, 'FINISHED', true, 'u', 'SELECT 1', 8, false, :at, :at, 1, 0)""")
                .bind("at", java.sql.Timestamp.from(query)).execute());
        assertThat(said(evaluator, now.plus(Duration.ofMinutes(10)))).as("a query in the window").noneMatch(line -> line.startsWith(NO_QUERIES));
        assertThat(said(evaluator, query.plus(Duration.ofHours(2)))).as("quiet again: said again").anyMatch(line -> line.startsWith(NO_QUERIES));
    }

    private static List<String> said(Evaluator evaluator, Instant now)
    {
        List<String> lines = new ArrayList<>();
        evaluator.evaluate(now, lines::add);
        return lines;
    }
}
