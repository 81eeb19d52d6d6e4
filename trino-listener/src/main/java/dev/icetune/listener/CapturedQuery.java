package dev.icetune.listener;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.icetune.store.TableName;

import java.time.Instant;
import java.util.List;

import static java.util.Objects.requireNonNull;

/** A row of {@code query_logs} with its {@code query_inputs}: one completed or failed query. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CapturedQuery(
        String queryId,
        String state,
        boolean success,
        String errorCode,
        String errorType,
        String errorMessage,
        String userName,
        String principal,
        String source,
        List<String> clientTags,
        String resourceGroup,
        String catalog,
        String schemaName,
        String serverVersion,
        String queryText,
        int queryTextLength,
        boolean queryTextTruncated,
        String preparedStatement,
        String queryPattern,
        String queryPatternHash,
        String updateType,
        String plan,
        Instant createTime,
        Instant executionStartTime,
        Instant endTime,
        long wallMs,
        Long queuedMs,
        Long planningMs,
        Long executionMs,
        Long cpuMs,
        Long scheduledMs,
        Long physicalInputBytes,
        Long physicalInputRows,
        Long processedInputBytes,
        Long processedInputRows,
        Long outputRows,
        Long outputBytes,
        Long writtenBytes,
        Long writtenRows,
        Long peakMemoryBytes,
        Long spilledBytes,
        Integer completedSplits,
        Double skewRatio,
        Integer skewStageId,
        Long joinInputRows,
        Long joinOutputRows,
        Boolean crossJoin,
        Boolean sortWithoutLimit,
        String clusterName,
        List<CapturedInput> inputs)
        implements CapturedEvent
{
    /** The cluster of rows captured before clusters were named (migration V6). */
    static final String DEFAULT_CLUSTER = "default";

    public CapturedQuery
    {
        requireNonNull(queryId, "queryId is null");
        requireNonNull(state, "state is null");
        requireNonNull(userName, "userName is null");
        requireNonNull(createTime, "createTime is null");
        requireNonNull(endTime, "endTime is null");
        clientTags = clientTags == null ? List.of() : List.copyOf(clientTags);
        inputs = inputs == null ? List.of() : List.copyOf(inputs);
        // journaled by a version that did not know clusters: the name the migration gives the rows of that time
        clusterName = clusterName == null ? DEFAULT_CLUSTER : clusterName;
    }

    /** The input the query read the most bytes from, as catalog.schema.table ({@link TableName}); null without inputs. */
    public String mainInput()
    {
        CapturedInput main = null;
        for (CapturedInput input : inputs) {
            if (main == null || bytes(input) > bytes(main)) {
                main = input;
            }
        }
        return main == null ? null : TableName.qualified(main.catalog(), main.schemaName(), main.tableName());
    }

    /** Whether the query read the table of {@code input} as it was at a version or time ({@link QueryPatterns#readsAsOf}). */
    public boolean readsAsOf(CapturedInput input)
    {
        return queryPattern != null && QueryPatterns.readsAsOf(queryPattern, input.catalog(), input.schemaName(), input.tableName());
    }

    /** Snapshot ids of the inputs in order ('-' where unknown): equal for two runs that read the same data. */
    public String inputSnapshots()
    {
        if (inputs.isEmpty()) {
            return null;
        }
        StringBuilder snapshots = new StringBuilder();
        for (CapturedInput input : inputs) {
            if (!snapshots.isEmpty()) {
                snapshots.append(',');
            }
            snapshots.append(input.snapshotId() == null ? "-" : input.snapshotId().toString());
        }
        return snapshots.toString();
    }

    private static long bytes(CapturedInput input)
    {
        Long bytes = input.bytesScanned() != null ? input.bytesScanned() : input.physicalInputBytes();
        return bytes == null ? 0 : bytes;
    }

    /** Data files read across all inputs that report them; null when none does. */
    public Long filesScanned()
    {
        Long total = null;
        for (CapturedInput input : inputs) {
            if (input.filesScanned() != null) {
                total = (total == null ? 0 : total) + input.filesScanned();
            }
        }
        return total;
    }
}
