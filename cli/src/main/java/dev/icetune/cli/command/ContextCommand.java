package dev.icetune.cli.command;

import dev.icetune.cli.Context;
import dev.icetune.cli.IcetuneCommand;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintStream;
import java.util.concurrent.Callable;

/** What every leaf command has: the run's {@link Context} and its output streams. Leaf commands stay thin. */
abstract class ContextCommand
        implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    IcetuneCommand root()
    {
        return (IcetuneCommand) spec.root().userObject();
    }

    Context context()
    {
        return root().context();
    }

    PrintStream out()
    {
        return root().out();
    }

    PrintStream err()
    {
        return root().err();
    }

    /** A line of progress, on stderr so that stdout stays the result (tables, JSON). */
    void progress(String message)
    {
        err().println("==> " + message);
    }

    /** What is no error and changes nothing (a threshold set that no rule reads), on stderr beside the result. */
    void warning(String message)
    {
        err().println("icetune: warning: " + message);
    }
}
