package dev.icetune.listener;

import io.airlift.configuration.Config;
import io.airlift.configuration.ConfigDescription;
import io.airlift.units.DataSize;
import io.airlift.units.Duration;
import io.airlift.units.MaxDataSize;
import io.airlift.units.MinDataSize;
import io.airlift.units.MinDuration;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;

import static io.airlift.units.DataSize.Unit.GIGABYTE;
import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.MINUTES;
import static java.util.concurrent.TimeUnit.SECONDS;

/**
 * The capture plugin's own settings, beside the {@code icetune.db.*} keys of {@code StoreConfig} that the CLI
 * shares. Every key is declared here with its default, its description and its bounds; Trino's start-up
 * fails on an unknown key or an invalid value, naming it.
 */
public class ListenerConfig
{
    private String clusterName;
    private int dbWriters = 2;
    private int batchSize = 1000;
    private Duration flushInterval = new Duration(1, SECONDS);
    private int queueCapacity = 100_000;
    private String spoolDirectory = "var/icetune-spool";
    private DataSize spoolMaxSize = DataSize.of(1, GIGABYTE);
    private int maxQueryTextLength = 100_000;
    private boolean keepPlan;
    private int retentionDays = 30;
    private int partitionsAheadDays = 7;
    private int retryAttempts = 3;
    private Duration retryInitialDelay = new Duration(100, MILLISECONDS);
    private Duration retryMaxDelay = new Duration(30, SECONDS);
    private Duration logInterval = new Duration(1, MINUTES);

    /** Null: the cluster is named by Trino's {@code node.environment}, which every query's context carries. */
    @Pattern(regexp = "[A-Za-z0-9][A-Za-z0-9_.-]{0,99}", message = "must be a name of letters, digits, '_', '.' and '-' (at most 100)")
    public String getClusterName()
    {
        return clusterName;
    }

    @Config("icetune.cluster-name")
    @ConfigDescription("the name of this Trino cluster, stored with every row so that several clusters write one history (default: node.environment)")
    public ListenerConfig setClusterName(String clusterName)
    {
        this.clusterName = clusterName;
        return this;
    }

    @Min(1)
    @Max(16)
    public int getDbWriters()
    {
        return dbWriters;
    }

    @Config("icetune.db.writers")
    @ConfigDescription("PostgreSQL connections a large batch is written on side by side; one backend ingests at most one core's worth")
    public ListenerConfig setDbWriters(int dbWriters)
    {
        this.dbWriters = dbWriters;
        return this;
    }

    @Min(1)
    @Max(100_000)
    public int getBatchSize()
    {
        return batchSize;
    }

    @Config("icetune.batch-size")
    @ConfigDescription("most events committed in one transaction")
    public ListenerConfig setBatchSize(int batchSize)
    {
        this.batchSize = batchSize;
        return this;
    }

    @MinDuration("1ms")
    public Duration getFlushInterval()
    {
        return flushInterval;
    }

    @Config("icetune.flush-interval")
    @ConfigDescription("longest a queued event waits for its batch to fill")
    public ListenerConfig setFlushInterval(Duration flushInterval)
    {
        this.flushInterval = flushInterval;
        return this;
    }

    @Min(1)
    @Max(10_000_000)
    public int getQueueCapacity()
    {
        return queueCapacity;
    }

    @Config("icetune.queue-capacity")
    @ConfigDescription("events held in memory for the writer; beyond it events are dropped and counted")
    public ListenerConfig setQueueCapacity(int queueCapacity)
    {
        this.queueCapacity = queueCapacity;
        return this;
    }

    @NotBlank
    public String getSpoolDirectory()
    {
        return spoolDirectory;
    }

    @Config("icetune.spool.dir")
    @ConfigDescription("journal directory used while PostgreSQL is unavailable; a relative path resolves against Trino's node.data-dir")
    public ListenerConfig setSpoolDirectory(String spoolDirectory)
    {
        this.spoolDirectory = spoolDirectory;
        return this;
    }

