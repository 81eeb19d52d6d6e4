package dev.icetune.cli.command;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The recommendations' lifecycle: list, show, and a person's decision. */
@Command(name = "recommendations", description = "List, show, approve, reject or reopen recommendations.",
        subcommands = {ListCommand.class, ShowCommand.class, ApproveCommand.class, RejectCommand.class, ReopenCommand.class, CommandLine.HelpCommand.class})
public final class RecommendationsCommand {}
