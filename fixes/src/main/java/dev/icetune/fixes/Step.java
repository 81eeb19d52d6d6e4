package dev.icetune.fixes;

import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * One change a fix makes, through Iceberg or Trino: what it does in words (or the statement it runs), what it
 * will cost when known, the bytes it rewrites (what an apply budget counts), and the action. A fix is planned as
 * a list of steps; a dry run shows them, an apply runs and audits them one by one.
 */
public record Step(String description, String estimate, long rewriteBytes, Action action)
{
    /** The change itself; anything it throws means the step changed nothing (Iceberg commits and Trino statements are atomic). */
    @FunctionalInterface
    public interface Action
    {
        void run()
                throws Exception;
    }

    /** A step's failure after part of it committed (a piece's half rewritten before the other failed): the table is not as it was. */
    public static final class PartlyApplied
            extends RuntimeException
    {
        public PartlyApplied(String message, Throwable cause)
        {
            super(message, cause);
        }
    }

    public Step
    {
        requireNonNull(description, "description is null");
        requireNonNull(estimate, "estimate is null");
        requireNonNull(action, "action is null");
    }

    public Step(String description, String estimate, Action action)
    {
        this(description, estimate, 0, action);
    }

    /** A change of metadata only. */
    public Step(String description, Action action)
    {
        this(description, "metadata only", action);
    }

    /** The same step, its description followed by what a person should know of it. */
    public Step noting(String note)
    {
        return new Step(description + " (" + note + ")", estimate, rewriteBytes, action);
    }

    /**
     * Runs {@code parts} one after another, each committing on its own (a piece's halves, a plan's last compaction's pieces): a
     * failure after the first committed is {@link PartlyApplied}.
     */
    static void inTurn(List<Runnable> parts)
    {
        for (int i = 0; i < parts.size(); i++) {
            try {
                parts.get(i).run();
            }
            catch (RuntimeException failed) {
                throw i == 0 || failed instanceof PartlyApplied ? failed : new PartlyApplied(failed.getMessage(), failed);
            }
        }
    }

    public void run()
    {
        try {
            action.run();
        }
        catch (RuntimeException e) {
            throw e;
        }
        catch (Exception e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }
}
