package dev.icetune.cli;

import dev.icetune.testing.PostgresServer;
import dev.icetune.testing.TestingPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The archive a platform team installs: unpacked into an empty directory on a host with only a JDK, its launcher
 * runs from there (no Maven, no repository), and what it prints is results, not JVM, SLF4J or Drools warnings.
 */
class TestDistribution
{
    @TempDir
    Path temporary;

    record Run(int exit, String out, String err) {}

    @Test
    void unpackedIntoAnEmptyDirectoryItValidatesItsRulesAndEvaluates()
            throws Exception
    {
        Path home = unpack();
        assertThat(home.resolve("bin/icetune")).isExecutable();
        assertThat(home.resolve("lib")).isDirectoryContaining(path -> path.getFileName().toString().startsWith("icetune-cli-"));
        assertThat(home.resolve("rules/small-files.drl")).exists();
        assertThat(home.resolve("rules/scenarios")).isDirectory();
        assertThat(home.resolve("sql/reports/top-expensive-patterns.sql")).exists();
        assertThat(home.resolve("icetune.properties.example")).exists();
        assertThat(home.resolve("ops/icetune-evaluate.service")).content().contains("ExecStart=/opt/icetune/bin/icetune --config /etc/icetune/icetune.properties evaluate --service")
                .contains("SuccessExitStatus=143");

        // the class archive of an installation nobody has run for a month, beside one of last week
        Path cache = Files.createDirectories(temporary.resolve("cache/icetune"));
        Path stale = aged(Files.writeString(cache.resolve("classes-1.jsa"), "old"), 30);
        Path recent = aged(Files.writeString(cache.resolve("classes-2.jsa"), "recent"), 7);

        // a person's first command: its archive holds little beyond the help's classes
        assertThat(run(home, home, "--help").exit()).isZero();
        Path archive = onlyFile(cache, ".jsa", recent, stale);
        long helpArchive = Files.size(archive);
        assertThat(cache.resolve(archive.getFileName().toString().replace(".jsa", ".covers"))).content().isEqualToIgnoringWhitespace("0");

        Run validate = run(home, home, "rules", "validate");
        assertThat(validate.exit()).as(validate.err()).isZero();
        assertThat(validate.out()).contains("26 rules in " + home.resolve("rules") + " compile");
        assertNothingButResults(validate);
        try (var archives = Files.list(cache)) {
            assertThat(archives.map(path -> path.getFileName().toString()).filter(name -> name.endsWith(".jsa")))
                    .as("this installation's archive made, the month-old one gone")
                    .hasSize(2).contains(recent.getFileName().toString()).doesNotContain(stale.getFileName().toString());
        }
        // the rules compiled once, kept beside it for the next commands on them
        assertThat(validate.err()).contains("==> compiling the rules in " + home.resolve("rules"));
        assertThat(cache.resolve("rules")).isDirectoryContaining("glob:**.rules");

        Run test = run(home, temporary, "rules", "test");
        assertThat(test.exit()).as("from anywhere, the installation's own rules: " + test.err()).isZero();
        assertThat(test.out()).contains(TestCli.scenarios(home.resolve("rules")) + " passed, 0 failed");
        assertThat(test.err()).as("read back, not compiled again").doesNotContain("compiling");

        // the example copied out of the installation, as to /etc/icetune beside the systemd unit: its rules are the installation's
        String url = TestingPostgres.shared().createDatabase("distribution");
        Path config = temporary.resolve("icetune.properties");
        Files.writeString(config, Files.readString(home.resolve("icetune.properties.example"))
                .replace("jdbc:postgresql://localhost:5432/icetune", url).replace("icetune.db.user=icetune", "icetune.db.user=postgres")
                .replaceAll("(?m)^(icetune.trino.catalog|iceberg.catalog.[a-z.-]+|icetune.trino.url|icetune.metrics.port)=.*$", ""));
        Run evaluate = run(home, temporary, "--config", config.toString(), "evaluate");
        assertThat(evaluate.exit()).as(evaluate.err()).isZero();
        assertThat(evaluate.out()).isEqualTo("(no recommendations)%n".formatted());
        assertThat(evaluate.err()).as("read back, not compiled again").doesNotContain("compiling");
        assertNothingButResults(evaluate);
        // made again by the runs that load more classes: the rules', then an evaluation's (and no further: --help leaves it)
        assertThat(Files.size(archive)).as("the evaluation's archive").isGreaterThan(3 * helpArchive);
        assertThat(run(home, temporary, "--help").exit()).isZero();
        assertThat(cache.resolve(archive.getFileName().toString().replace(".jsa", ".covers"))).content().isEqualToIgnoringWhitespace("3");

        Run list = run(home, temporary, "--config", config.toString(), "recommendations", "list");
        assertThat(list.exit()).as(list.err()).isZero();
        assertThat(list.err()).isEmpty();

        Run help = run(home, temporary, "apply", "--help");
        assertThat(help.exit()).isZero();
        assertThat(help.out()).startsWith("Usage: icetune apply");
    }

