package dev.icetune.listener;

import dev.icetune.plan.ExecutedStatement;
import dev.icetune.plan.FilterPredicates;
import dev.icetune.plan.QueryPlan;
import io.trino.spi.eventlistener.QueryCompletedEvent;
import io.trino.spi.eventlistener.QueryContext;
import io.trino.spi.eventlistener.QueryCreatedEvent;
import io.trino.spi.eventlistener.QueryFailureInfo;
import io.trino.spi.eventlistener.QueryInputMetadata;
import io.trino.spi.eventlistener.QueryStatistics;
import io.trino.spi.eventlistener.StageTaskStatistics;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

import static dev.icetune.listener.ConnectorInfo.Component.FILE_FORMAT;
import static dev.icetune.listener.ConnectorInfo.Component.FORMAT_VERSION;
import static dev.icetune.listener.ConnectorInfo.Component.PARTITION_FIELDS;
import static dev.icetune.listener.ConnectorInfo.Component.SNAPSHOT_ID;
import static dev.icetune.listener.ConnectorInfo.Component.TOTAL_DATA_FILES;
import static dev.icetune.listener.ConnectorInfo.Component.TOTAL_DELETE_FILES;
import static dev.icetune.listener.ConnectorInfo.Component.TOTAL_RECORDS;
import static java.util.Objects.requireNonNull;
import static java.util.stream.Collectors.toUnmodifiableSet;

/**
 * Turns Trino's events into {@link CapturedEvent}s. Runs on the writer thread, never on Trino's: the
 * pattern normalization and plan parsing cost is paid off the query path.
 */
final class EventCapture
{
    private static final String ICEBERG = "iceberg";

    /** The operators whose rows are read from a query's statistics: joins' and scans'. */
    private static final Set<String> OPERATORS = Stream.of(JoinRows.PROBES, JoinRows.BUILDS, ScanRows.SCANS).flatMap(Set::stream).collect(toUnmodifiableSet());

    private final Optional<String> clusterName;
    private final int maxTextLength;
    private final boolean keepPlan;

    /** {@code clusterName}: the configured name of the cluster, or empty for each query's node environment. */
    EventCapture(Optional<String> clusterName, int maxTextLength, boolean keepPlan)
    {
        this.clusterName = requireNonNull(clusterName, "clusterName is null");
        this.maxTextLength = maxTextLength;
        this.keepPlan = keepPlan;
    }

    String cluster(QueryContext context)
    {
        return clusterName.orElseGet(() -> Texts.clean(context.getEnvironment()));
    }

    /** A query's pattern as stored, and the hash of the whole pattern. */
    private record Pattern(String text, String hash) {}

    /**
     * A query's pattern, of the statement it executes, from its whole (cleaned) text: the text as stored, cut at
     * icetune.query-text.max-length, ends wherever its literals let it (an IN list of 20,000 ids cut after the 14,211th), a
     * pattern per query. The pattern is stored up to that length.
     */
    private Pattern pattern(String query, Optional<String> preparedQuery)
    {
        String pattern = QueryPatterns.normalize(QueryPatterns.executed(query, preparedQuery.map(Texts::clean)));
        return new Pattern(Texts.clean(pattern, maxTextLength), QueryPatterns.hash(pattern));
    }

    /**
     * The statement an {@code EXECUTE name USING ...} ran, which Trino prepared under that name: the text holds only the name, and a
     * pattern's sample is run again (rewritten, made a view) as this statement with the text's values. Null for any other query,
     * an EXECUTE IMMEDIATE included (its text holds its statement).
     */
    private String preparedStatement(String text, Optional<String> preparedQuery)
    {
        if (preparedQuery.isEmpty() || !ExecutedStatement.isExecute(text) || ExecutedStatement.immediate(text).isPresent()) {
            return null;
        }
        return Texts.clean(preparedQuery.get(), maxTextLength);
    }

    CapturedStart capture(QueryCreatedEvent event)
    {
        QueryContext context = event.getContext();
        return new CapturedStart(
                Texts.clean(event.getMetadata().getQueryId()),
                event.getCreateTime(),
                Texts.clean(context.getUser()),
                clean(context.getSource()),
                clean(context.getCatalog()),
                clean(context.getSchema()),
                pattern(Texts.clean(event.getMetadata().getQuery()), event.getMetadata().getPreparedQuery()).hash(),
                cluster(context));
    }

