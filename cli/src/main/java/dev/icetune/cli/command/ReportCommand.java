package dev.icetune.cli.command;

import dev.icetune.cli.JsonOutput;
import dev.icetune.cli.TextTable;
import dev.icetune.engine.evidence.EvidenceReader;
import dev.icetune.store.Reports;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

@Command(name = "report", description = {"Run a report of sql/reports (the same SQL psql -f runs) and print its rows.",
        "Every report covers all Trino clusters, or one with --cluster (psql: PGOPTIONS='-c icetune.cluster=NAME')."})
public final class ReportCommand
        extends ContextCommand
{
    @Parameters(index = "0", paramLabel = "NAME", completionCandidates = ReportNames.class, description = "one of: ${COMPLETION-CANDIDATES}")
    String name;

    @Option(names = "--cluster", paramLabel = "NAME", description = "only the queries, tables and recommendations of this Trino cluster")
    String cluster;

    @Option(names = "--json", description = "print JSON")
    boolean json;

    @Override
    public Integer call()
    {
        String sql = Reports.sql(name).orElseThrow(() -> new ParameterException(spec.commandLine(),
                "no report named '" + name + "' (reports: " + String.join(", ", Reports.NAMES) + ")"));
        List<Map<String, Object>> rows = context().jdbi().withHandle(handle -> {
            // the reports read the cluster from this setting, as psql users set it with PGOPTIONS
            handle.createQuery("SELECT set_config('icetune.cluster', :cluster, false)").bind("cluster", cluster == null ? "" : cluster).mapTo(String.class).one();
            return handle.createQuery(sql).mapToMap().list();
        });
        if (rows.isEmpty() && cluster != null) {
            sayUnknown(cluster);
        }
        if (json) {
            out().println(JsonOutput.write(rows));
            return 0;
        }
        if (rows.isEmpty()) {
            out().println("(no rows)");
            return 0;
        }
        TextTable table = new TextTable(40, rows.getFirst().keySet().toArray(String[]::new));
        rows.forEach(row -> table.row(row.values().toArray()));
        table.print(out());
        return 0;
    }

    /**
     * A misspelt --cluster gives every report no rows, as a quiet cluster's would: say so when the name is neither among the
     * clusters of the last day's queries (the longest any report looks back) nor among the recommendations'.
     */
    private void sayUnknown(String cluster)
    {
        Instant now = Instant.now();
        Set<String> clusters = new TreeSet<>(new EvidenceReader(context().jdbi()).clusters(now.minus(Duration.ofDays(1)), now));
        clusters.addAll(context().store().clusters());
        if (!clusters.contains(cluster)) {
            err().println("icetune: no queries of cluster %s in the last day, nor recommendations; %s".formatted(cluster,
                    clusters.isEmpty() ? "there are none of any cluster yet" : "clusters there are: " + String.join(", ", clusters)));
        }
    }

    static final class ReportNames
            implements Iterable<String>
    {
        @Override
        public java.util.Iterator<String> iterator()
        {
            return Reports.NAMES.iterator();
        }
    }
}
