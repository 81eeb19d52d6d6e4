package dev.icetune.listener;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Operator summaries as Trino 483 reports them for a join of three Iceberg tables (recorded, in resources/three-table-join). */
class TestOperatorRows
{
    private static final Set<String> JOINS_AND_SCANS = Set.of("LookupJoinOperator", "HashBuilderOperator", "TableScanOperator", "ScanFilterAndProjectOperator");

    @Test
    void readsTheRowsOfTheOperatorsAskedForAndNoOthers()
            throws IOException
    {
        List<String> summaries = recorded();
        assertThat(summaries).hasSize(28);

        assertThat(OperatorRows.read(summaries, JOINS_AND_SCANS)).containsExactly(
                new OperatorRows("LookupJoinOperator", "413", 1560, 1560),
                new OperatorRows("HashBuilderOperator", "413", 200, 200),
                new OperatorRows("LookupJoinOperator", "412", 5880, 1560),
                new OperatorRows("HashBuilderOperator", "412", 13, 13),
                new OperatorRows("TableScanOperator", "7", 200, 200),
                new OperatorRows("ScanFilterAndProjectOperator", "544", 6000, 5880),
                new OperatorRows("ScanFilterAndProjectOperator", "254", 50, 13));
    }

    @Test
    void readsFieldsInAnyOrderAndLeavesOutWhatDoesNotRead()
    {
        Set<String> joins = Set.of("LookupJoinOperator");
        assertThat(OperatorRows.read("{\"outputPositions\": 9, \"metrics\": {\"a\": [1, {\"b\": 2}]}, \"inputPositions\": 3, \"planNodeId\": \"5\", "
                + "\"operatorType\": \"LookupJoinOperator\"}", joins)).isEqualTo(new OperatorRows("LookupJoinOperator", "5", 3, 9));
        assertThat(OperatorRows.read("{\"operatorType\": \"LookupJoinOperator\"}", joins)).as("counts it does not report are 0")
                .isEqualTo(new OperatorRows("LookupJoinOperator", "", 0, 0));
        assertThat(OperatorRows.read("{\"operatorType\": \"ExchangeOperator\", \"planNodeId\": \"5\"}", joins)).isNull();
        assertThat(OperatorRows.read("{\"planNodeId\": \"5\", \"inputPositions\": 3}", joins)).as("no type").isNull();
        assertThat(OperatorRows.read("{ not json", joins)).isNull();
        assertThat(OperatorRows.read("[1, 2]", joins)).isNull();
        assertThat(OperatorRows.read("", joins)).isNull();
    }

    @Test
    void anOperatorOfAnotherTypeIsToldFromTheTypeAsTrinoWritesIt()
    {
        Set<String> joins = Set.of("LookupJoinOperator");
        assertThat(OperatorRows.read("{\"planNodeId\":\"5\",\"operatorType\":\"ExchangeOperator\",\"inputPositions\":3}", joins)).isNull();
        assertThat(OperatorRows.read("{\"planNodeId\":\"5\",\"operatorType\":\"LookupJoinOperator\",\"inputPositions\":3,\"outputPositions\":4}", joins))
                .isEqualTo(new OperatorRows("LookupJoinOperator", "5", 3, 4));
        assertThat(OperatorRows.read("{\"planNodeId\":\"x\\\"operatorType\\\":\\\"ExchangeOperator\",\"operatorType\":\"LookupJoinOperator\",\"inputPositions\":3}", joins))
                .as("a value whose text looks like the field").isEqualTo(new OperatorRows("LookupJoinOperator", "x\"operatorType\":\"ExchangeOperator", 3, 0));
    }

    static List<String> recorded()
            throws IOException
    {
        try (InputStream in = TestOperatorRows.class.getResourceAsStream("/three-table-join/operator-summaries.json")) {
            return List.of(new ObjectMapper().readValue(in, String[].class));
        }
    }
}
