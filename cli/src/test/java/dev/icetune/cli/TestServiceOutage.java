package dev.icetune.cli;

import dev.icetune.testing.PostgresServer;
import dev.icetune.testing.TestingPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code evaluate --service} left running while its PostgreSQL is stopped and started from outside, as an operator
 * restarts it: the service keeps serving its metrics, counts and reports the failed evaluations, and evaluates again
 * once the database is back, with nobody touching it. At the shortest interval a user may configure (10s).
 */
class TestServiceOutage
{
    private static final Duration PATIENCE = Duration.ofSeconds(90);

    @TempDir
    Path temporary;

    @Test
    void aStoppedDatabaseFailsEvaluationsWithoutStoppingTheServiceAndItResumesWhenTheDatabaseIsBack()
            throws Exception
    {
        int port = TestingPostgres.freePort();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (PostgresServer postgres = PostgresServer.start(temporary.resolve("pg"))) {
            Path config = TestCli.config(temporary, postgres.url("postgres"),
                    "icetune.db.password=not-the-password-s3cret\nicetune.metrics.port=%d\nicetune.evaluate.interval=10s\n".formatted(port));
            Thread service = Thread.ofVirtual().start(() -> IcetuneCli.run(new String[] {"--config", config.toString(), "evaluate", "--service"},
                    new PrintStream(new ByteArrayOutputStream(), true), new PrintStream(err, true, StandardCharsets.UTF_8), Map.of()));
            try {
                awaitMetric(port, "icetune_evaluations_total", 1);

                postgres.stop(PostgresServer.Stop.FAST);
                awaitMetric(port, "icetune_evaluation_failures_total", 1);
                double succeeded = metric(port, "icetune_evaluations_total");

                postgres.start();
                awaitMetric(port, "icetune_evaluations_total", succeeded + 1);
            }
            finally {
                service.interrupt();
                service.join();
            }
        }
        String problems = err.toString(StandardCharsets.UTF_8);
        assertThat(problems).contains("evaluation failed, trying again in 10s: ")
                .as("said in a line, without the password or a stack trace").doesNotContain("s3cret").doesNotContain("\tat ")
                .as("stopped, not failed").doesNotContain("Interrupted");
    }

    private static void awaitMetric(int port, String name, double atLeast)
            throws InterruptedException
    {
        Instant deadline = Instant.now().plus(PATIENCE);
        double value = Double.NaN;
        while (Instant.now().isBefore(deadline)) {
            value = metric(port, name);
            if (value >= atLeast) {
                return;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("%s stayed at %s, below %s, for %s".formatted(name, value, atLeast, PATIENCE));
    }

    /** The metric's value from the service's endpoint; NaN while it does not answer (the service starting). */
    private static double metric(int port, String name)
            throws InterruptedException
    {
        try (HttpClient client = HttpClient.newHttpClient()) {
            String body = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
            Matcher value = Pattern.compile("(?m)^" + name + "(?:\\{[^}]*})? (\\S+)$").matcher(body);
            return value.find() ? Double.parseDouble(value.group(1)) : Double.NaN;
        }
        catch (IOException notServing) {
            return Double.NaN;
        }
    }
}
