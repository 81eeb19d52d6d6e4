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
