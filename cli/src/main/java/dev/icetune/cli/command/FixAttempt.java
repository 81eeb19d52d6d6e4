package dev.icetune.cli.command;

import dev.icetune.fixes.FixApplier;

import java.io.PrintStream;
import java.util.List;

/**
 * What became of one fix in a run of apply or rollback, as a person reads it and as --json prints it: its result (applied,
 * planned, no-op, rolled-back, skipped, failed), why, the steps it took or planned, and the bytes it rewrote.
 */
record FixAttempt(long id, String result, String message, List<String> change, long rewriteBytes)
{
    private static final String SKIPPED = "skipped";
    private static final String FAILED = "failed";

    static FixAttempt of(FixApplier.Outcome outcome)
    {
        return new FixAttempt(outcome.recommendationId(), outcome.result().value(), outcome.message(), outcome.change().lines().toList(), outcome.rewriteBytes());
    }

    static FixAttempt skipped(long id, String why)
    {
        return new FixAttempt(id, SKIPPED, why, List.of(), 0);
    }

    static FixAttempt failed(long id, String why)
    {
        return new FixAttempt(id, FAILED, why, List.of(), 0);
    }

    boolean failed()
    {
        return result.equals(FAILED);
    }

    boolean skipped()
    {
        return result.equals(SKIPPED);
    }

    void print(PrintStream out)
    {
        String why = message == null ? "" : result.equals(SKIPPED) ? ": " + message : " (" + message + ")";
        out.printf("#%d %s%s%n", id, result, why);
        change.forEach(line -> out.println("    " + line));
    }
}
