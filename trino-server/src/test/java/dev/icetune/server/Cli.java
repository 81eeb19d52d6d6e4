package dev.icetune.server;

import dev.icetune.cli.IcetuneCli;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The CLI as a person runs it against the servers these tests start: its output to {@code out}, its errors echoed. */
final class Cli
{
    private Cli() {}

    static int run(Path config, OutputStream out, String... args)
    {
        List<String> all = new ArrayList<>(List.of("--config", config.toString()));
        all.addAll(List.of(args));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = IcetuneCli.run(all.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), Map.of());
        // what a person would see, in the test's output when it fails
        System.err.println("icetune " + String.join(" ", args) + " -> " + code + "\n" + err.toString(StandardCharsets.UTF_8));
        return code;
    }
}
