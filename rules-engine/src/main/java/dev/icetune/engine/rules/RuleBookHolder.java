package dev.icetune.engine.rules;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static java.util.Objects.requireNonNull;

/**
 * The rules in force for the service. Before each evaluation it reloads the directory if a file changed;
 * when the new rules do not compile, it reports the errors (file, line, message) and keeps the rules it had.
 */
public final class RuleBookHolder
{
    private final Path directory;
    private final CompiledRules compiled;
    private final Consumer<String> report;
    private RuleBook current;
    private String loadedStamp = "";

    public RuleBookHolder(Path directory, Consumer<String> report)
    {
        this(directory, CompiledRules.NONE, report);
    }

    public RuleBookHolder(Path directory, CompiledRules compiled, Consumer<String> report)
    {
        this.directory = requireNonNull(directory, "directory is null");
        this.compiled = requireNonNull(compiled, "compiled is null");
        this.report = requireNonNull(report, "report is null");
    }

    /** The rules to evaluate with; throws only when no rules ever compiled. */
    public RuleBook current()
    {
        return current(ignored -> {});
    }

    /**
     * As {@link #current()}, saying so to {@code progress} when it compiles them: that takes seconds, silent before the evaluation's first
     * line (read back compiled, they take half a second).
     */
    public synchronized RuleBook current(Consumer<String> progress)
    {
        String stamp = stamp();
        if (current == null || !stamp.equals(loadedStamp)) {
            String compiling = (current == null ? "compiling the rules in %s" : "the rules in %s changed: compiling them again").formatted(directory);
            try {
                current = RuleBook.load(directory, compiled, () -> progress.accept(compiling));
                loadedStamp = stamp;
                current.warnings().forEach(progress);
            }
            catch (RuleBookException e) {
                if (current == null) {
                    throw e;
                }
                loadedStamp = stamp; // report a broken edit once, not at every evaluation
                report.accept("rules in " + directory + " do not compile; still running the rules loaded before:\n  "
                        + String.join("\n  ", e.problems()));
            }
        }
        return current;
    }

    /** Names and modification times of the rule files: any edit, addition or removal changes it. */
    private String stamp()
    {
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(file -> file.toString().endsWith(".drl") || file.getFileName().toString().equals(RuleBook.THRESHOLDS_FILE))
                    .sorted()
                    .map(file -> {
                        try {
                            return file.getFileName() + "@" + Files.getLastModifiedTime(file).toMillis() + "/" + Files.size(file);
                        }
                        catch (IOException e) {
                            return file.getFileName() + "@?";
                        }
                    })
                    .reduce("", (left, right) -> left + ";" + right);
        }
        catch (IOException e) {
            return "unreadable";
        }
    }
}
