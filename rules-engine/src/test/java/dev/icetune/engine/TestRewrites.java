package dev.icetune.engine;

import dev.icetune.engine.model.Rewrites;
import dev.icetune.engine.model.Sql;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.LocalDate;
import java.util.Optional;

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
        // format_datetime, Trino's Joda-style format: its letters' case matters (mm are minutes), date_format's specifiers too (%y: two digits)
        assertThat(Rewrites.sargable("SELECT count(*) FROM orders WHERE FORMAT_DATETIME(order_ts, 'yyyy-MM-dd') = '2024-01-04'", "order_ts", null))
                .contains("SELECT count(*) FROM orders WHERE order_ts >= TIMESTAMP '2024-01-04 00:00:00' AND order_ts < TIMESTAMP '2024-01-05 00:00:00'");
        assertThat(Rewrites.sargable("SELECT 1 FROM e WHERE format_datetime(ts, 'yyyy-MM') = '2024-12'", "ts", null))
                .contains("SELECT 1 FROM e WHERE ts >= TIMESTAMP '2024-12-01 00:00:00' AND ts < TIMESTAMP '2025-01-01 00:00:00'");
        assertThat(Rewrites.sargable("SELECT 1 FROM e WHERE format_datetime(ts, 'yyyy-mm') = '2024-12'", "ts", null)).isEmpty();
        // a filter commented out, a BI tool's header with a quote in it: no part of the query (met from outside: the comment's filter was rewritten)
        assertThat(Rewrites.sargable("/* old filter: date_format(ts, '%Y-%m-%d') = '2020-01-01' */ SELECT count(*) FROM c WHERE date_format(ts, '%Y-%m-%d') = '2026-12-05'", "ts", null))
                .contains("SELECT count(*) FROM c WHERE ts >= TIMESTAMP '2026-12-05 00:00:00' AND ts < TIMESTAMP '2026-12-06 00:00:00'");
        assertThat(Rewrites.selected("-- it's the card\nSELECT 1 FROM c WHERE date_format(ts, '%Y-%m-%d') = '2026-12-05' -- not '%Y-%m'", "ts")).contains(Duration.ofDays(1));
        assertThat(Rewrites.limited("SELECT * FROM c ORDER BY ts LIMIT 10 -- the first ten", 1000)).as("its own LIMIT, before a comment").isEmpty();
        // an hour's text, as hourly dashboards pick one (met from outside, a timestamp with a time zone: read in UTC, as Iceberg stores it)
        assertThat(Rewrites.sargable("SELECT count(*) FROM c WHERE format_datetime(ts, 'yyyy-MM-dd HH') = '2026-12-05 19'", "ts", "timestamptz"))
                .contains("SELECT count(*) FROM c WHERE ts >= TIMESTAMP '2026-12-05 19:00:00 UTC' AND ts < TIMESTAMP '2026-12-05 20:00:00 UTC'");
        assertThat(Rewrites.sargable("SELECT 1 FROM e WHERE date_format(ts, '%Y-%m-%d %H') BETWEEN '2024-01-05 22' AND '2024-01-06 01'", "ts", null))
                .contains("SELECT 1 FROM e WHERE ts >= TIMESTAMP '2024-01-05 22:00:00' AND ts < TIMESTAMP '2024-01-06 02:00:00'");
        assertThat(Rewrites.sargable("SELECT 1 FROM e WHERE date_format(ts, '%Y-%m-%d %H') > '2024-01-05 22'", "ts", null))
                .contains("SELECT 1 FROM e WHERE ts >= TIMESTAMP '2024-01-05 23:00:00'");
        assertThat(Rewrites.selected("SELECT 1 FROM e WHERE date_format(ts, '%Y-%m-%d %H') = '2024-01-05 22'", "ts")).contains(Duration.ofHours(1));
        assertThat(Rewrites.sargable("SELECT 1 FROM e WHERE date_format(ts, '%Y-%m-%d %H') = '2024-01-05 24'", "ts", null)).as("no 24th hour").isEmpty();
        assertThat(Rewrites.sargable("SELECT 1 FROM e WHERE format_datetime(ts, 'yyyy-MM-dd hh') = '2024-01-05 10'", "ts", null))
                .as("hh: an hour of a half day, which the text does not say").isEmpty();
        assertThat(Rewrites.sargable("SELECT 1 FROM e WHERE format_datetime(ts, '%Y-%m-%d') = '2024-12-01'", "ts", null)).isEmpty();
        assertThat(Rewrites.sargable("SELECT 1 FROM e WHERE date_format(ts, '%y-%m-%d') = '24-12-01'", "ts", null)).isEmpty();
        // year and month (and day) of the column, as dashboards pick a month: Trino prunes by the year alone
        assertThat(Rewrites.sargable("SELECT c, count(*) FROM orders WHERE year(order_ts) = 2024 AND month(order_ts) = 12 GROUP BY 1", "order_ts", null))
                .contains("SELECT c, count(*) FROM orders WHERE order_ts >= TIMESTAMP '2024-12-01 00:00:00' AND order_ts < TIMESTAMP '2025-01-01 00:00:00' GROUP BY 1");
        assertThat(Rewrites.sargable("SELECT count(*) FROM o WHERE quarter(ts) = 4 AND year(ts) = 2024", "ts", null))
                .as("a quarter").contains("SELECT count(*) FROM o WHERE ts >= TIMESTAMP '2024-10-01 00:00:00' AND ts < TIMESTAMP '2025-01-01 00:00:00'");
        assertThat(Rewrites.sargable("SELECT count(*) FROM o WHERE year(ts) = 2024 AND quarter(ts) = 5", "ts", null)).isEmpty();
        assertThat(Rewrites.sargable("SELECT count(*) FROM o WHERE year(ts) = 2024 AND quarter(ts) = 1 AND month(ts) = 4", "ts", null))
                .as("April is in no first quarter: no row, and no range says so").isEmpty();
        assertThat(Rewrites.sargable("SELECT count(*) FROM o WHERE EXTRACT(DAY FROM ts) = 3 AND extract(month from ts) = 1 AND EXTRACT(YEAR FROM ts) = 2024", "ts", null))
                .as("EXTRACT, as a BI tool writes the parts").contains("SELECT count(*) FROM o WHERE ts >= TIMESTAMP '2024-01-03 00:00:00' AND ts < TIMESTAMP '2024-01-04 00:00:00'");
        assertThat(Rewrites.sargable("SELECT 1 FROM e WHERE YEAR(ts) = 2024 and month(ts) = 2 and day(ts) = 29 and k = 1", "ts", "date"))
                .contains("SELECT 1 FROM e WHERE ts >= DATE '2024-02-29' AND ts < DATE '2024-03-01' and k = 1");
        assertThat(Rewrites.sargable("SELECT 1 FROM e WHERE year(ts) = 2024 AND month(ts) = 13", "ts", null)).isEmpty();
        assertThat(Rewrites.sargable("SELECT 1 FROM e WHERE year(ts) = 2024 AND month(other) = 3", "ts", null)).isEmpty();
        assertThat(Rewrites.sargable("SELECT 1 FROM e WHERE month(ts) = 3", "ts", null)).as("March of every year: no one range").isEmpty();
        // in the order a dashboard writes them: the month first, the day in between
        assertThat(Rewrites.sargable("SELECT 1 FROM e WHERE month(ts) = 3 AND year(ts) = 2024 AND k = 1", "ts", "date"))
                .contains("SELECT 1 FROM e WHERE ts >= DATE '2024-03-01' AND ts < DATE '2024-04-01' AND k = 1");
        assertThat(Rewrites.sargable("SELECT 1 FROM e WHERE day_of_month(ts) = 5 and year(ts) = 2024 and month(ts) = 1", "ts", "date"))
                .contains("SELECT 1 FROM e WHERE ts >= DATE '2024-01-05' AND ts < DATE '2024-01-06'");
        assertThat(Rewrites.sargable("SELECT 1 FROM e WHERE month(ts) = 3 AND month(ts) = 4 AND year(ts) = 2024", "ts", null)).as("two months: nothing").isEmpty();
        // a day of every month of the year (met from outside: advice only, valued as the whole year, nothing to skip): its days ORed, which
        // Trino pushes into the scan as one list of ranges
        assertThat(Rewrites.sargable("SELECT 1 FROM e WHERE year(ts) = 2024 AND day(ts) = 3", "ts", null)).as("the 3rd of every month")
                .hasValueSatisfying(rewritten -> assertThat(rewritten).startsWith("SELECT 1 FROM e WHERE (ts >= TIMESTAMP '2024-01-03 00:00:00' AND ts < TIMESTAMP '2024-01-04 00:00:00' OR ")
                        .endsWith(" OR ts >= TIMESTAMP '2024-12-03 00:00:00' AND ts < TIMESTAMP '2024-12-04 00:00:00')").matches(text -> text.split(" OR ").length == 12, "twelve days"));
        assertThat(Rewrites.selected("SELECT 1 FROM e WHERE year(ts) = 2024 AND day(ts) = 3", "ts")).contains(java.time.Duration.ofDays(12));
        assertThat(Rewrites.sargable("SELECT 1 FROM e WHERE day_of_month(ts) = 31 AND quarter(ts) = 1 AND year(ts) = 2025 AND k = 1", "ts", "date"))
                .as("the months of the quarter that have the day").contains("SELECT 1 FROM e WHERE (ts >= DATE '2025-01-31' AND ts < DATE '2025-02-01' OR ts >= DATE '2025-03-31' AND ts < DATE '2025-04-01') AND k = 1");
        assertThat(Rewrites.sargable("SELECT 1 FROM e WHERE year(ts) = 2025 AND month(ts) = 2 AND day(ts) = 30", "ts", null)).as("no such day").isEmpty();
        assertThat(Rewrites.sargable("SELECT 1 FROM e WHERE month(ts) = 2 AND day(ts) = 3", "ts", null)).as("of every year: no year to bound it").isEmpty();
        // a column quoted in the query (timestamp is a keyword) stays quoted in the rewrite
        assertThat(Rewrites.sargable("SELECT 1 FROM e WHERE date_format(\"timestamp\", '%Y-%m-%d') = '2024-01-15'", "timestamp", null))
                .contains("SELECT 1 FROM e WHERE \"timestamp\" >= TIMESTAMP '2024-01-15 00:00:00' AND \"timestamp\" < TIMESTAMP '2024-01-16 00:00:00'");
    }

    /** Met from outside: a dashboard filtering a view's signup_day, which the view computes as date_format(signup, ...), was told to compare signup. */
    @Test
    void aFunctionTheQueryDoesNotWriteIsAViewsToChange()
    {
        assertThat(Rewrites.sargableAdvice("SELECT count(*) FROM customer_days WHERE signup_day = '2026-01-05'", "signup", "date_format"))
                .isEqualTo("the query filters a view's column that is date_format() of signup: have the view pass signup on as it is, and compare that against a range");
        assertThat(Rewrites.sargableAdvice("SELECT count(*) FROM customers c WHERE year(C.SIGNUP) = 2026 AND day_of_month(c.signup) = 0", "signup", "day"))
                .isEqualTo("compare signup itself against a range instead of day() of it");
        assertThat(Rewrites.sargableAdvice("SELECT count(*) FROM e WHERE lower(\"Signup\") = 'x'", "signup", "lower")).startsWith("compare signup itself");
    }

    /** Met from outside: a dashboard's day as the leading part of the timestamp's text, which Trino cannot push into the scan. */
    @Test
    void aQualifiedColumnIsRewrittenAsWritten()
    {
        // joins qualify their columns: TPC-H's Q14 with its month as text (Trino 483 leaves it in the join's filter)
        assertThat(Rewrites.sargable("select sum(l.extendedprice) from lineitem l, part p where l.partkey = p.partkey and date_format(l.shipdate, '%Y-%m') = '1995-09'",
                "shipdate", "date"))
                .contains("select sum(l.extendedprice) from lineitem l, part p where l.partkey = p.partkey and l.shipdate >= DATE '1995-09-01' AND l.shipdate < DATE '1995-10-01'");
        assertThat(Rewrites.sargable("SELECT 1 FROM e JOIN d ON e.k = d.k WHERE CAST(\"e\".\"ts\" AS date) = DATE '2024-01-31'", "ts", null))
                .contains("SELECT 1 FROM e JOIN d ON e.k = d.k WHERE \"e\".\"ts\" >= TIMESTAMP '2024-01-31 00:00:00' AND \"e\".\"ts\" < TIMESTAMP '2024-02-01 00:00:00'");
        assertThat(Rewrites.sargable("SELECT 1 FROM e JOIN d ON e.k = d.k WHERE date_trunc('week', e.ts) = TIMESTAMP '2024-01-08 00:00:00'", "ts", null))
                .contains("SELECT 1 FROM e JOIN d ON e.k = d.k WHERE e.ts >= TIMESTAMP '2024-01-08 00:00:00' AND e.ts < TIMESTAMP '2024-01-15 00:00:00'");
        assertThat(Rewrites.sargable("SELECT 1 FROM e WHERE date_format(e.ts_local, '%Y-%m') = '2024-01'", "ts", null)).as("another column whose name ends alike").isEmpty();
    }

    /** Met from outside: a dashboard's day in its own zone, of a timestamp with a time zone, read every file and got advice. */
    @Test
    void aDayInANamedZoneBecomesThatDaysRangeInTheZone()
    {
        assertThat(Rewrites.sargable("SELECT count(*) FROM e WHERE date(ts AT TIME ZONE 'America/New_York') = DATE '1995-01-03'", "ts", "timestamptz(6)"))
                .contains("SELECT count(*) FROM e WHERE ts >= TIMESTAMP '1995-01-03 00:00:00 America/New_York' AND ts < TIMESTAMP '1995-01-04 00:00:00 America/New_York'");
        assertThat(Rewrites.sargable("SELECT 1 FROM e x WHERE CAST(x.ts at time zone '+05:30' AS DATE) = DATE '2024-03-31' AND k = 1", "ts", "timestamptz(6)"))
                .contains("SELECT 1 FROM e x WHERE x.ts >= TIMESTAMP '2024-03-31 00:00:00 +05:30' AND x.ts < TIMESTAMP '2024-04-01 00:00:00 +05:30' AND k = 1");
        assertThat(Rewrites.sargable("SELECT 1 FROM e WHERE CAST(ts AT TIME ZONE 'America/New_York' AS date) BETWEEN DATE '1995-01-03' AND DATE '1995-01-05'", "ts", "timestamptz(6)"))
                .contains("SELECT 1 FROM e WHERE ts >= TIMESTAMP '1995-01-03 00:00:00 America/New_York' AND ts < TIMESTAMP '1995-01-06 00:00:00 America/New_York'");
        assertThat(Rewrites.selected("SELECT count(*) FROM e WHERE date(ts AT TIME ZONE 'Europe/Berlin') = DATE '1995-01-03'", "ts")).contains(Duration.ofDays(1));
        // compared as it is, the value in another zone is the same instant
        assertThat(Rewrites.sargable("SELECT 1 FROM e WHERE ts AT TIME ZONE 'America/New_York' >= TIMESTAMP '1995-01-03 00:00:00 America/New_York' "
                + "AND TIMESTAMP '1995-01-04 00:00:00 UTC' > e.ts AT TIME ZONE 'UTC'", "ts", "timestamptz(6)"))
                .contains("SELECT 1 FROM e WHERE ts >= TIMESTAMP '1995-01-03 00:00:00 America/New_York' AND TIMESTAMP '1995-01-04 00:00:00 UTC' > e.ts");
        assertThat(Rewrites.sargable("SELECT 1 FROM e WHERE date_diff('hour', ts AT TIME ZONE 'UTC', now()) < 3", "ts", "timestamptz(6)")).as("inside a function").isEmpty();
        // of a timestamp without a zone, AT TIME ZONE reads the value in the session's zone: no bounds say which day that is
        assertThat(Rewrites.sargable("SELECT 1 FROM e WHERE date(ts AT TIME ZONE 'America/New_York') = DATE '1995-01-03'", "ts", null)).isEmpty();
        assertThat(Rewrites.sargable("SELECT 1 FROM e WHERE date(ts AT TIME ZONE 'Mars/Olympus') = DATE '1995-01-03'", "ts", "timestamptz(6)")).as("no such zone").isEmpty();
    }

    @Test
    void aLeadingPartOfTheColumnsTextBecomesItsRange()
    {
        assertThat(Rewrites.sargable("SELECT region, count(*) FROM events WHERE substr(CAST(ts AS varchar), 1, 10) = '2024-01-02' GROUP BY region", "ts", null))
                .contains("SELECT region, count(*) FROM events WHERE ts >= TIMESTAMP '2024-01-02 00:00:00' AND ts < TIMESTAMP '2024-01-03 00:00:00' GROUP BY region");
        assertThat(Rewrites.sargable("SELECT 1 FROM e WHERE SUBSTRING(cast(ts as VARCHAR(30)), 1, 7) = '2024-12'", "ts", "timestamptz"))
                .contains("SELECT 1 FROM e WHERE ts >= TIMESTAMP '2024-12-01 00:00:00 UTC' AND ts < TIMESTAMP '2025-01-01 00:00:00 UTC'");
        assertThat(Rewrites.sargable("SELECT 1 FROM e WHERE CAST(d AS varchar) LIKE '2024-01-03%' AND k = 1", "d", "date"))
                .contains("SELECT 1 FROM e WHERE d >= DATE '2024-01-03' AND d < DATE '2024-01-04' AND k = 1");
        assertThat(Rewrites.sargable("SELECT 1 FROM e WHERE starts_with(CAST(ts AS varchar), '2024')", "ts", null))
                .contains("SELECT 1 FROM e WHERE ts >= TIMESTAMP '2024-01-01 00:00:00' AND ts < TIMESTAMP '2025-01-01 00:00:00'");
        assertThat(Rewrites.selected("SELECT 1 FROM e WHERE CAST(ts AS varchar) LIKE '2024-02%'", "ts")).contains(java.time.Duration.ofDays(29));
        // down to the hour, as an hourly dashboard slices it
        assertThat(Rewrites.sargable("SELECT 1 FROM e WHERE substr(CAST(ts AS varchar), 1, 13) = '2024-01-02 10'", "ts", null))
                .contains("SELECT 1 FROM e WHERE ts >= TIMESTAMP '2024-01-02 10:00:00' AND ts < TIMESTAMP '2024-01-02 11:00:00'");
        assertThat(Rewrites.sargable("SELECT 1 FROM e WHERE CAST(ts AS varchar) LIKE '2024-12-31 23%'", "ts", "timestamptz"))
                .contains("SELECT 1 FROM e WHERE ts >= TIMESTAMP '2024-12-31 23:00:00 UTC' AND ts < TIMESTAMP '2025-01-01 00:00:00 UTC'");
        assertThat(Rewrites.selected("SELECT 1 FROM e WHERE starts_with(CAST(ts AS varchar), '2024-01-02 10')", "ts")).contains(java.time.Duration.ofHours(1));
        assertThat(Rewrites.sargable("SELECT 1 FROM e WHERE CAST(ts AS varchar) LIKE '2024-01-02 24%'", "ts", null)).as("no 24th hour").isEmpty();

        assertThat(Rewrites.sargable("SELECT 1 FROM e WHERE substr(CAST(ts AS varchar), 1, 10) = '2024-01'", "ts", null)).as("never equal: nothing selected").isEmpty();
        assertThat(Rewrites.sargable("SELECT 1 FROM e WHERE substr(CAST(ts AS varchar), 6, 2) = '01'", "ts", null)).as("January of every year").isEmpty();
        assertThat(Rewrites.sargable("SELECT 1 FROM e WHERE CAST(ts AS varchar) LIKE '2024-%-03%'", "ts", null)).isEmpty();
        assertThat(Rewrites.sargable("SELECT 1 FROM e WHERE CAST(ts AS varchar) LIKE '2024-13%'", "ts", null)).isEmpty();
        assertThat(Rewrites.sargable("SELECT 1 FROM e WHERE CAST(other AS varchar) LIKE '2024-01%'", "ts", null)).isEmpty();
        assertThat(Rewrites.sargable("SELECT 1 FROM e WHERE date_format(ts, '%Y-%m-%d') = '2024-02-30'", "ts", null)).as("no February 30th").isEmpty();
    }

    /** Met from outside: a text column partitioned by truncate(code, 2), read whole by substr(code, 1, 2) = 'AB' and by 1 file of 35 by starts_with. */
    @Test
    void aLeadingPartOfATextColumnBecomesStartsWith()
    {
        assertThat(Rewrites.sargable("SELECT sum(qty) FROM tr WHERE substr(code, 1, 2) = 'AB' GROUP BY k", "code", null))
                .contains("SELECT sum(qty) FROM tr WHERE starts_with(code, 'AB') GROUP BY k");
        assertThat(Rewrites.sargable("SELECT 1 FROM tr WHERE SUBSTRING(\"Code\" FROM 1 FOR 3) = 'O''B' AND k = 1", "Code", null))
                .contains("SELECT 1 FROM tr WHERE starts_with(\"Code\", 'O''B') AND k = 1");
        assertThat(Rewrites.sargable("SELECT 1 FROM tr WHERE substr(code, 1, 3) = 'AB'", "code", null)).as("code is 'AB' itself: not a prefix").isEmpty();
        assertThat(Rewrites.sargable("SELECT 1 FROM tr WHERE substr(code, 2, 2) = 'AB'", "code", null)).as("not the leading part").isEmpty();
        assertThat(Rewrites.sargable("SELECT 1 FROM tr WHERE substr(other, 1, 2) = 'AB'", "code", null)).isEmpty();
    }

    @Test
    void theBoundsAreLiteralsOfTheColumnsType()
    {
        // date_format reads a timestamp with a time zone in UTC, as Iceberg stores it; a bound without a zone is in the session's
        assertThat(Rewrites.sargable("SELECT 1 FROM e WHERE date_format(ts, '%Y-%m-%d') = '2024-03-05'", "ts", "timestamptz"))
                .contains("SELECT 1 FROM e WHERE ts >= TIMESTAMP '2024-03-05 00:00:00 UTC' AND ts < TIMESTAMP '2024-03-06 00:00:00 UTC'");
        // the text of the column's time in a zone, as dashboards in local time write it (met from outside): that zone's day, month or hour
        assertThat(Rewrites.sargable("SELECT count(*) FROM c WHERE date_format(ts AT TIME ZONE 'Europe/Berlin', '%Y-%m-%d') = '2026-12-05'", "ts", "timestamptz"))
                .contains("SELECT count(*) FROM c WHERE ts >= TIMESTAMP '2026-12-05 00:00:00 Europe/Berlin' AND ts < TIMESTAMP '2026-12-06 00:00:00 Europe/Berlin'");
        assertThat(Rewrites.sargable("SELECT 1 FROM c WHERE format_datetime(ts at time zone 'America/New_York', 'yyyy-MM') IN ('2024-01', '2024-03')", "ts", "timestamptz"))
                .hasValueSatisfying(rewritten -> assertThat(rewritten).contains("ts >= TIMESTAMP '2024-01-01 00:00:00 America/New_York' AND ts < TIMESTAMP '2024-02-01 00:00:00 America/New_York'")
                        .contains("ts >= TIMESTAMP '2024-03-01 00:00:00 America/New_York' AND ts < TIMESTAMP '2024-04-01 00:00:00 America/New_York'"));
        assertThat(Rewrites.sargable("SELECT 1 FROM c WHERE date_format(ts AT TIME ZONE 'Asia/Tokyo', '%Y-%m-%d') >= '2024-01-13'", "ts", "timestamptz"))
                .contains("SELECT 1 FROM c WHERE ts >= TIMESTAMP '2024-01-13 00:00:00 Asia/Tokyo'");
        assertThat(Rewrites.sargable("SELECT 1 FROM c WHERE date_format(ts AT TIME ZONE 'Europe/Berlin', '%Y-%m-%d') = '2026-12-05'", "ts", "timestamp"))
                .as("a timestamp without a zone is read in the session's zone").isEmpty();
        assertThat(Rewrites.sargable("SELECT 1 FROM c WHERE date_format(ts AT TIME ZONE 'Mars/Base', '%Y-%m-%d') = '2026-12-05'", "ts", "timestamptz")).isEmpty();
        assertThat(Rewrites.sargable("SELECT 1 FROM e WHERE date(ts) = DATE '2024-03-05'", "ts", "timestamptz_ns"))
                .contains("SELECT 1 FROM e WHERE ts >= TIMESTAMP '2024-03-05 00:00:00 UTC' AND ts < TIMESTAMP '2024-03-06 00:00:00 UTC'");
        assertThat(Rewrites.sargable("SELECT 1 FROM e WHERE date_format(d, '%Y-%m') = '2024-12'", "d", "date"))
                .contains("SELECT 1 FROM e WHERE d >= DATE '2024-12-01' AND d < DATE '2025-01-01'");
        assertThat(Rewrites.sargable("SELECT 1 FROM e WHERE date_format(ts, '%Y-%m') = '2024-12'", "ts", "timestamp"))
                .contains("SELECT 1 FROM e WHERE ts >= TIMESTAMP '2024-12-01 00:00:00' AND ts < TIMESTAMP '2025-01-01 00:00:00'");
    }

    /** Met from outside: a BI tool's filters that Trino 483 leaves above the scan of a table partitioned by day(ts), reading every file. */
    @Test
    void aShiftOfTheColumnMovesToTheConstantSide()
    {
        assertThat(Rewrites.sargable("SELECT count(*) FROM o WHERE date_add('day', 1, ts) >= TIMESTAMP '2024-01-14 00:00:00'", "ts", null))
                .contains("SELECT count(*) FROM o WHERE ts >= date_add('day', -1, TIMESTAMP '2024-01-14 00:00:00')");
        assertThat(Rewrites.sargable("SELECT 1 FROM o WHERE k = 1 AND date_add('hour', -3, \"ts\") < TIMESTAMP '2024-01-02 00:00:00' AND m = 2", "ts", "timestamptz"))
                .contains("SELECT 1 FROM o WHERE k = 1 AND \"ts\" < date_add('hour', 3, TIMESTAMP '2024-01-02 00:00:00') AND m = 2");
        assertThat(Rewrites.sargable("SELECT 1 FROM o e WHERE current_date <= DATE_ADD('day', 7, e.d)", "d", "date"))
                .contains("SELECT 1 FROM o e WHERE date_add('day', -7, current_date) <= e.d");
        assertThat(Rewrites.sargable("SELECT 1 FROM o WHERE ts + INTERVAL '1' DAY >= TIMESTAMP '2024-01-14 00:00:00'", "ts", null))
                .contains("SELECT 1 FROM o WHERE ts >= TIMESTAMP '2024-01-14 00:00:00' - INTERVAL '1' DAY");
        assertThat(Rewrites.sargable("SELECT 1 FROM o WHERE now() > ts - interval '30' minute", "ts", "timestamptz"))
                .contains("SELECT 1 FROM o WHERE now() + INTERVAL '30' MINUTE > ts");
        // the days between a date column and a date, a dashboard's last days (met from outside: all 14 files of a table partitioned by day read, 3 after)
        assertThat(Rewrites.sargable("SELECT count(*) FROM d WHERE date_diff('day', d, DATE '2024-01-14') <= 2", "d", "date"))
                .contains("SELECT count(*) FROM d WHERE d >= date_add('day', -2, DATE '2024-01-14')");
        assertThat(Rewrites.sargable("SELECT 1 FROM d WHERE date_diff('day', DATE '2024-01-03', x.d) < 3 AND k = 1", "d", "date"))
                .contains("SELECT 1 FROM d WHERE x.d < date_add('day', 3, DATE '2024-01-03') AND k = 1");
        assertThat(Rewrites.sargable("SELECT 1 FROM d WHERE DATE_DIFF('day', d, current_date) = 7", "d", "date"))
                .contains("SELECT 1 FROM d WHERE d = date_add('day', -7, current_date)");
        assertThat(Rewrites.shiftedBound("SELECT 1 FROM d WHERE date_diff('day', d, DATE '2024-01-14') <= 2", "d", "date").orElseThrow())
                .isEqualTo(new Rewrites.ShiftedBound(Optional.of(LocalDate.of(2024, 1, 14).atStartOfDay()), Duration.ofDays(-2), ">="));
        // of a timestamp, whole days of milliseconds, and the time of day of current_timestamp: no bound as exact
        assertThat(Rewrites.sargable("SELECT 1 FROM d WHERE date_diff('day', ts, TIMESTAMP '2024-01-14 00:00:00') <= 2", "ts", null)).isEmpty();
        assertThat(Rewrites.sargable("SELECT 1 FROM d WHERE date_diff('day', d, current_timestamp) <= 2", "d", "date")).isEmpty();
        // the column's text against a day's, compared as text (met from outside: all 56 files read, the bare column 8, the same count)
        assertThat(Rewrites.sargable("SELECT count(*) FROM o WHERE CAST(ts AS varchar) > '2024-01-13'", "ts", null))
                .contains("SELECT count(*) FROM o WHERE ts >= TIMESTAMP '2024-01-13 00:00:00'");
        assertThat(Rewrites.sargable("SELECT 1 FROM o WHERE '2024-01-03' >= cast(ts as VARCHAR) AND k = 1", "ts", "timestamptz"))
                .contains("SELECT 1 FROM o WHERE ts < TIMESTAMP '2024-01-03 00:00:00 UTC' AND k = 1");
        assertThat(Rewrites.sargable("SELECT 1 FROM o WHERE CAST(d AS varchar(10)) > '2024-01-13'", "d", "date")).contains("SELECT 1 FROM o WHERE d > DATE '2024-01-13'");
        assertThat(Rewrites.sargable("SELECT 1 FROM o WHERE CAST(d AS varchar) = '2024-01-13'", "d", "date")).contains("SELECT 1 FROM o WHERE d = DATE '2024-01-13'");
        assertThat(Rewrites.sargable("SELECT 1 FROM o WHERE CAST(ts AS varchar) = '2024-01-13'", "ts", null)).as("no timestamp's text is a day's").isEmpty();
        // a day's or a month's formatted text, compared as text: it sorts as the days do (met from outside: 56 files read, the bare column 8)
        assertThat(Rewrites.sargable("SELECT 1 FROM o WHERE format_datetime(ts, 'yyyy-MM-dd') >= '2024-01-13'", "ts", null))
                .contains("SELECT 1 FROM o WHERE ts >= TIMESTAMP '2024-01-13 00:00:00'");
        assertThat(Rewrites.sargable("SELECT 1 FROM o WHERE '2024-01-13' < date_format(\"ts\", '%Y-%m-%d')", "ts", null))
                .contains("SELECT 1 FROM o WHERE \"ts\" >= TIMESTAMP '2024-01-14 00:00:00'");
        assertThat(Rewrites.sargable("SELECT 1 FROM o WHERE date_format(ts, '%Y%m') <= '202402'", "ts", null))
                .contains("SELECT 1 FROM o WHERE ts < TIMESTAMP '2024-03-01 00:00:00'");
        // a month or a year is no fixed length, nor is a day where clocks change: the shift is not undone exactly
        assertThat(Rewrites.sargable("SELECT 1 FROM o WHERE date_add('month', 1, ts) >= TIMESTAMP '2024-03-01 00:00:00'", "ts", null)).isEmpty();
        assertThat(Rewrites.sargable("SELECT 1 FROM o WHERE date_add('day', 1, ts) >= TIMESTAMP '2024-03-01 00:00:00 UTC'", "ts", "timestamptz")).isEmpty();
        assertThat(Rewrites.sargable("SELECT 1 FROM o WHERE ts + INTERVAL '1' MONTH >= TIMESTAMP '2024-03-01 00:00:00'", "ts", null)).isEmpty();
        // another column ending in the name, a sum multiplied, a side that is not a constant: left as written
        assertThat(Rewrites.sargable("SELECT 1 FROM o WHERE event_ts + INTERVAL '1' DAY >= TIMESTAMP '2024-03-01 00:00:00'", "ts", null)).isEmpty();
        assertThat(Rewrites.sargable("SELECT 1 FROM o WHERE TIMESTAMP '2024-03-01 00:00:00' <= ts + INTERVAL '1' DAY * 2", "ts", null)).isEmpty();
        assertThat(Rewrites.sargable("SELECT 1 FROM o WHERE date_add('day', 1, ts) >= shipped", "ts", null)).isEmpty();
    }

    /** Met from outside: Trino 483 unwraps date_trunc of a day, a month or a year compared with a literal, and leaves a week's above the scan. */
    @Test
    void aTruncationEqualToTheStartOfItsUnitBecomesThatUnitsRange()
    {
        assertThat(Rewrites.sargable("SELECT count(*) FROM o WHERE date_trunc('week', ts) = TIMESTAMP '2024-01-08 00:00:00'", "ts", null))
                .contains("SELECT count(*) FROM o WHERE ts >= TIMESTAMP '2024-01-08 00:00:00' AND ts < TIMESTAMP '2024-01-15 00:00:00'");
        assertThat(Rewrites.sargable("SELECT 1 FROM o WHERE DATE_TRUNC('quarter', d) = DATE '2024-10-01'", "d", "date"))
                .contains("SELECT 1 FROM o WHERE d >= DATE '2024-10-01' AND d < DATE '2025-01-01'");
        assertThat(Rewrites.sargable("SELECT 1 FROM o WHERE date_trunc('minute', ts) = TIMESTAMP '2024-01-03 05:07:00.000'", "ts", null))
                .contains("SELECT 1 FROM o WHERE ts >= TIMESTAMP '2024-01-03 05:07:00' AND ts < TIMESTAMP '2024-01-03 05:08:00'");
        assertThat(Rewrites.selected("SELECT 1 FROM o WHERE date_trunc('week', ts) = TIMESTAMP '2024-01-08 00:00:00'", "ts")).contains(Duration.ofDays(7));
        // a Wednesday starts no week: no row's week equals it, and no range says so
        assertThat(Rewrites.sargable("SELECT 1 FROM o WHERE date_trunc('week', ts) = TIMESTAMP '2024-01-10 00:00:00'", "ts", null)).isEmpty();
        // a week of a timestamp with a time zone is truncated in the value's zone, the literal read in the session's
        assertThat(Rewrites.sargable("SELECT 1 FROM o WHERE date_trunc('week', ts) = TIMESTAMP '2024-01-08 00:00:00'", "ts", "timestamptz")).isEmpty();
    }

    /** Met from outside: Trino 483 leaves a BETWEEN of any truncation above the scan (as a LET), reading every file; it unwraps {@code >=} and {@code <}. */
    @Test
    void aTruncationBetweenTwoTimesBecomesTheRangeOfTheUnitsBetween()
    {
        assertThat(Rewrites.sargable("SELECT count(*) FROM o WHERE date_trunc('day', ts) BETWEEN TIMESTAMP '2024-01-03 00:00:00' AND TIMESTAMP '2024-01-05 00:00:00'", "ts", null))
                .contains("SELECT count(*) FROM o WHERE ts >= TIMESTAMP '2024-01-03 00:00:00' AND ts < TIMESTAMP '2024-01-06 00:00:00'");
        // a bound inside a unit: the low one's unit starts before it (its truncation is smaller), the high one's is in
        assertThat(Rewrites.sargable("SELECT 1 FROM o WHERE date_trunc('hour', o.ts) between timestamp '2024-01-03 05:30:00' and timestamp '2024-01-03 07:10:00'", "ts", null))
                .contains("SELECT 1 FROM o WHERE o.ts >= TIMESTAMP '2024-01-03 06:00:00' AND o.ts < TIMESTAMP '2024-01-03 08:00:00'");
        assertThat(Rewrites.sargable("SELECT 1 FROM o WHERE date_trunc('month', d) BETWEEN DATE '2024-01-01' AND DATE '2024-03-01'", "d", "date"))
                .contains("SELECT 1 FROM o WHERE d >= DATE '2024-01-01' AND d < DATE '2024-04-01'");
        assertThat(Rewrites.selected("SELECT 1 FROM o WHERE date_trunc('day', ts) BETWEEN TIMESTAMP '2024-01-03 00:00:00' AND TIMESTAMP '2024-01-05 00:00:00'", "ts"))
                .contains(Duration.ofDays(3));
        // no whole unit between the bounds: no truncation is between them, and no range says so
        assertThat(Rewrites.sargable("SELECT 1 FROM o WHERE date_trunc('day', ts) BETWEEN TIMESTAMP '2024-01-03 05:00:00' AND TIMESTAMP '2024-01-03 07:00:00'", "ts", null)).isEmpty();
    }

    /** Met from outside: Trino 483 leaves both above the scan (a BETWEEN of a function as a LET), reading every file. */
    @Test
    void secondsSinceTheEpochAndDaysBetweenTwoDaysBecomeRangesOfTheBareColumn()
    {
        assertThat(Rewrites.sargable("SELECT count(*) FROM o WHERE to_unixtime(ts) BETWEEN 1704240000 AND 1704326400 AND k = 1", "ts", null))
                .contains("SELECT count(*) FROM o WHERE ts BETWEEN from_unixtime(1704240000) AND from_unixtime(1704326400) AND k = 1");
        assertThat(Rewrites.sargable("SELECT 1 FROM o WHERE to_unixtime(ts) >= 1704240000 AND 1704326400.5 > TO_UNIXTIME(\"ts\")", "ts", "timestamptz"))
                .contains("SELECT 1 FROM o WHERE ts >= from_unixtime(1704240000) AND from_unixtime(1704326400.5) > \"ts\"");
        assertThat(Rewrites.sargable("SELECT 1 FROM o WHERE to_unixtime(ts) >= 1704240000 + 3600", "ts", null)).isEmpty();
        assertThat(Rewrites.sargable("SELECT 1 FROM o WHERE x_1 >= to_unixtime(ts)", "ts", null)).isEmpty();

        assertThat(Rewrites.sargable("SELECT 1 FROM o WHERE date_format(ts, '%Y-%m-%d') BETWEEN '2024-01-03' AND '2024-01-04'", "ts", null))
                .contains("SELECT 1 FROM o WHERE ts >= TIMESTAMP '2024-01-03 00:00:00' AND ts < TIMESTAMP '2024-01-05 00:00:00'");
        assertThat(Rewrites.selected("SELECT 1 FROM o WHERE format_datetime(ts, 'yyyy-MM') between '2024-11' and '2025-01'", "ts"))
                .contains(Duration.ofDays(92));
        assertThat(Rewrites.sargable("SELECT 1 FROM o WHERE date_format(ts, '%Y-%m-%d') BETWEEN '2024-01-04' AND '2024-01-03'", "ts", null))
                .as("no day is between them").isEmpty();
    }

    /** Met from outside: date keys written without dashes read every file as the runbook's example does. */
    @Test
    void aDayOrMonthWithoutDashesIsItsRangeToo()
    {
        assertThat(Rewrites.sargable("SELECT count(*) FROM o WHERE date_format(ts, '%Y%m%d') = '20240103'", "ts", null))
                .contains("SELECT count(*) FROM o WHERE ts >= TIMESTAMP '2024-01-03 00:00:00' AND ts < TIMESTAMP '2024-01-04 00:00:00'");
        assertThat(Rewrites.sargable("SELECT 1 FROM o WHERE format_datetime(ts, 'yyyyMM') BETWEEN '202311' AND '202401'", "ts", null))
                .contains("SELECT 1 FROM o WHERE ts >= TIMESTAMP '2023-11-01 00:00:00' AND ts < TIMESTAMP '2024-02-01 00:00:00'");
        assertThat(Rewrites.sargable("SELECT 1 FROM o WHERE date_format(ts, '%Y%m%d') = '2024-01-03'", "ts", null)).as("a dashed day is no text of that format").isEmpty();
        assertThat(Rewrites.sargable("SELECT 1 FROM o WHERE date_format(ts, '%Y%m%d') = '20240230'", "ts", null)).as("no such day").isEmpty();
    }

    /** Met from outside: Trino 483 unwraps CAST(ts AS date) = a day, not IN a list of days; date_format's neither. Both read all 56 files, the ranges 8. */
    @Test
    void aListOfDaysBecomesTheirRanges()
    {
        assertThat(Rewrites.sargable("SELECT count(*) FROM o WHERE date_format(ts, '%Y-%m-%d') IN ('2024-01-06', '2024-01-03') AND k = 1", "ts", null))
                .contains("SELECT count(*) FROM o WHERE (ts >= TIMESTAMP '2024-01-03 00:00:00' AND ts < TIMESTAMP '2024-01-04 00:00:00' "
                        + "OR ts >= TIMESTAMP '2024-01-06 00:00:00' AND ts < TIMESTAMP '2024-01-07 00:00:00') AND k = 1");
        // consecutive days are one range
        assertThat(Rewrites.sargable("SELECT 1 FROM o WHERE CAST(ts AS date) IN (DATE '2024-01-03', DATE '2024-01-04', DATE '2024-01-03')", "ts", "timestamptz"))
                .contains("SELECT 1 FROM o WHERE ts >= TIMESTAMP '2024-01-03 00:00:00 UTC' AND ts < TIMESTAMP '2024-01-05 00:00:00 UTC'");
        assertThat(Rewrites.sargable("SELECT 1 FROM o WHERE date(d) in (date '2024-02-28', date '2024-03-01')", "d", "date"))
                .contains("SELECT 1 FROM o WHERE (d >= DATE '2024-02-28' AND d < DATE '2024-02-29' OR d >= DATE '2024-03-01' AND d < DATE '2024-03-02')");
        assertThat(Rewrites.selected("SELECT 1 FROM o WHERE date_format(ts, '%Y-%m-%d') IN ('2024-01-03', '2024-01-06', '2024-01-07')", "ts"))
                .contains(Duration.ofDays(3));
        assertThat(Rewrites.sargable("SELECT 1 FROM o WHERE date_format(ts, '%Y%m%d') IN ('20240103')", "ts", null))
                .contains("SELECT 1 FROM o WHERE ts >= TIMESTAMP '2024-01-03 00:00:00' AND ts < TIMESTAMP '2024-01-04 00:00:00'");
        assertThat(Rewrites.sargable("SELECT 1 FROM o WHERE format_datetime(ts, 'yyyy-MM') IN ('2024-01', '2024-03')", "ts", null))
                .contains("SELECT 1 FROM o WHERE (ts >= TIMESTAMP '2024-01-01 00:00:00' AND ts < TIMESTAMP '2024-02-01 00:00:00' "
                        + "OR ts >= TIMESTAMP '2024-03-01 00:00:00' AND ts < TIMESTAMP '2024-04-01 00:00:00')");
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
