package dev.icetune.cli.command;

import dev.icetune.cli.JsonOutput;
import dev.icetune.engine.rules.FactCatalog;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.stream.Stream;

@Command(name = "facts", description = {"List the facts a rule can match: their fields, the methods a condition may call, and their key in a scenario's facts.",
        "A rule reads numbers from Thresholds by name: $t.get(\"small_files.min_scans\"), as thresholds.properties sets them."})
final class FactsCommand
        extends ContextCommand
{
    @Option(names = "--json", description = "print JSON")
    boolean json;

    @Override
    public Integer call()
    {
        List<FactCatalog.FactType> facts = FactCatalog.facts();
        if (json) {
            out().println(JsonOutput.write(facts));
            return 0;
        }
        for (FactCatalog.FactType fact : facts) {
            out().printf("%s (a scenario's \"%s\")%n", fact.name(), fact.scenarioKey());
            List<FactCatalog.Member> members = Stream.concat(fact.fields().stream(), fact.methods().stream()).toList();
            int width = members.stream().mapToInt(member -> member.type().length()).max().orElse(0);
            for (FactCatalog.Member member : members) {
                out().printf("  %-" + width + "s  %s%s%n", member.type(), member.name(), member.values().isEmpty() ? "" : "  (" + String.join(", ", member.values()) + ")");
            }
            out().println();
        }
        return 0;
    }
}
