package dev.icetune.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.icetune.listener.IcetuneEventListenerFactory;
import dev.icetune.store.Reports;
import dev.icetune.testing.TestingPostgres;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.trino.spi.eventlistener.EventListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.management.ObjectName;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The Grafana dashboard and the Prometheus alert rules in ops/ are checked against the real schema and the real meters. */
class TestOperations
{
    private static final Path OPS = Path.of("../ops");

    @Test
    void everyDashboardQueryIsAReportAndRunsAgainstTheSchema()
            throws Exception
    {
        JsonNode dashboard = new ObjectMapper().readTree(OPS.resolve("grafana/icetune-dashboard.json").toFile());
        String url = TestingPostgres.shared().createDatabase("dashboard");
        dev.icetune.store.Database.of(url, "postgres", "icetune-test").migrate();

        assertThat(dashboard.get("panels")).hasSize(10);
        assertThat(dashboard.at("/templating/list/0/name").asText()).isEqualTo("cluster");
        assertThat(dashboard.at("/templating/list/0/allValue").asText()).as("All: every cluster").isEmpty();
        try (Connection connection = DriverManager.getConnection(url, "postgres", ""); Statement statement = connection.createStatement()) {
            for (JsonNode panel : dashboard.get("panels")) {
                String sql = panel.get("targets").get(0).get("rawSql").asText();
                String report = panel.get("description").asText();
                // the report reads the cluster from a setting; the panel from the dashboard's variable
                assertThat(sql).as(report).isEqualTo(withoutComments(Files.readString(Path.of("..").resolve(report)))
                        .replace("current_setting('icetune.cluster', true)", "'${cluster:raw}'"));
                assertThat(sql).as(report + " follows the cluster variable").contains("'${cluster:raw}'");
                assertThat(Reports.NAMES).as(report).contains(Path.of(report).getFileName().toString().replace(".sql", ""));
                // as Grafana runs it with "All" (the empty value) and with one cluster
                statement.executeQuery(sql.replace("${cluster:raw}", "")).close();
                statement.executeQuery(sql.replace("${cluster:raw}", "bi")).close();
            }
        }
    }

    @Test
    void everyAlertReadsAMetricIcetunePublishes(@TempDir Path temporary)
            throws Exception
    {
        JsonNode alerts = new ObjectMapper(new YAMLFactory()).readTree(OPS.resolve("prometheus/icetune-alerts.yml").toFile());
        Set<String> published = new HashSet<>();

        // the rules engine's meters, as its service exposes them to Prometheus after an evaluation
        String url = TestingPostgres.shared().createDatabase("alerts");
        Path config = temporary.resolve("icetune.properties");
        Files.writeString(config, "icetune.db.url=%s\nicetune.db.user=postgres\nicetune.rules.dir=%s\n".formatted(url, Path.of("../rules").toAbsolutePath()));
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (Context context = new Context(config, Map.of())) {
            new EvaluationService(context, Optional.empty(), prometheus, System.err::println).evaluateOnce(Instant.now(), step -> {});
        }
        Matcher sample = Pattern.compile("(?m)^(icetune_[a-z_]+)").matcher(prometheus.scrape());
        while (sample.find()) {
            published.add(sample.group(1));
        }

        // the listener's meters, as Trino's JMX shows them, through the JMX exporter rules
        EventListener listener = new IcetuneEventListenerFactory().create(Map.of("icetune.db.url", "jdbc:postgresql://127.0.0.1:" + TestingPostgres.freePort() + "/x",
                "icetune.spool.dir", temporary.toString()), null);
        try {
            JsonNode rules = new ObjectMapper(new YAMLFactory()).readTree(OPS.resolve("prometheus/jmx-exporter.yml").toFile()).get("rules");
            for (ObjectName name : ManagementFactory.getPlatformMBeanServer().queryNames(new ObjectName("icetune:*"), null)) {
                String bean = "icetune<name=" + name.getKeyProperty("name") + ", type=" + name.getKeyProperty("type") + "><>"
                        + (name.getKeyProperty("type").equals("gauges") ? "Value" : "Count");
                for (JsonNode rule : rules) {
                    Matcher matcher = Pattern.compile(rule.get("pattern").asText()).matcher(bean);
                    if (matcher.matches()) {
                        published.add(matcher.replaceAll(rule.get("name").asText()).toLowerCase());
                    }
                }
            }
        }
        finally {
            listener.shutdown();
        }

        assertThat(published).contains("icetune_events_dropped_total", "icetune_spool_bytes", "icetune_patterns_over_baseline", "icetune_scan_pruning_ratio",
                "icetune_cache_hit_ratio", "icetune_evaluation_failures_total", "icetune_evaluation_last_success_time_seconds");
        List<JsonNode> rules = alerts.get("groups").get(0).get("rules").valueStream().toList();
        assertThat(rules).extracting(rule -> rule.get("alert").asText()).contains("QueryLatencyP95Over2xBaseline", "ScanEfficiencyDegradation",
                "CacheHitRateLow", "IcetuneListenerDroppingEvents", "IcetuneListenerSpooling", "IcetuneEvaluationFailing", "IcetuneEvaluationStale");
        for (JsonNode rule : rules) {
            Matcher metric = Pattern.compile("icetune_[a-z_]+").matcher(rule.get("expr").asText());
            assertThat(metric.find()).as(rule.get("alert").asText()).isTrue();
            do {
                assertThat(published).as(rule.get("alert").asText() + " reads " + metric.group()).contains(metric.group());
            }
            while (metric.find());
        }
    }

    private static String withoutComments(String sql)
    {
        return String.join("\n", sql.lines().filter(line -> !line.startsWith("--")).toList()).strip().replaceAll(";$", "");
    }
}