    @Test
    void aDroolsFileInAnyPackageCompilesWithoutAWarning()
            throws Exception
    {
        Path home = unpack();
        Path rules = Files.createDirectories(temporary.resolve("team-rules"));
        Files.writeString(rules.resolve("thresholds.properties"), Files.readString(home.resolve("rules/thresholds.properties")));
        Files.writeString(rules.resolve("small-files.drl"), Files.readString(home.resolve("rules/small-files.drl")).replace("package icetune.rules", "package team.maintenance"));
        Files.writeString(rules.resolve("bloom-filters.drl"), Files.readString(home.resolve("rules/bloom-filters.drl")));

        Run validate = run(home, temporary, "rules", "validate", "--dir", rules.toString());
        assertThat(validate.exit()).as(validate.err()).isZero();
        assertThat(validate.out()).contains("2 rules in");
        assertNothingButResults(validate);
    }

    /**
     * A constraint that throws on a fact is the scenario's error, said once: not Drools' "Exception jitting ... NOT an error", which it
     * adds once it has evaluated the constraint often enough to compile it (met from outside, a threshold misspelt).
     */
    @Test
    void aRuleWhoseConstraintThrowsFailsItsScenarioWithoutAWarning()
            throws Exception
    {
        Path home = unpack();
        Path rules = Files.createDirectories(temporary.resolve("fragile-rules"));
        Files.writeString(rules.resolve("thresholds.properties"), "# the rule reads none\n");
        Files.writeString(rules.resolve("fragile.drl"), """
                package team.maintenance
                import dev.icetune.engine.facts.*
                import dev.icetune.engine.model.*
                global RecommendationSink recommendations
                rule "fragile"
                when
                    TableFact( table.substring(100).isEmpty() )
                then
                end
                """);
        Files.createDirectories(rules.resolve("scenarios"));
        String scenario = "{\"name\": \"a name shorter than the rule thought %d\", \"facts\": {\"tables\": [{\"table\": \"iceberg.demo.events\"}]}, \"expect\": []}";
        Files.writeString(rules.resolve("scenarios/fragile.json"),
                IntStream.range(0, 30).mapToObj(scenario::formatted).collect(Collectors.joining(",\n", "[", "]")));

        Run test = run(home, temporary, "rules", "test", "--dir", rules.toString());
        assertThat(test.exit()).as(test.err()).isEqualTo(IcetuneCli.FAILED);
        assertThat(test.out()).contains("FAIL  fragile.json: a name shorter than the rule thought 29")
                .contains("error: rule fragile failed: its constraint 'table.substring(100).isEmpty()' threw StringIndexOutOfBoundsException: ")
                .contains("FAIL  (rules): rule fragile%n      error: no scenario expects it".formatted()).contains("0 passed, 31 failed");
        assertNothingButResults(test);
    }

