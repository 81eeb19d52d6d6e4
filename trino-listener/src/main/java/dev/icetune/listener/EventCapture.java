package dev.icetune.listener;

import io.trino.spi.eventlistener.QueryCompletedEvent;
import io.trino.spi.eventlistener.QueryContext;
import io.trino.spi.eventlistener.QueryCreatedEvent;
import io.trino.spi.eventlistener.QueryFailureInfo;
import io.trino.spi.eventlistener.QueryInputMetadata;
import io.trino.spi.eventlistener.QueryStatistics;
import io.trino.spi.eventlistener.StageTaskStatistics;
import io.trino.spi.metrics.Count;
import io.trino.spi.metrics.Metric;
import io.trino.spi.metrics.Timing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Turns Trino's events into {@link CapturedEvent}s. Runs on the writer thread, never on Trino's: the
 * pattern normalization and plan parsing cost is paid off the query path.
 */
final class EventCapture
{
    private static final String ICEBERG = "iceberg";

    private final int maxTextLength;
    private final boolean keepPlan;

    EventCapture(int maxTextLength, boolean keepPlan)
    {
        this.maxTextLength = maxTextLength;
        this.keepPlan = keepPlan;
    }

    CapturedStart capture(QueryCreatedEvent event)
    {
        QueryContext context = event.getContext();
        String text = Texts.clean(event.getMetadata().getQuery(), maxTextLength);
        return new CapturedStart(
                Texts.clean(event.getMetadata().getQueryId()),
                event.getCreateTime(),
                Texts.clean(context.getUser()),
                clean(context.getSource()),
                clean(context.getCatalog()),
                clean(context.getSchema()),
                QueryPatterns.hash(QueryPatterns.normalize(text)));
    }

    CapturedQuery capture(QueryCompletedEvent event)
    {
        QueryContext context = event.getContext();
        QueryStatistics statistics = event.getStatistics();
        String originalText = requireNonNull(event.getMetadata().getQuery(), "query is null");
        String text = Texts.clean(originalText, maxTextLength);
        String pattern = QueryPatterns.normalize(text);
        String plan = event.getMetadata().getPlan().orElse(null);
        Map<String, PlanScans.Scan> scans = PlanScans.parse(plan);
        Optional<QueryFailureInfo> failure = event.getFailureInfo();
        Skew skew = Skew.worst(statistics.getTaskStatistics());

        List<CapturedInput> inputs = new ArrayList<>();
        for (QueryInputMetadata input : event.getIoMetadata().getInputs()) {
            inputs.add(captureInput(inputs.size(), input, scans));
        }

        return new CapturedQuery(
                Texts.clean(event.getMetadata().getQueryId()),
                event.getMetadata().getQueryState(),
                failure.isEmpty(),
                failure.map(info -> info.getErrorCode().getName()).orElse(null),
                failure.map(info -> info.getErrorCode().getType().name()).orElse(null),
                failure.flatMap(QueryFailureInfo::getFailureMessage).map(message -> Texts.clean(message, maxTextLength)).orElse(null),
                Texts.clean(context.getUser()),
                clean(context.getPrincipal()),
                clean(context.getSource()),
                context.getClientTags().stream().map(Texts::clean).sorted().toList(),
                context.getResourceGroupId().map(Object::toString).map(Texts::clean).orElse(null),
                clean(context.getCatalog()),
                clean(context.getSchema()),
                Texts.clean(context.getServerVersion()),
                text,
                originalText.length(),
                text.length() < originalText.length(),
                pattern,
                QueryPatterns.hash(pattern),
                clean(event.getMetadata().getUpdateType()),
                keepPlan ? Texts.clean(plan, maxTextLength) : null,
                event.getCreateTime(),
                event.getExecutionStartTime(),
                event.getEndTime(),
                statistics.getWallTime().toMillis(),
                statistics.getQueuedTime().toMillis(),
                millis(statistics.getPlanningTime()),
                millis(statistics.getExecutionTime()),
                statistics.getCpuTime().toMillis(),
                millis(statistics.getScheduledTime()),
                statistics.getPhysicalInputBytes(),
                statistics.getPhysicalInputRows(),
                statistics.getProcessedInputBytes(),
                statistics.getProcessedInputRows(),
                statistics.getOutputRows(),
                statistics.getOutputBytes(),
                statistics.getWrittenBytes(),
                statistics.getWrittenRows(),
                statistics.getPeakUserMemoryBytes(),
                statistics.getSpilledBytes(),
                statistics.getCompletedSplits(),
                skew == null ? null : skew.ratio(),
                skew == null ? null : skew.stageId(),
                inputs);
    }

