package dev.icetune.plan;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** JSON plans as Trino 483 reports them in QueryCompletedEvent (captured from real Iceberg queries, in resources/plans). */
class TestQueryPlan
{
    @Test
    void aRangeOnAnUnpartitionedTableStaysAFilterAboveTheScan()
    {
        QueryPlan.Scan scan = plan("range-unpartitioned.json").scan("iceberg", "demo", "t").orElseThrow();
        assertThat(scan.constraintColumns()).isEmpty();
        assertThat(scan.filterPredicate()).contains("((timestamp(6) '2024-01-02 00:00:00.000000' <= ts) AND (ts < timestamp(6) '2024-01-03 00:00:00.000000'))");
    }

    @Test
    void aRangeOnThePartitionColumnIsPushedIntoTheScan()
    {
        QueryPlan.Scan scan = plan("range-partitioned.json").scan("ICEBERG", "Demo", "P").orElseThrow();
        assertThat(scan.constraintColumns()).containsExactly("ts");
        assertThat(scan.filterPredicate()).isEmpty();
    }

    @Test
    void aFunctionAroundTheColumnIsLeftAboveTheScan()
    {
        QueryPlan.Scan scan = plan("date-format.json").scan("iceberg", "demo", "p").orElseThrow();
        assertThat(scan.constraintColumns()).isEmpty();
        assertThat(scan.filterPredicate()).hasValueSatisfying(filter -> assertThat(filter).contains("date_format(ts, varchar(8) '%Y-%m-%d') = varchar '2024-01-02'"));
    }

    @Test
    void aSelfJoinIsOneTableWithBothScansMerged()
    {
        QueryPlan plan = plan("self-join.json");
        assertThat(plan.scans()).containsOnlyKeys("iceberg.demo.t");
        assertThat(plan.scan("iceberg", "demo", "t").orElseThrow().filterPredicate()).as("an empty filter with only dynamic filters is no filter").isEmpty();
    }

    @Test
    void aLikeIsReadAsItsFilter()
    {
        QueryPlan.Scan scan = plan("like.json").scan("iceberg", "demo", "t").orElseThrow();
        assertThat(FilterPredicates.parse(scan.filterPredicate().orElseThrow())).singleElement()
                .satisfies(predicate -> assertThat(predicate.leadingWildcard()).isTrue());
    }

    @Test
    void aMissingOrBrokenPlanIsEmpty()
    {
        assertThat(QueryPlan.parse(null)).isEqualTo(QueryPlan.EMPTY);
        assertThat(QueryPlan.parse("")).isEqualTo(QueryPlan.EMPTY);
        assertThat(QueryPlan.parse("{ not json")).isEqualTo(QueryPlan.EMPTY);
        assertThat(QueryPlan.parse("[1, 2]").scans()).isEmpty();
        assertThat(QueryPlan.parse("{\"0\": {\"name\": \"TableScan\", \"descriptor\": {\"table\": \"no colon here\"}}}").scans()).isEmpty();
    }

    @Test
    void aSingleTreeReadsLikeAFragmentMap()
    {
        String tree = """
                {"id": "1", "name": "ScanFilter", "descriptor": {"table": "lake:sales.orders$data@7 constraint on [day, region]",
                 "filterPredicate": "(customer = bigint '5')"}, "children": []}""";
        assertThat(QueryPlan.parse(tree).scan("lake", "sales", "orders")).contains(
                new QueryPlan.Scan("lake.sales.orders", List.of("day", "region"), Optional.of("(customer = bigint '5')")));
    }

    private static QueryPlan plan(String name)
    {
        try (InputStream in = TestQueryPlan.class.getResourceAsStream("/plans/" + name)) {
            return QueryPlan.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
