package dev.icetune.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The repository's {@code bin/icetune}: it builds only when a file a build reads changed, so that a command after a
 * build (the demo's included) starts the built CLI at once. Run on a copy of the launcher in a repository of its own
 * whose {@code ./mvnw} only records that it was called and lays out a distribution whose launcher echoes its arguments.
 */
class TestLauncher
{
    @TempDir
    Path root;

    @Test
    void aCommandAfterTheDemoOrAnyBuildDoesNotBuildAgainUntilASourceChanges()
            throws Exception
    {
        Path source = repository();

        assertThat(run("demo")).contains("cli demo --trino-server");
        assertThat(builds()).as("the demo builds all").hasSize(1);

        assertThat(run("recommendations", "list")).contains("cli recommendations list");
        assertThat(run("--help")).contains("cli --help");
        assertThat(builds()).as("commands after the demo's build").hasSize(1);

        Files.writeString(source, "class Command { int changed; }\n");
        assertThat(run("recommendations", "list")).contains("cli recommendations list");
        assertThat(builds()).as("a changed source builds the CLI").hasSize(2);
        assertThat(builds().getLast()).contains("-pl cli -am");
        run("recommendations", "list");
        assertThat(builds()).as("once").hasSize(2);
    }

    @Test
    void aCommandAfterTheWholeTestSuiteDoesNotBuildAgainAfterPartOfItDoes()
            throws Exception
    {
        repository();
        run("test", "-pl", "rules-engine");
        run("--help");
        assertThat(builds()).as("part of the suite builds part of the project: the command builds the CLI").hasSize(2);

        Files.delete(root.resolve("cli/target/.icetune-built"));
        run("test");
        assertThat(builds().getLast()).isEqualTo("-B --no-transfer-progress install");
        run("--help");
        run("recommendations", "list");
        assertThat(builds()).as("commands after the whole suite").hasSize(3);
    }

    /** A repository of its own with the launcher and a recording mvnw; returns a source file of the CLI. */
    private Path repository()
            throws IOException
    {
        Path repository = Path.of("..").toAbsolutePath().normalize();
        Files.createDirectories(root.resolve("bin/lib"));
        Files.copy(repository.resolve("bin/icetune"), root.resolve("bin/icetune"));
        Files.copy(repository.resolve("bin/lib/jdk25.sh"), root.resolve("bin/lib/jdk25.sh"));
        Files.writeString(root.resolve("pom.xml"), "<project>\n    <version>1.0</version>\n</project>\n");
        Path source = Files.createDirectories(root.resolve("cli/src/main/java")).resolve("Command.java");
        Files.writeString(source, "class Command {}\n");
        Files.createDirectories(root.resolve("rules"));
        Files.writeString(root.resolve("mvnw"), """
                #!/usr/bin/env bash
                echo "$*" >> mvn.log
                mkdir -p cli/target/icetune-1.0/icetune-1.0/bin trino-server/target
                printf '#!/bin/sh\\necho "cli $*"\\n' > cli/target/icetune-1.0/icetune-1.0/bin/icetune
                chmod +x cli/target/icetune-1.0/icetune-1.0/bin/icetune
                """);
        root.resolve("mvnw").toFile().setExecutable(true);
        // the sources are older than any build
        Files.setLastModifiedTime(source, FileTime.from(Instant.now().minusSeconds(60)));
        return source;
    }

    private List<String> builds()
            throws IOException
    {
        Path log = root.resolve("mvn.log");
        return Files.exists(log) ? Files.readAllLines(log) : List.of();
    }

    private String run(String... arguments)
            throws Exception
    {
        List<String> command = new java.util.ArrayList<>(List.of(root.resolve("bin/icetune").toString()));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).directory(root.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        return output;
    }
}