    @MinDataSize("1kB")
    @MaxDataSize("1TB")
    public DataSize getSpoolMaxSize()
    {
        return spoolMaxSize;
    }

    @Config("icetune.spool.max-size")
    @ConfigDescription("journal size limit; beyond it events are dropped and counted")
    public ListenerConfig setSpoolMaxSize(DataSize spoolMaxSize)
    {
        this.spoolMaxSize = spoolMaxSize;
        return this;
    }

    @Min(100)
    @Max(100_000_000)
    public int getMaxQueryTextLength()
    {
        return maxQueryTextLength;
    }

    @Config("icetune.query-text.max-length")
    @ConfigDescription("characters of query text stored; longer text is cut and query_text_truncated set (its pattern is still the whole text's, stored up to this length); a scan's longer filter keeps the conjuncts that fit")
    public ListenerConfig setMaxQueryTextLength(int maxQueryTextLength)
    {
        this.maxQueryTextLength = maxQueryTextLength;
        return this;
    }

    public boolean isKeepPlan()
    {
        return keepPlan;
    }

    @Config("icetune.plan.keep")
    @ConfigDescription("store the text plan in query_logs.plan (the JSON plan is always read for pushdown facts)")
    public ListenerConfig setKeepPlan(boolean keepPlan)
    {
        this.keepPlan = keepPlan;
        return this;
    }

    @Min(0)
    @Max(36_500)
    public int getRetentionDays()
    {
        return retentionDays;
    }

    @Config("icetune.retention-days")
    @ConfigDescription("day partitions older than this are dropped (0 keeps all)")
    public ListenerConfig setRetentionDays(int retentionDays)
    {
        this.retentionDays = retentionDays;
        return this;
    }

    @Min(1)
    @Max(366)
    public int getPartitionsAheadDays()
    {
        return partitionsAheadDays;
    }

    @Config("icetune.partitions-ahead-days")
    @ConfigDescription("day partitions created ahead")
    public ListenerConfig setPartitionsAheadDays(int partitionsAheadDays)
    {
        this.partitionsAheadDays = partitionsAheadDays;
        return this;
    }

    @Min(1)
    @Max(100)
    public int getRetryAttempts()
    {
        return retryAttempts;
    }

    @Config("icetune.retry.attempts")
    @ConfigDescription("attempts for a batch before it is journaled")
    public ListenerConfig setRetryAttempts(int retryAttempts)
    {
        this.retryAttempts = retryAttempts;
        return this;
    }

    @MinDuration("1ms")
    public Duration getRetryInitialDelay()
    {
        return retryInitialDelay;
    }

    @Config("icetune.retry.initial-delay")
    @ConfigDescription("first backoff; doubles per failure up to icetune.retry.max-delay")
    public ListenerConfig setRetryInitialDelay(Duration retryInitialDelay)
    {
        this.retryInitialDelay = retryInitialDelay;
        return this;
    }

    @MinDuration("1ms")
    public Duration getRetryMaxDelay()
    {
        return retryMaxDelay;
    }

    @Config("icetune.retry.max-delay")
    @ConfigDescription("longest backoff between attempts while PostgreSQL is down")
    public ListenerConfig setRetryMaxDelay(Duration retryMaxDelay)
    {
        this.retryMaxDelay = retryMaxDelay;
        return this;
    }

    @MinDuration("1s")
    public Duration getLogInterval()
    {
        return logInterval;
    }

    @Config("icetune.log-interval")
    @ConfigDescription("losses (queue or journal full) are logged at most once per interval")
    public ListenerConfig setLogInterval(Duration logInterval)
    {
        this.logInterval = logInterval;
        return this;
    }

    @AssertTrue(message = "icetune.retry.max-delay must not be less than icetune.retry.initial-delay")
    public boolean isRetryDelaysOrdered()
    {
        return retryMaxDelay.compareTo(retryInitialDelay) >= 0;
    }
}
