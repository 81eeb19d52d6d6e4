package dev.icetune.engine;

import dev.icetune.engine.model.Rewrites;
import dev.icetune.engine.model.Sql;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TestRewrites
{
    @Test
    void runbookExample()
    {
        assertThat(Rewrites.sargable("SELECT * FROM events WHERE date_format(timestamp, 'yyyy-MM-dd') = '2024-01-15'", "timestamp", null))
                .contains("SELECT * FROM events WHERE timestamp >= TIMESTAMP '2024-01-15 00:00:00' AND timestamp < TIMESTAMP '2024-01-16 00:00:00'");
        assertThat(Rewrites.sargable("select count(*) from events where date_format(ts, '%Y-%m-%d') = '2024-02-29' and x = 1", "ts", null))
                .contains("select count(*) from events where ts >= TIMESTAMP '2024-02-29 00:00:00' AND ts < TIMESTAMP '2024-03-01 00:00:00' and x = 1");
    }

    @Test
    void monthsDatesAndCasts()
    {
        assertThat(Rewrites.sargable("SELECT 1 FROM e WHERE date_format(ts, '%Y-%m') = '2024-12'", "ts", null))
                .contains("SELECT 1 FROM e WHERE ts >= TIMESTAMP '2024-12-01 00:00:00' AND ts < TIMESTAMP '2025-01-01 00:00:00'");
        assertThat(Rewrites.sargable("SELECT 1 FROM e WHERE date(ts) = DATE '2024-01-31'", "ts", null))
                .contains("SELECT 1 FROM e WHERE ts >= TIMESTAMP '2024-01-31 00:00:00' AND ts < TIMESTAMP '2024-02-01 00:00:00'");
        assertThat(Rewrites.sargable("SELECT 1 FROM e WHERE CAST(ts AS date) = DATE '2024-01-31'", "ts", null)).isPresent();
        assertThat(Rewrites.sargable("SELECT 1 FROM e WHERE lower(name) = 'x'", "name", null)).isEmpty();
        // a column quoted in the query (timestamp is a keyword) stays quoted in the rewrite
        assertThat(Rewrites.sargable("SELECT 1 FROM e WHERE date_format(\"timestamp\", '%Y-%m-%d') = '2024-01-15'", "timestamp", null))
                .contains("SELECT 1 FROM e WHERE \"timestamp\" >= TIMESTAMP '2024-01-15 00:00:00' AND \"timestamp\" < TIMESTAMP '2024-01-16 00:00:00'");
    }

    @Test
    void theBoundsAreLiteralsOfTheColumnsType()
    {
        // date_format reads a timestamp with a time zone in UTC, as Iceberg stores it; a bound without a zone is in the session's
        assertThat(Rewrites.sargable("SELECT 1 FROM e WHERE date_format(ts, '%Y-%m-%d') = '2024-03-05'", "ts", "timestamptz"))
                .contains("SELECT 1 FROM e WHERE ts >= TIMESTAMP '2024-03-05 00:00:00 UTC' AND ts < TIMESTAMP '2024-03-06 00:00:00 UTC'");
        assertThat(Rewrites.sargable("SELECT 1 FROM e WHERE date(ts) = DATE '2024-03-05'", "ts", "timestamptz_ns"))
                .contains("SELECT 1 FROM e WHERE ts >= TIMESTAMP '2024-03-05 00:00:00 UTC' AND ts < TIMESTAMP '2024-03-06 00:00:00 UTC'");
        assertThat(Rewrites.sargable("SELECT 1 FROM e WHERE date_format(d, '%Y-%m') = '2024-12'", "d", "date"))
                .contains("SELECT 1 FROM e WHERE d >= DATE '2024-12-01' AND d < DATE '2025-01-01'");
        assertThat(Rewrites.sargable("SELECT 1 FROM e WHERE date_format(ts, '%Y-%m') = '2024-12'", "ts", "timestamp"))
                .contains("SELECT 1 FROM e WHERE ts >= TIMESTAMP '2024-12-01 00:00:00' AND ts < TIMESTAMP '2025-01-01 00:00:00'");
    }

    @Test
    void aLimitIsAddedToAStatementThatHasNone()
    {
        assertThat(Rewrites.limited("SELECT * FROM t ORDER BY id;\n", 1000)).contains("SELECT * FROM t ORDER BY id\nLIMIT 1000");
        assertThat(Rewrites.limited("SELECT * FROM t ORDER BY id FETCH FIRST 5 ROWS ONLY", 1000)).isEmpty();
        // a query sent with a parameter: the statement it ran, limited; a prepared statement's EXECUTE holds no statement to limit
        assertThat(Rewrites.limited("EXECUTE IMMEDIATE 'SELECT * FROM t WHERE k = ? ORDER BY id' USING 7", 1000)).contains("SELECT * FROM t WHERE k = 7 ORDER BY id\nLIMIT 1000");
        assertThat(Rewrites.limited("EXECUTE statement1 USING 7", 1000)).isEmpty();
    }

    @Test
    void identifiersAreQuotedSoNamesCannotInjectSql()
    {
        assertThat(Sql.table("iceberg.demo.events")).isEqualTo("\"iceberg\".\"demo\".\"events\"");
        assertThat(Sql.table("iceberg.demo.x\"; DROP TABLE y; --")).isEqualTo("\"iceberg\".\"demo\".\"x\"\"; DROP TABLE y; --\"");
        assertThat(Sql.literal("it's")).isEqualTo("'it''s'");
    }
}