    private static CapturedInput captureInput(int index, QueryInputMetadata input, Map<String, PlanScans.Scan> scans)
    {
        String connector = input.getConnectorName().map(name -> name.toLowerCase(Locale.ROOT)).orElse(null);
        ConnectorInfo info = ConnectorInfo.of(input.getConnectorInfo());
        Map<String, Metric<?>> metrics = input.getConnectorMetrics().getMetrics();
        PlanScans.Scan scan = scans.isEmpty() ? null : scans.get((input.getCatalogName() + "." + input.getSchema() + "." + input.getTable()).toLowerCase(Locale.ROOT));
        boolean iceberg = ICEBERG.equals(connector) || info.has("snapshotId") || metrics.containsKey("dataManifests");

        Long skippedManifests = count(metrics, "skippedDataManifests");
        Long scannedManifests = count(metrics, "scannedDataManifests");
        if (scannedManifests == null && count(metrics, "dataManifests") != null) {
            scannedManifests = count(metrics, "dataManifests") - (skippedManifests == null ? 0 : skippedManifests);
        }
        Long deleteFiles = count(metrics, "deleteFiles");
        if (deleteFiles == null) {
            deleteFiles = sum(count(metrics, "positionalDeleteFiles"), count(metrics, "equalityDeleteFiles"));
        }
        Integer formatVersion = info.get("formatVersion") instanceof Number number ? number.intValue() : null;
        return new CapturedInput(
                index,
                Texts.clean(input.getCatalogName()),
                Texts.clean(input.getSchema()),
                Texts.clean(input.getTable()),
                connector == null ? null : Texts.clean(connector),
                input.getColumns().stream().map(column -> Texts.clean(column.name())).toList(),
                boxed(input.getPhysicalInputBytes()),
                boxed(input.getPhysicalInputRows()),
                info.getLong("snapshotId"),
                formatVersion,
                iceberg ? info.getStrings("partitionFields") : null,
                info.get("tableDefaultFileFormat") instanceof String format ? format : null,
                info.getLong("totalDataFiles"),
                info.getLong("totalRecords"),
                info.getLong("totalDeleteFiles"),
                count(metrics, "dataFiles"),
                count(metrics, "dataFileSizeBytes"),
                scannedManifests,
                skippedManifests,
                deleteFiles,
                timingMillis(metrics.get("scanPlanningDuration")),
                count(metrics, "bytesReadFromCache"),
                count(metrics, "bytesReadExternally"),
                scan == null ? null : scan.constraintColumns(),
                scan == null ? null : Texts.clean(scan.filterPredicate()));
    }

    private static String clean(Optional<String> value)
    {
        return value.map(Texts::clean).orElse(null);
    }

    private static Long millis(Optional<Duration> duration)
    {
        return duration.map(Duration::toMillis).orElse(null);
    }

    private static Long boxed(java.util.OptionalLong value)
    {
        return value.isPresent() ? value.getAsLong() : null;
    }

    /** Read through the SPI interface: the metric's class belongs to the connector's class loader. */
    private static Long count(Map<String, Metric<?>> metrics, String name)
    {
        return metrics.get(name) instanceof Count<?> count ? count.getTotal() : null;
    }

    private static Double timingMillis(Metric<?> metric)
    {
        return metric instanceof Timing<?> timing ? timing.getDuration().toNanos() / 1e6 : null;
    }

    private static Long sum(Long first, Long second)
    {
        if (first == null) {
            return second;
        }
        return second == null ? first : first + second;
    }

    /** The stage whose busiest task read the most input relative to the median task. */
    record Skew(int stageId, double ratio)
    {
        static Skew worst(List<StageTaskStatistics> stages)
        {
            Skew worst = null;
            for (StageTaskStatistics stage : stages) {
                long median = stage.getRawInputDataSizeDistribution().getP50();
                long max = stage.getRawInputDataSizeDistribution().getMax();
                if (stage.getTasks() < 2 || median <= 0) {
                    continue; // one task cannot be skewed against itself; a zero median has no ratio
                }
                double ratio = (double) max / median;
                if (worst == null || ratio > worst.ratio()) {
                    worst = new Skew(stage.getStageId(), ratio);
                }
            }
            return worst;
        }
    }
}