    @Test
    void asAServiceItEvaluatesAgainAfterPostgresRestarts()
            throws Exception
    {
        Path home = unpack();
        try (PostgresServer postgres = PostgresServer.start(temporary.resolve("pg"))) {
            Process service = service(home, postgres, "service");
            try {
                Metrics metrics = new Metrics(metricsPorts.get("service"));
                metrics.await("a first evaluation", sample -> sample.value("icetune_evaluations_total") >= 1);

                postgres.stop(PostgresServer.Stop.FAST);
                metrics.await("a failed evaluation", sample -> sample.value("icetune_evaluation_failures_total") >= 1);
                double evaluations = metrics.read().value("icetune_evaluations_total");
                double lastSuccess = metrics.read().value("icetune_evaluation_last_success_time_seconds");
                assertThat(service.isAlive()).as("the service outlives PostgreSQL").isTrue();

                postgres.start();
                metrics.await("an evaluation after PostgreSQL is back", sample -> sample.value("icetune_evaluations_total") > evaluations
                        && sample.value("icetune_evaluation_last_success_time_seconds") > lastSuccess);
            }
            finally {
                service.destroy();
                service.waitFor(1, TimeUnit.MINUTES);
            }
            // as systemd stops it (SIGTERM): the exit status its unit declares a clean stop
            assertThat(service.exitValue()).isEqualTo(143);
            assertThat(temporary.resolve("service.err")).content().contains("evaluation failed, trying again in 10s").doesNotContain("Exception").doesNotContain("\tat ");
            // at least two evaluations found the same (no) recommendations: the table once, each evaluation's summary line on stderr
            assertThat(Files.readString(temporary.resolve("service.err")).lines().filter(line -> line.startsWith("==> 0 recommendations: 0 new")).count())
                    .isGreaterThanOrEqualTo(2);
            assertThat(Files.readString(temporary.resolve("service.out")).lines().filter(line -> line.equals("(no recommendations)")).count()).as("the table printed").isEqualTo(1);
        }
    }

    /**
     * Two services of one database (two replicas, or a second host started by mistake) evaluated in turn, each counting a
     * recommendation's miss: resolved in half the time its icetune.resolve-after says, and every line said twice. One evaluates;
     * the other stands by, reports the evaluations of the first to its health gauge, and takes over once the first is stopped.
     */
    @Test
    void ofTwoServicesOfOneDatabaseOneEvaluatesAndTheOtherTakesOverWhenItStops()
            throws Exception
    {
        Path home = unpack();
        try (PostgresServer postgres = PostgresServer.start(temporary.resolve("pg"))) {
            Process first = service(home, postgres, "first");
            Process second = null;
            try {
                Metrics firstMetrics = new Metrics(metricsPorts.get("first"));
                firstMetrics.await("the first service's first evaluation", sample -> sample.value("icetune_evaluations_total") >= 1);
                second = service(home, postgres, "second");
                Metrics secondMetrics = new Metrics(metricsPorts.get("second"));
                secondMetrics.await("the second standing by", sample -> sample.value("icetune_evaluation_standby") == 1);
                firstMetrics.await("two more evaluations of the first", sample -> sample.value("icetune_evaluations_total") >= 3);
                Metrics.Sample standing = secondMetrics.read();
                assertThat(standing.value("icetune_evaluations_total")).as("the second evaluated nothing meanwhile").isZero();
                assertThat(standing.value("icetune_evaluation_last_success_time_seconds")).as("the first's evaluations, for the staleness alert").isPositive();

                first.destroy(); // as systemd stops it
                assertThat(first.waitFor(1, TimeUnit.MINUTES)).isTrue();
                secondMetrics.await("the second evaluating", sample -> sample.value("icetune_evaluations_total") >= 1 && sample.value("icetune_evaluation_standby") == 0);
            }
            finally {
                first.destroy();
                if (second != null) {
                    second.destroy();
                    second.waitFor(1, TimeUnit.MINUTES);
                }
            }
            assertThat(temporary.resolve("second.err")).content()
                    .contains("==> another evaluate --service evaluates every cluster of this database: standing by, to take over once it stops")
                    .contains("==> the service that evaluated every cluster has stopped: this one evaluates from now on")
                    .doesNotContain("evaluation failed");
            assertThat(temporary.resolve("first.err")).content().doesNotContain("standing by");
        }
    }

    private final Map<String, Integer> metricsPorts = new java.util.HashMap<>();

