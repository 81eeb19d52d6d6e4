package dev.icetune.engine;

import io.airlift.configuration.Config;
import io.airlift.configuration.ConfigDescription;
import io.airlift.units.DataSize;
import io.airlift.units.Duration;
import io.airlift.units.MinDataSize;
import io.airlift.units.MinDuration;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;

import java.time.Instant;
import java.util.Optional;

import static io.airlift.units.DataSize.Unit.GIGABYTE;
import static java.util.concurrent.TimeUnit.DAYS;
import static java.util.concurrent.TimeUnit.HOURS;
import static java.util.concurrent.TimeUnit.MINUTES;

/**
 * The rules engine's settings beside {@code icetune.db.*}: which rules, over which windows, how often, who
 * approves, and where Trino is. Durations take units ({@code 30s}, {@code 5m}, {@code 1h}, {@code 7d}) as in
 * the plugin; a relative rules directory resolves against the configuration file's directory.
 */
public class EngineConfig
{
    private String rulesDirectory;
    private Duration window = new Duration(1, HOURS);
    private Duration baseline = new Duration(7, DAYS);
    private int resolveAfter = 3;
    private Duration evaluateInterval = new Duration(5, MINUTES);
    private int metricsPort;
    private String approvers = "";
    private String autoApprove = "";
    private String trinoUrl;
    private String trinoUser = "icetune";
    private String trinoCatalog;
    private DataSize rewritePieceSize = DataSize.of(1, GIGABYTE);
    private int rewritePieceFiles = 500;
    private int rewritePiecePartitions = 100;
    private Duration applyCooldown = new Duration(7, DAYS);

    /** Unset: the CLI's own choice (rules/ beside the configuration file, else the installation's). */
    @Pattern(regexp = ".*\\S.*", message = "must not be blank")
    public String getRulesDirectory()
    {
        return rulesDirectory;
    }

    @Config("icetune.rules.dir")
    @ConfigDescription("the rules directory (DRL files, thresholds.properties, scenarios/); relative to the configuration file; default: rules/ beside it, else the installation's")
    public EngineConfig setRulesDirectory(String rulesDirectory)
    {
        this.rulesDirectory = rulesDirectory;
        return this;
    }

    @MinDuration("1m")
    public Duration getWindow()
    {
        return window;
    }

    @Config("icetune.window")
    @ConfigDescription("evaluation window: the recent queries the rules judge")
    public EngineConfig setWindow(Duration window)
    {
        this.window = window;
        return this;
    }

    @MinDuration("1m")
    public Duration getBaseline()
    {
        return baseline;
    }

    /** Where the baseline of an evaluation ending at {@code end} starts: the oldest rows it reads. */
    public Instant baselineStart(Instant end)
    {
        return end.minus(window.toJavaTime()).minus(baseline.toJavaTime());
    }

    @Config("icetune.baseline")
    @ConfigDescription("baseline window before the evaluation window, for regressions and measured effects")
    public EngineConfig setBaseline(Duration baseline)
    {
        this.baseline = baseline;
        return this;
    }

    @Min(1)
    @Max(1000)
    public int getResolveAfter()
    {
        return resolveAfter;
    }

    @Config("icetune.resolve-after")
    @ConfigDescription("evaluations without firing before an open recommendation resolves itself, and apply leaves an approved one alone")
    public EngineConfig setResolveAfter(int resolveAfter)
    {
        this.resolveAfter = resolveAfter;
        return this;
    }

    @MinDuration("10s")
    public Duration getEvaluateInterval()
    {
        return evaluateInterval;
    }

    @Config("icetune.evaluate.interval")
    @ConfigDescription("time between evaluations of evaluate --service")
    public EngineConfig setEvaluateInterval(Duration evaluateInterval)
    {
        this.evaluateInterval = evaluateInterval;
        return this;
    }

    @Min(0)
    @Max(65535)
    public int getMetricsPort()
    {
        return metricsPort;
    }

    @Config("icetune.metrics.port")
    @ConfigDescription("serve Prometheus metrics on this port in service mode (0: JMX only)")
    public EngineConfig setMetricsPort(int metricsPort)
    {
        this.metricsPort = metricsPort;
        return this;
    }