    CapturedQuery capture(QueryCompletedEvent event)
    {
        QueryContext context = event.getContext();
        QueryStatistics statistics = event.getStatistics();
        String originalText = requireNonNull(event.getMetadata().getQuery(), "query is null");
        String whole = Texts.clean(originalText);
        // cleaned once: the text stored is the whole text's beginning, cut only when longer
        String text = whole.length() > maxTextLength ? Texts.clean(whole, maxTextLength) : whole;
        Pattern pattern = pattern(whole, event.getMetadata().getPreparedQuery());
        QueryPlan plan = QueryPlan.parse(event.getMetadata().getJsonPlan().orElse(null));
        Optional<QueryFailureInfo> failure = event.getFailureInfo();
        Skew skew = Skew.worst(statistics.getTaskStatistics());
        Set<String> filteredScans = ScanRows.nodes(plan);
        // Trino serializes the summaries when first asked (0.6-1.2 ms for a three-table join): only when the plan has something to look up
        List<OperatorRows> operators = plan.shape().joins() || !filteredScans.isEmpty()
                ? OperatorRows.read(statistics.getOperatorSummaries(), OPERATORS)
                : List.of();
        JoinRows join = plan.shape().joins() ? JoinRows.worst(operators) : null;
        Map<String, Long> scanRows = ScanRows.byNode(filteredScans, operators);

        List<CapturedInput> inputs = new ArrayList<>();
        for (QueryInputMetadata input : event.getIoMetadata().getInputs()) {
            inputs.add(captureInput(inputs.size(), input, plan, scanRows));
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
                clientTags(context),
                context.getResourceGroupId().map(Object::toString).map(Texts::clean).orElse(null),
                clean(context.getCatalog()),
                clean(context.getSchema()),
                Texts.clean(context.getServerVersion()),
                text,
                originalText.length(),
                text.length() < originalText.length(),
                preparedStatement(whole, event.getMetadata().getPreparedQuery()),
                pattern.text(),
                pattern.hash(),
                clean(event.getMetadata().getUpdateType()),
                keepPlan ? Texts.clean(event.getMetadata().getPlan().orElse(null), maxTextLength) : null,
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
                join == null ? null : join.input(),
                join == null ? null : join.output(),
                plan.known() ? plan.shape().crossJoin() : null,
                plan.known() ? plan.shape().sortWithoutLimit() : null,
                cluster(context),
                inputs);
    }

    private CapturedInput captureInput(int index, QueryInputMetadata input, QueryPlan plan, Map<String, Long> scanRows)
    {
        String connector = input.getConnectorName().map(name -> name.toLowerCase(Locale.ROOT)).orElse(null);
        ConnectorInfo info = ConnectorInfo.of(input.getConnectorInfo());
        ScanMetrics metrics = ScanMetrics.of(input.getConnectorMetrics().getMetrics());
        QueryPlan.Scan scan = plan.scan(input.getCatalogName(), input.getSchema(), input.getTable()).orElse(null);
        boolean iceberg = ICEBERG.equals(connector) || info.has(SNAPSHOT_ID) || metrics.iceberg();
        Integer formatVersion = info.get(FORMAT_VERSION) instanceof Number number ? number.intValue() : null;
        return new CapturedInput(
                index,
                Texts.clean(input.getCatalogName()),
                Texts.clean(input.getSchema()),
                Texts.clean(input.getTable()),
                connector == null ? null : Texts.clean(connector),
                columns(input),
                boxed(input.getPhysicalInputBytes()),
                boxed(input.getPhysicalInputRows()),
                info.getLong(SNAPSHOT_ID),
                formatVersion,
                iceberg ? info.getStrings(PARTITION_FIELDS) : null,
                info.get(FILE_FORMAT) instanceof String format ? format : null,
                info.getLong(TOTAL_DATA_FILES),
                info.getLong(TOTAL_RECORDS),
                info.getLong(TOTAL_DELETE_FILES),
                metrics.dataFiles(),
                metrics.dataFileBytes(),
                metrics.manifestsScanned(),
                metrics.manifestsSkipped(),
                metrics.deleteFiles(),
                metrics.planningMillis(),
                metrics.bytesFromCache(),
                metrics.bytesExternally(),
                scan == null ? null : scan.constraintColumns(),
                scan == null ? null : scan.filterPredicate().map(filter -> Texts.clean(FilterPredicates.within(filter, maxTextLength))).orElse(null),
                scan == null || scan.estimatedRows().isEmpty() ? null : ScanRows.estimated(scan),
                scan == null || scan.estimatedRows().isEmpty() ? null : ScanRows.returned(scan, scanRows));
    }