    /**
     * {@code evaluate --service} of the installed archive, its output in {@code NAME.out} and {@code NAME.err}: at the shortest interval
     * the configuration accepts, so that a test waits seconds, not minutes.
     */
    private Process service(Path home, PostgresServer postgres, String name)
            throws IOException
    {
        int port = metricsPorts.computeIfAbsent(name, key -> TestingPostgres.freePort());
        Path config = temporary.resolve(name + ".properties");
        Files.writeString(config, "icetune.db.url=%s\nicetune.db.user=postgres\nicetune.rules.dir=%s\nicetune.metrics.port=%d\nicetune.evaluate.interval=10s\n"
                .formatted(postgres.url("postgres"), home.resolve("rules"), port));
        return command(home, temporary, "--config", config.toString(), "evaluate", "--service")
                .redirectOutput(temporary.resolve(name + ".out").toFile()).redirectError(temporary.resolve(name + ".err").toFile()).start();
    }

    private static Path aged(Path file, int days)
            throws IOException
    {
        FileTime then = FileTime.from(Instant.now().minus(Duration.ofDays(days)));
        Files.getFileAttributeView(file, BasicFileAttributeView.class).setTimes(then, then, null);
        return file;
    }

    /** The service's Prometheus endpoint, as a scraper reads it. */
    private record Metrics(int port)
    {
        record Sample(String text)
        {
            double value(String name)
            {
                return text.lines().filter(line -> line.startsWith(name + " ")).mapToDouble(line -> Double.parseDouble(line.substring(name.length() + 1))).findFirst().orElse(-1);
            }
        }

        Sample read()
        {
            try (HttpClient client = HttpClient.newHttpClient()) {
                return new Sample(client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body());
            }
            catch (IOException notServing) {
                return new Sample("");
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        void await(String what, Predicate<Sample> condition)
                throws InterruptedException
        {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            Sample sample = read();
            while (!condition.test(sample)) {
                assertThat(System.nanoTime()).as("%s within two minutes; last scrape:%n%s", what, sample.text()).isLessThan(deadline);
                Thread.sleep(500);
                sample = read();
            }
        }
    }

    private static void assertNothingButResults(Run run)
    {
        // progress lines ("==> ...") are fine; a warning of any library or of the JVM is not
        List<String> other = run.err().lines().filter(line -> !line.startsWith("==> ")).toList();
        assertThat(other).as("stderr besides progress").isEmpty();
        assertThat(run.out()).doesNotContainIgnoringCase("warn").doesNotContain("SLF4J");
    }

    private Path unpack()
            throws Exception
    {
        Path archive = Path.of(System.getProperty("icetune.distribution"));
        Path target = Files.createDirectories(temporary.resolve("install"));
        Process tar = new ProcessBuilder("tar", "xzf", archive.toString(), "-C", target.toString()).inheritIO().start();
        assertThat(tar.waitFor()).isZero();
        try (var entries = Files.list(target)) {
            return entries.findFirst().orElseThrow();
        }
    }

    private Run run(Path home, Path workingDirectory, String... args)
            throws IOException, InterruptedException
    {
        Path out = temporary.resolve("out.txt");
        Path err = temporary.resolve("err.txt");
        Process process = command(home, workingDirectory, args).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertThat(process.waitFor(3, TimeUnit.MINUTES)).isTrue();
        return new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }

    /** The one file of {@code directory} whose name ends in {@code suffix}, {@code others} aside. */
    private static Path onlyFile(Path directory, String suffix, Path... others)
            throws IOException
    {
        try (var files = Files.list(directory)) {
            List<Path> found = files.filter(file -> file.getFileName().toString().endsWith(suffix) && !List.of(others).contains(file)).toList();
            assertThat(found).hasSize(1);
            return found.getFirst();
        }
    }

    /** The installed launcher, with only a JDK in the environment. */
    private ProcessBuilder command(Path home, Path workingDirectory, String... args)
    {
        List<String> command = new ArrayList<>(List.of(home.resolve("bin/icetune").toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(workingDirectory.toFile());
        Map<String, String> environment = builder.environment();
        environment.keySet().removeIf(key -> key.startsWith("ICETUNE_"));
        environment.put("JAVA_HOME", System.getProperty("java.home"));
        environment.put("XDG_CACHE_HOME", temporary.resolve("cache").toString());
        return builder;
    }
}
