package dev.icetune.fixes;

import org.junit.jupiter.api.Test;

import java.sql.SQLException;

import static org.assertj.core.api.Assertions.assertThat;

/** What `apply` says when Trino refuses a step: Trino's reason a person can read, and what to do about it. */
class TestTrinoFailures
{
    /**
     * Met from outside: a table compacted while an application kept updating its rows failed after its five attempts with Trino's
     * message and, after it, the 600 characters of every field of the data file the conflict was about; and nothing said what to do.
     */
    @Test
    void aRewriteThatLostEveryAttemptToOtherWritersSaysWhatToDoWithoutIcebergsDumpOfTheFile()
    {
        String path = "local:///snap/busy2-1671e72febec43ab97a2f1ee022cc99c/data/day=2026-11-02/20261206_140855_00427_k62gx-5def7746-b1d1-4119-9530-36e48f5f15cc.parquet";
        SQLException conflict = new SQLException("Query failed (#20261206_140956_00631_k62gx): Failed to commit during optimize: Cannot commit, found new position delete "
                + "for replaced data file: GenericDataFile{content=data, file_path=" + path + ", file_format=PARQUET, spec_id=0, partition=PartitionData{day=20759}, "
                + "record_count=5, file_size_in_bytes=552, column_sizes=null, value_counts=null, null_value_counts=null, nan_value_counts=null, lower_bounds=null, "
                + "upper_bounds=null, key_metadata=null, split_offsets=[4], equality_ids=null, sort_order_id=0, data_sequence_number=22, file_sequence_number=22, "
                + "first_row_id=null, referenced_data_file=null, content_offset=null, content_size_in_bytes=null}");

        assertThat(ActionContext.trinoFailure(conflict, RewritePlan.Limits.DEFAULT)).isEqualTo("Trino: Query failed (#20261206_140956_00631_k62gx): Failed to commit during optimize: "
                + "Cannot commit, found new position delete for replaced data file: " + path
                + " (tried 5 times: a rewrite whose files other writers keep changing commits once they are quieter; apply it again then)");
    }

    @Test
    void aPieceOverTheCatalogsPartitionsPerWriterSaysWhichSettingsMeet()
    {
        assertThat(ActionContext.trinoFailure(new SQLException("Query failed (#1): Exceeded limit of 100 open writers for partitions: 101"), RewritePlan.Limits.DEFAULT))
                .isEqualTo("Trino: Query failed (#1): Exceeded limit of 100 open writers for partitions: 101 (the catalog's iceberg.max-partitions-per-writer: "
                        + "set icetune.rewrite.piece-partitions to at most it, or raise it where a single file spans more partitions of the new layout)");
    }

    /**
     * A statement over Trino's memory that icetune could not make smaller (a rewrite's piece halved down to two files of a partition,
     * an ANALYZE) says what is left to do.
     */
    @Test
    void aStatementOverTrinosMemorySaysWhatIsLeftToDo()
    {
        String perNode = "Query failed (#20261207_201748_00047_8s2e9): Query exceeded per-node memory limit of 512MB [Allocated: 511.83MB, Delta: 236.91kB, "
                + "Top Consumers: {TableWriterOperator=511.83MB}]";
        assertThat(ActionContext.trinoFailure(new SQLException(perNode), RewritePlan.Limits.DEFAULT))
                .isEqualTo("Trino: " + perNode + " (a rewrite's piece over it is halved down to two files of a partition first: give Trino's queries more memory, "
                        + "query.max-memory-per-node and query.max-memory)");
        SQLException distributed = new SQLException("Query failed (#1): Query exceeded distributed user memory limit of 1GB");
        assertThat(ActionContext.trinoFailure(distributed, RewritePlan.Limits.DEFAULT)).contains("give Trino's queries more memory");
        assertThat(ActionContext.exceededMemory(new IllegalStateException("Trino: ...", distributed))).isTrue();
        assertThat(ActionContext.exceededMemory(new IllegalStateException("Trino: ...", new SQLException("Query failed (#1): line 1:8: Table 'iceberg.demo.gone' does not exist"))))
                .isFalse();
    }

    @Test
    void anyOtherRefusalIsTrinosMessageAsItIs()
    {
        assertThat(ActionContext.trinoFailure(new SQLException("Query failed (#1): line 1:8: Table 'iceberg.demo.gone' does not exist"), RewritePlan.Limits.DEFAULT))
                .isEqualTo("Trino: Query failed (#1): line 1:8: Table 'iceberg.demo.gone' does not exist");
    }
}
