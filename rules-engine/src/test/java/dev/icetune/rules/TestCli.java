package dev.icetune.rules;

import dev.icetune.listener.TestingPostgres;
import dev.icetune.rules.cli.IcetuneCli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class TestCli
{
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @Test
    void rulesValidateAndTestTheShippedRules()
    {
        assertThat(run("rules", "validate", "--dir", "../rules")).isZero();
        assertThat(stdout()).contains("12 rules in ../rules compile");
        out.reset();
        assertThat(run("rules", "test", "--dir", "../rules")).isZero();
        assertThat(stdout()).contains("22 passed, 0 failed");
    }

    @Test
    void brokenRulesFailWithFileAndLine(@TempDir Path rules)
            throws Exception
    {
        Files.writeString(rules.resolve("thresholds.properties"), "x = 1\n");
        Files.writeString(rules.resolve("bad.drl"), "package icetune.rules\nrule \"x\"\nwhen\n  Strin( )\nthen\nend\n");

        assertThat(run("rules", "validate", "--dir", rules.toString())).isEqualTo(1);
        assertThat(stderr()).contains("rules do not compile").contains("bad.drl:");
    }

    @Test
    void evaluateAndListAgainstARealDatabaseAndPasswordsStayHidden(@TempDir Path directory)
            throws Exception
    {
        String url = TestingPostgres.shared().createDatabase("cli");
        Path config = directory.resolve("icetune.properties");
        Files.writeString(config, """
                icetune.db.url=%s
                icetune.db.user=postgres
                icetune.db.password=not-the-password-s3cret
                icetune.rules.dir=%s
                """.formatted(url, Path.of("../rules").toAbsolutePath()));

        assertThat(run("--config", config.toString(), "evaluate", "--json")).as(stderr()).isZero();
        assertThat(stdout()).contains("\"recommendations\" : [ ]");
        assertThat(stderr()).contains("reading query_logs").doesNotContain("s3cret");
        out.reset();
        assertThat(run("--config", config.toString(), "recommendations", "list")).isZero();
        assertThat(stdout()).contains("ID").contains("STATUS");
    }

    @Test
    void wrongConfigSaysWhatIsWrong(@TempDir Path directory)
            throws Exception
    {
        Path config = directory.resolve("icetune.properties");
        Files.writeString(config, "icetune.db.url=jdbc:postgresql://localhost:1/x\nicetune.windw=1h\n");

        assertThat(run("--config", config.toString(), "evaluate")).isEqualTo(1);
        assertThat(stderr()).contains("unknown configuration properties: icetune.windw");
        assertThat(run("--config", directory.resolve("missing.properties").toString(), "evaluate")).isEqualTo(1);
        assertThat(stderr()).contains("no config file");
    }

    @Test
    void approveAndRejectThroughTheCli(@TempDir Path directory)
            throws Exception
    {
        String url = TestingPostgres.shared().createDatabase("cli_approve");
        dev.icetune.sql.SchemaMigrator.migrate(url, java.util.Optional.of("postgres"), java.util.Optional.empty());
        new dev.icetune.rules.store.RecommendationStore(org.jdbi.v3.core.Jdbi.create(url, "postgres", "")).record(java.util.List.of(
                new dev.icetune.rules.facts.Recommendation("small-files", "TABLE", "iceberg.demo.events", "HIGH", "L1", java.util.Map.of(), "why", "fix")),
                java.time.Instant.now(), 3);
        Path config = directory.resolve("icetune.properties");
        Files.writeString(config, "icetune.db.url=%s\nicetune.db.user=postgres\nicetune.approvers=alice\n".formatted(url));

        assertThat(run("--config", config.toString(), "recommendations", "approve", "1", "--by", "mallory")).isEqualTo(1);
        assertThat(stderr()).contains("'mallory' may not approve or reject");
        assertThat(run("--config", config.toString(), "recommendations", "approve", "1", "--by", "alice", "--reason", "go")).isZero();
        assertThat(stdout()).contains("#1 small-files on iceberg.demo.events approved by alice");
        assertThat(run("--config", config.toString(), "recommendations", "approve", "1", "--by", "alice")).isEqualTo(1);
        assertThat(stderr()).contains("recommendation 1 is already approved");
        out.reset();
        assertThat(run("--config", config.toString(), "recommendations", "show", "1")).isZero();
        assertThat(stdout()).contains("approved").contains("alice").contains("go");

        assertThat(run("--config", config.toString(), "apply", "1", "--by", "alice")).isEqualTo(1);
        assertThat(stderr()).contains("applying fixes needs the Iceberg catalog");
        assertThat(run("--config", config.toString(), "apply", "--by", "alice")).isEqualTo(1);
        assertThat(stderr()).contains("give a recommendation id or --all-approved");
    }

    private int run(String... args)
    {
        return IcetuneCli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String stdout()
    {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String stderr()
    {
        return err.toString(StandardCharsets.UTF_8);
    }
}
