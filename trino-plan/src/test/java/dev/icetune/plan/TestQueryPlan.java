package dev.icetune.plan;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
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
    void theFilterNamesTheTablesColumnsNotThePlannersSymbols()
    {
        // CREATE TABLE spaced ("event time" timestamp(6), "zeitstempel_ä" timestamp(6), "Name" varchar, "a""b" bigint, user_id bigint);
        // SELECT count(*) FROM spaced WHERE "event time" >= TIMESTAMP '2024-01-05 00:00:00' AND "event time" < TIMESTAMP '2024-01-06 00:00:00'
        //     AND "zeitstempel_ä" < TIMESTAMP '2024-01-06 00:00:00' AND "a""b" = 3 AND "Name" LIKE '%x' AND date_format("event time", '%Y') = '2024'
        // Trino's symbols: event_time, zeitstempel, a_b, name
        String filter = plan("renamed-columns.json").scan("iceberg", "demo", "spaced").orElseThrow().filterPredicate().orElseThrow();
        assertThat(filter).isEqualTo("((\"a\"\"b\" = bigint '3') AND (timestamp(6) '2024-01-05 00:00:00.000000' <= \"event time\") "
                + "AND (\"event time\" < timestamp(6) '2024-01-06 00:00:00.000000') AND (\"zeitstempel_ä\" < timestamp(6) '2024-01-06 00:00:00.000000') "
                + "AND $like(name, LikePattern '[%x]') AND (date_format(\"event time\", varchar(2) '%Y') = varchar '2024'))");
        assertThat(FilterPredicates.parse(filter)).extracting(FilterPredicates.ColumnPredicate::column)
                .containsExactly("a\"b", "event time", "event time", "zeitstempel_ä", "name", "event time");

        // SELECT count(*) FROM spaced s JOIN other o ON s.user_id = o.user_id WHERE o.ts >= TIMESTAMP '2024-01-05 00:00:00' AND s.user_id = 7:
        // the planner carries s.user_id = 7 over to o, whose user_id is its symbol user_id_0
        QueryPlan join = plan("join-renamed-columns.json");
        assertThat(join.scan("iceberg", "demo", "other").orElseThrow().filterPredicate())
                .contains("((timestamp(6) '2024-01-05 00:00:00.000000' <= ts) AND (user_id = bigint '7'))");
        assertThat(join.scan("iceberg", "demo", "spaced").orElseThrow().filterPredicate()).contains("(user_id = bigint '7')");
    }

    @Test
    void aFilterOfOneInputLeftInTheJoinIsThatScansFilter()
    {
        // SELECT ... FROM lineitem l, part p WHERE l.partkey = p.partkey AND date_format(l.shipdate, '%Y-%m') = '1995-03':
        // Trino 483 keeps the date_format in the inner join's filter; the scan of lineitem has only a dynamic filter
        QueryPlan plan = plan("join-filter.json");
        assertThat(plan.scan("iceberg", "tpch_ice", "lineitem").orElseThrow().filterPredicate())
                .contains("(date_format(CAST(shipdate AS timestamp(0)), varchar(5) '%Y-%m') = varchar '1995-03')");
        assertThat(plan.scan("iceberg", "tpch_ice", "part").orElseThrow().filterPredicate()).isEmpty();
        assertThat(FilterPredicates.parse(plan.scan("iceberg", "tpch_ice", "lineitem").orElseThrow().filterPredicate().orElseThrow()))
                .extracting(FilterPredicates.ColumnPredicate::column).containsExactly("shipdate");

        // lineitem l JOIN orders o ON l.orderkey = o.orderkey WHERE date_format(l.shipdate, '%Y-%m') = '1995-03'
        //     AND l.commitdate < date_add('day', 30, o.orderdate) AND date_format(o.orderdate, '%Y') = '1995' AND o.totalprice > 10:
        // lineitem is scanned in another fragment, read through a RemoteSource; the condition on both inputs is neither's
        QueryPlan both = plan("join-filter-both-sides.json");
        assertThat(both.scan("iceberg", "tpch_ice", "orders").orElseThrow().filterPredicate())
                .contains("(double '10.0' < totalprice) AND (date_format(CAST(orderdate AS timestamp(0)), varchar(2) '%Y') = varchar '1995')");
        assertThat(both.scan("iceberg", "tpch_ice", "lineitem").orElseThrow().filterPredicate())
                .contains("(date_format(CAST(shipdate AS timestamp(0)), varchar(5) '%Y-%m') = varchar '1995-03')");
    }

    @Test
    void aSymbolIsReplacedOnlyWhereItIsOne()
    {
        List<String> scan = List.of("ts_0 := 1:ts:timestamp(6)", "timestamp_0 := 2:timestamp:timestamp(6)", "v_1 := 3:v:varchar", "expr := (v_1 || 'x')");
        assertThat(QueryPlan.inColumnNames("((ts_0 >= timestamp(6) 'ts_0') AND (timestamp_0 < ts_0) AND (\"ts_0\" = v_1) AND (v_1_2 = 'v_1'))", scan))
                .isEqualTo("((ts >= timestamp(6) 'ts_0') AND (timestamp < ts) AND (\"ts_0\" = v) AND (v_1_2 = 'v_1'))");
        assertThat(QueryPlan.inColumnNames("(lower(v_1) = 'it''s v_1')", scan)).isEqualTo("(lower(v) = 'it''s v_1')");
        assertThat(QueryPlan.inColumnNames("(ts = 1)", scan)).as("no symbol to rename: the text itself").isEqualTo("(ts = 1)");
        List<String> tpch = List.of("orderkey_0 := tpch:orderkey", "name_1 := name:varchar(25):varchar");
        assertThat(QueryPlan.inColumnNames("(orderkey_0 = 1) AND (name_1 = 'x')", tpch)).as("another connector's handles: left as they are")
                .isEqualTo("(orderkey_0 = 1) AND (name_1 = 'x')");
    }

    /** As Trino 483 assigns them for a filter on a.b, a.c.d, a."x y", the top-level a_b, b, "event time" and "ÄÖ x" of one table. */
    @Test
    void aFieldOfARowColumnIsNeverTakenForATopLevelColumnOfItsName()
    {
        List<String> scan = List.of("a_c_d := 9:d:bigint", "a_b_11 := 6:b:bigint", "a_b_12 := 3:a_b:bigint", "b_10 := 5:b:bigint", "a_x_y := 8:x y:bigint",
                "event_time_13 := 1:event time:timestamp(6)", "x_9 := 4:äö x:bigint", "payload_user_id := 4:user_id:bigint", "user_id_2 := 2:user_id:bigint");
        assertThat(QueryPlan.inColumnNames("((a_b_11 = bigint '2') AND (a_b_12 = bigint '4') AND (a_c_d = bigint '3') AND (a_x_y = bigint '7') AND (b_10 = bigint '6') "
                + "AND (event_time_13 > timestamp(6) '2020-01-01') AND (x_9 = bigint '5') AND (payload_user_id = bigint '20') AND (user_id_2 = bigint '10'))", scan))
                .isEqualTo("((\"a.b\" = bigint '2') AND (a_b = bigint '4') AND (\"a_c.d\" = bigint '3') AND (\"a.x y\" = bigint '7') AND (b = bigint '6') "
                        + "AND (\"event time\" > timestamp(6) '2020-01-01') AND (\"äö x\" = bigint '5') AND (\"payload.user_id\" = bigint '20') AND (user_id = bigint '10'))");
    }

    @Test
    void aSelfJoinIsOneTableWithBothScansMerged()
    {
        QueryPlan plan = plan("self-join.json");
        assertThat(plan.scans()).containsOnlyKeys("iceberg.demo.t");
        assertThat(plan.scan("iceberg", "demo", "t").orElseThrow().filterPredicate()).as("an empty filter with only dynamic filters is no filter").isEmpty();
    }

    @Test
    void aTableScannedSeveralTimesHasEachOfItsFiltersOnce()
    {
        QueryPlan.Scan commit = new QueryPlan.Scan("iceberg.tpch.lineitem", List.of(), Optional.of("(l_commitdate < l_receiptdate)"), Map.of());
        QueryPlan.Scan none = new QueryPlan.Scan("iceberg.tpch.lineitem", List.of(), Optional.empty(), Map.of());
        QueryPlan.Scan quantity = new QueryPlan.Scan("iceberg.tpch.lineitem", List.of(), Optional.of("(l_quantity > 5)"), Map.of());
        assertThat(commit.merge(none).merge(commit).filterPredicate()).contains("(l_commitdate < l_receiptdate)");
        assertThat(commit.merge(quantity).merge(commit).merge(quantity).filterPredicate()).contains("(l_commitdate < l_receiptdate) OR (l_quantity > 5)");
    }

    @Test
    void aLikeIsReadAsItsFilter()
    {
        QueryPlan.Scan scan = plan("like.json").scan("iceberg", "demo", "t").orElseThrow();
        assertThat(FilterPredicates.parse(scan.filterPredicate().orElseThrow())).singleElement()
                .satisfies(predicate -> assertThat(predicate.leadingWildcard()).isTrue());
    }

    @Test
    void aFilteredScanCarriesThePlannersEstimateOfItsRowsUnknownWithoutStatistics()
    {
        // SELECT sum(v) FROM fact f JOIN dim d ON f.k = d.k WHERE d.name = 'n77', before and after ANALYZE dim
        QueryPlan without = plan("join-without-statistics.json");
        assertThat(without.scan("iceberg", "demo", "dim").orElseThrow().estimatedRows()).hasSize(1)
                .hasEntrySatisfying("167", rows -> assertThat(rows).isNaN());
        assertThat(without.scan("iceberg", "demo", "fact").orElseThrow().estimatedRows()).as("narrowed by a dynamic filter only").isEmpty();
        assertThat(plan("join-with-statistics.json").scan("iceberg", "demo", "dim").orElseThrow().estimatedRows()).containsExactly(Map.entry("167", 1.0));
        assertThat(plan("range-unpartitioned.json").scan("iceberg", "demo", "t").orElseThrow().estimatedRows())
                .as("a plan without a join asks for no estimate: none, rather than one it could not make").isEmpty();
    }

    @Test
    void theShapeSaysJoinsCrossJoinsAndSortsWithoutLimit()
    {
        assertThat(plan("self-join.json").shape()).as("the captured self-join has no equality condition, and no estimates")
                .isEqualTo(new QueryPlan.Shape(true, true, false, 0, Double.NaN));
        assertThat(plan("range-unpartitioned.json").shape()).as("a count: one row").isEqualTo(new QueryPlan.Shape(false, false, false, 0, 1));
        assertThat(QueryPlan.parse(fragments("CrossJoin", "TableScan")).shape()).isEqualTo(new QueryPlan.Shape(true, true, false, 0, Double.NaN));
        assertThat(QueryPlan.parse(fragments("RemoteMerge", "LocalMerge", "PartialSort", "TableScan")).shape()).isEqualTo(new QueryPlan.Shape(false, false, true, 0, Double.NaN));
        assertThat(QueryPlan.parse(fragments("TopN", "TopNPartial", "TableScan")).shape().sortWithoutLimit()).isFalse();
        assertThat(QueryPlan.parse(fragments("Limit", "Sort", "TableScan")).shape().sortWithoutLimit()).as("a sort under a limit").isFalse();
        assertThat(QueryPlan.parse(null).known()).isFalse();
        assertThat(plan("self-join.json").known()).isTrue();
    }

    @Test
    void theShapeCarriesThePlannersEstimatesOfACrossJoinThatMultipliesRowsAndOfTheResult()
    {
        // EXPLAIN (TYPE DISTRIBUTED, FORMAT JSON) on a table of 200,000 rows, as lint runs it:
        // SELECT a.user_id, b.event_type FROM events a, events b ORDER BY a.user_id
        QueryPlan.Shape sorted = plan("cross-join-sorted.json").shape();
        assertThat(sorted.crossJoin()).isTrue();
        assertThat(sorted.crossJoinRows()).isEqualTo(4.0e10);
        assertThat(sorted.sortWithoutLimit()).isTrue();
        assertThat(sorted.resultRows()).isEqualTo(4.0e10);
        // SELECT * FROM events WHERE user_id > (SELECT avg(user_id) FROM events): a cross join with the one-row average
        QueryPlan.Shape scalar = plan("scalar-subquery.json").shape();
        assertThat(scalar.crossJoin()).isTrue();
        assertThat(scalar.crossJoinRows()).as("the one-row side multiplies nothing").isZero();
        assertThat(scalar.resultRows()).as("the filter on the average is not estimated").isNaN();
    }

    /** A distributed plan of one fragment: the nodes, each the child of the one before. */
    private static String fragments(String... names)
    {
        String tree = "{\"name\":\"Values\",\"descriptor\":{},\"children\":[]}";
        for (int i = names.length - 1; i >= 0; i--) {
            tree = "{\"name\":\"" + names[i] + "\",\"descriptor\":{},\"children\":[" + tree + "]}";
        }
        return "{\"0\":{\"name\":\"Output\",\"descriptor\":{},\"children\":[" + tree + "]}}";
    }

    @Test
    void aMissingOrBrokenPlanIsEmpty()
    {
        assertThat(QueryPlan.parse(null)).isEqualTo(QueryPlan.EMPTY);
        assertThat(QueryPlan.parse("")).isEqualTo(QueryPlan.EMPTY);
        assertThat(QueryPlan.parse("{ not json")).isEqualTo(QueryPlan.EMPTY);
        assertThat(QueryPlan.parse("{\"0\": {\"name\": \"TableScan\", \"details\": [\"x\", \"y\"")).as("cut off").isEqualTo(QueryPlan.EMPTY);
        assertThat(QueryPlan.parse("{\"0\": {\"name\": \"TableScan\", \"children\": [{\"name\": \"Values\", \"estimates\": [{")).isEqualTo(QueryPlan.EMPTY);
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
                new QueryPlan.Scan("lake.sales.orders", List.of("day", "region"), Optional.of("(customer = bigint '5')"), Map.of()));
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