    public String getApprovers()
    {
        return approvers;
    }

    @Config("icetune.approvers")
    @ConfigDescription("comma-separated identities allowed to approve, reject or reopen")
    public EngineConfig setApprovers(String approvers)
    {
        this.approvers = approvers == null ? "" : approvers;
        return this;
    }

    public String getAutoApprove()
    {
        return autoApprove;
    }

    @Config("icetune.auto-approve")
    @ConfigDescription("comma-separated rule/level/target-glob that approve themselves, e.g. small-files/L1/iceberg.demo.*")
    public EngineConfig setAutoApprove(String autoApprove)
    {
        this.autoApprove = autoApprove == null ? "" : autoApprove;
        return this;
    }

    public Optional<String> getTrinoUrl()
    {
        return Optional.ofNullable(trinoUrl).filter(value -> !value.isBlank());
    }

    @Config("icetune.trino.url")
    @ConfigDescription("jdbc:trino://host:port: where apply runs Trino statements and lint runs EXPLAIN (password: ICETUNE_TRINO_PASSWORD)")
    public EngineConfig setTrinoUrl(String trinoUrl)
    {
        this.trinoUrl = trinoUrl;
        return this;
    }

    @NotBlank
    public String getTrinoUser()
    {
        return trinoUser;
    }

    @Config("icetune.trino.user")
    @ConfigDescription("Trino user for those statements")
    public EngineConfig setTrinoUser(String trinoUser)
    {
        this.trinoUser = trinoUser;
        return this;
    }

    public Optional<String> getTrinoCatalog()
    {
        return Optional.ofNullable(trinoCatalog).filter(value -> !value.isBlank());
    }

    @Config("icetune.trino.catalog")
    @ConfigDescription("the Trino catalog name the Iceberg tables appear under; with iceberg.catalog.*, enables metadata reading")
    public EngineConfig setTrinoCatalog(String trinoCatalog)
    {
        this.trinoCatalog = trinoCatalog;
        return this;
    }

    @AssertTrue(message = "icetune.trino.url must be a jdbc:trino: URL")
    public boolean isTrinoUrlValid()
    {
        return getTrinoUrl().map(url -> url.startsWith("jdbc:trino:")).orElse(true);
    }

    @MinDataSize("1MB")
    public DataSize getRewritePieceSize()
    {
        return rewritePieceSize;
    }

    @Config("icetune.rewrite.piece-size")
    @ConfigDescription("most bytes a rewrite commits at once: the files of a rewrite are rewritten newest first, in pieces, so that writers keep writing")
    public EngineConfig setRewritePieceSize(DataSize rewritePieceSize)
    {
        this.rewritePieceSize = rewritePieceSize;
        return this;
    }

    @Min(1)
    public int getRewritePieceFiles()
    {
        return rewritePieceFiles;
    }

    @Config("icetune.rewrite.piece-files")
    @ConfigDescription("most files a rewrite commits at once")
    public EngineConfig setRewritePieceFiles(int rewritePieceFiles)
    {
        this.rewritePieceFiles = rewritePieceFiles;
        return this;
    }

    @Min(1)
    public int getRewritePiecePartitions()
    {
        return rewritePiecePartitions;
    }

    @Config("icetune.rewrite.piece-partitions")
    @ConfigDescription("most partitions a rewrite writes at once: at most the Iceberg catalog's iceberg.max-partitions-per-writer (Trino's default 100), which fails a write of more")
    public EngineConfig setRewritePiecePartitions(int rewritePiecePartitions)
    {
        this.rewritePiecePartitions = rewritePiecePartitions;
        return this;
    }

    public Duration getApplyCooldown()
    {
        return applyCooldown;
    }

    @Config("icetune.apply.cooldown")
    @ConfigDescription("a table changed by a fix is not changed again until that fix's effect is measured, or this long has passed (0s: no cooldown)")
    public EngineConfig setApplyCooldown(Duration applyCooldown)
    {
        this.applyCooldown = applyCooldown;
        return this;
    }
}
