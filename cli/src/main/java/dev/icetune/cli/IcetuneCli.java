package dev.icetune.cli;

import dev.icetune.engine.rules.RuleBookException;
import dev.icetune.store.Failures;
import org.slf4j.bridge.SLF4JBridgeHandler;
import picocli.CommandLine;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

/**
 * {@code bin/icetune}. Exit codes: 0 done, 1 failed (the message says what to do), 2 a usage error,
 * 3 lint found something, 4 {@code apply ID} left its fix alone for now (cooldown, rewrite budget): nothing changed.
 */
public final class IcetuneCli
{
    public static final int FAILED = 1;
    public static final int USAGE = 2;
    public static final int FINDINGS = 3;
    public static final int NOT_APPLIED = 4;

    private IcetuneCli() {}

    public static void main(String[] args)
    {
        // one logging path: java.util.logging (airlift, Trino's driver) and jboss-logging (the validator) into SLF4J, warnings only
        System.setProperty("org.jboss.logging.provider", "slf4j");
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        System.exit(run(args, System.out, System.err, System.getenv()));
    }

    public static int run(String[] args, PrintStream out, PrintStream err, Map<String, String> environment)
    {
        IcetuneCommand root = new IcetuneCommand(out, err, environment);
        CommandLine commandLine = new CommandLine(root);
        commandLine.setOut(new PrintWriter(new java.io.OutputStreamWriter(out, StandardCharsets.UTF_8), true));
        commandLine.setErr(new PrintWriter(new java.io.OutputStreamWriter(err, StandardCharsets.UTF_8), true));
        // a query pasted with its leading comment ("-- the dashboard's count\nSELECT ...") is lint's query, not an unknown option
        commandLine.getSubcommands().get("lint").setUnmatchedOptionsArePositionalParams(true);
        // a usage error says what is wrong and where the help is, not the whole help (apply's runs to 30 lines)
        commandLine.setParameterExceptionHandler((exception, arguments) -> {
            CommandLine line = exception.getCommandLine();
            PrintWriter writer = line.getErr();
            // picocli starts an argument group's message with "Error: ", and its others not: said alike after "icetune: "
            String message = exception.getMessage().replaceFirst("^Error: ", "");
            writer.println("icetune: " + message);
            if (message.startsWith("Missing required subcommand")) {
                // a group alone (icetune, icetune recommendations): its commands are what a person is looking for
                line.usage(writer);
                return USAGE;
            }
            if (exception instanceof CommandLine.MissingParameterException missing) {
                // `icetune report` alone: the names it takes, not only that one is missing
                missing.getMissing().stream().filter(argument -> argument.completionCandidates() != null)
                        .forEach(argument -> writer.printf("%s is one of: %s%n", argument.paramLabel(), String.join(", ", argument.completionCandidates())));
            }
            if (exception instanceof CommandLine.UnmatchedArgumentException && line.getCommandName().equals("lint")
                    && Arrays.stream(arguments).noneMatch(argument -> argument.startsWith("--"))) {
                // met from outside: `icetune lint select 1` said "Unmatched argument at index 2: '1'", which is the query's second word
                writer.println("The query is one argument: put it in quotes (icetune lint \"SELECT ...\"), or give it with --file FILE or - for standard input.");
            }
            CommandLine.UnmatchedArgumentException.printSuggestions(exception, writer);
            writer.print(line.getHelp().synopsisHeading() + line.getHelp().synopsis(0));
            writer.printf("Try '%s --help' for more.%n", line.getCommandSpec().qualifiedName());
            return USAGE;
        });
        commandLine.setExecutionExceptionHandler((exception, line, parsed) -> {
            // a clear message, not a stack trace: bad config, a database that is not there, rules that do not compile
            if (exception instanceof RuleBookException rules) {
                err.println("icetune: cannot load the rules:\n  " + String.join("\n  ", rules.problems()));
            }
            else {
                err.println("icetune: " + Failures.message(exception));
            }
            return FAILED;
        });
        try {
            return commandLine.execute(args);
        }
        finally {
            root.close();
        }
    }
}