    /** Loops, not streams: this runs once per event and per input, and a stream pipeline costs more than the work. */
    private static List<String> clientTags(QueryContext context)
    {
        if (context.getClientTags().isEmpty()) {
            return List.of();
        }
        List<String> tags = new ArrayList<>(context.getClientTags().size());
        for (String tag : context.getClientTags()) {
            tags.add(Texts.clean(tag));
        }
        tags.sort(null);
        return tags;
    }

    private static List<String> columns(QueryInputMetadata input)
    {
        List<String> columns = new ArrayList<>(input.getColumns().size());
        for (QueryInputMetadata.Column column : input.getColumns()) {
            columns.add(Texts.clean(column.name()));
        }
        return columns;
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

    /**
     * The join whose output rows most exceeded its input rows (probe and build sides together): an exploding join,
     * from the join operators' rows.
     */
    record JoinRows(long input, long output)
    {
        static final Set<String> PROBES = Set.of("LookupJoinOperator", "NestedLoopJoinOperator", "SpatialJoinOperator");
        static final Set<String> BUILDS = Set.of("HashBuilderOperator", "NestedLoopBuildOperator", "SpatialIndexBuilderOperator");

        static JoinRows worst(List<OperatorRows> operators)
        {
            Map<String, long[]> byNode = new HashMap<>(); // plan node id: input rows, output rows
            for (OperatorRows operator : operators) {
                boolean probe = PROBES.contains(operator.operatorType());
                if (!probe && !BUILDS.contains(operator.operatorType())) {
                    continue;
                }
                long[] rows = byNode.computeIfAbsent(operator.planNodeId(), key -> new long[2]);
                rows[0] += operator.inputPositions();
                if (probe) {
                    rows[1] += operator.outputPositions();
                }
            }
            JoinRows worst = null;
            for (long[] rows : byNode.values()) {
                if (worst == null || rows[1] * Math.max(1, worst.input) > worst.output * Math.max(1, rows[0])) {
                    worst = new JoinRows(rows[0], rows[1]);
                }
            }
            return worst;
        }
    }

    /**
     * The rows each filtered scan returned, by plan node id, beside the planner's estimate of them: from the scan operators'
     * rows, for the plan's filtered scans (most queries' plans have none or one).
     */
    static final class ScanRows
    {
        static final Set<String> SCANS = Set.of("ScanFilterAndProjectOperator", "TableScanOperator");

        private ScanRows() {}

        /** The plan nodes of the scans whose rows the planner estimated. */
        static Set<String> nodes(QueryPlan plan)
        {
            if (plan.scans().isEmpty()) {
                return Set.of();
            }
            Set<String> nodes = new HashSet<>();
            for (QueryPlan.Scan scan : plan.scans().values()) {
                nodes.addAll(scan.estimatedRows().keySet());
            }
            return nodes;
        }

        static Map<String, Long> byNode(Set<String> nodes, List<OperatorRows> operators)
        {
            if (nodes.isEmpty()) {
                return Map.of();
            }
            Map<String, Long> rows = new HashMap<>();
            for (OperatorRows operator : operators) {
                if (nodes.contains(operator.planNodeId()) && SCANS.contains(operator.operatorType())) {
                    rows.merge(operator.planNodeId(), operator.outputPositions(), Long::sum);
                }
            }
            return rows;
        }

        /** The planner's estimate of the rows the table's filtered scans return: NaN when it could not estimate one of them. */
        static double estimated(QueryPlan.Scan scan)
        {
            double sum = 0;
            for (double rows : scan.estimatedRows().values()) {
                sum += rows;
            }
            return sum;
        }

        /** The rows they returned, or null when an operator of one of them did not report. */
        static Long returned(QueryPlan.Scan scan, Map<String, Long> byNode)
        {
            long sum = 0;
            for (String node : scan.estimatedRows().keySet()) {
                Long rows = byNode.get(node);
                if (rows == null) {
                    return null;
                }
                sum += rows;
            }
            return sum;
        }
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
