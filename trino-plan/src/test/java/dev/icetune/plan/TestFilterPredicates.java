package dev.icetune.plan;

import dev.icetune.plan.FilterPredicates.ColumnPredicate;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** Filters as Trino 483 prints them above Iceberg scans (taken from captured plans). */
class TestFilterPredicates
{
    @Test
    void equality()
    {
        assertThat(FilterPredicates.parse("(user_id = bigint '14')"))
                .containsExactly(new ColumnPredicate("user_id", PredicateKind.EQUALITY, null, false, "14", "user_id = bigint '14'", false, true, List.of(), 1));
        assertThat(FilterPredicates.parse("(session_id = varchar 'abc')").getFirst().column()).isEqualTo("session_id");
    }

    @Test
    void aQuotedColumn()
    {
        List<ColumnPredicate> predicates = FilterPredicates.parse("((timestamp(6) '2024-01-05 00:00:00.000000' <= \"event time\") AND (\"event time\" < timestamp(6) "
                + "'2024-01-06 00:00:00.000000') AND (\"a AND (b\" = bigint '3') AND $like(\"the \"\"name\"\"\", LikePattern '[%x]') AND (CAST(\"day of\" AS date) = DATE '2024-01-05'))");
        assertThat(predicates).extracting(ColumnPredicate::column).containsExactly("event time", "event time", "a AND (b", "the \"name\"", "day of");
        assertThat(FilterPredicates.timeSelected(predicates, "event time")).contains(Duration.ofDays(1));
        assertThat(predicates.get(3).leadingWildcard()).isTrue();
        assertThat(predicates.get(4).kind()).isEqualTo(PredicateKind.WRAPPED);
    }

    @Test
    void oneConjunct()
    {
        assertThat(FilterPredicates.isOneConjunct("$like(payload, LikePattern '[%ab AND c]')")).isTrue();
        assertThat(FilterPredicates.isOneConjunct("(($like(payload, LikePattern '[%ab]')) OR (k = integer '3'))")).as("a disjunction is one condition").isTrue();
        assertThat(FilterPredicates.isOneConjunct("($like(payload, LikePattern '[%ab]') AND (v = bigint '3'))")).isFalse();
        assertThat(FilterPredicates.isOneConjunct("(\"a AND (b\" = bigint '3')")).isTrue();
        assertThat(FilterPredicates.isOneConjunct(null)).isFalse();
    }

    @Test
    void temporalRange()
    {
        List<ColumnPredicate> predicates = FilterPredicates.parse(
                "((timestamp(6) '2024-01-05 00:00:00.000000' <= ts) AND (ts < timestamp(6) '2024-01-06 00:00:00.000000'))");
        assertThat(predicates).hasSize(2).allSatisfy(predicate -> {
            assertThat(predicate.column()).isEqualTo("ts");
            assertThat(predicate.kind()).isEqualTo(PredicateKind.RANGE);
            assertThat(predicate.temporal()).isTrue();
        });
    }

    @Test
    void theTimeAFilterSelects()
    {
        List<ColumnPredicate> day = FilterPredicates.parse(
                "((timestamp(6) '2024-01-05 00:00:00.000000' <= ts) AND (ts < timestamp(6) '2024-01-06 00:00:00.000000'))");
        assertThat(day.getFirst().instant()).contains(Instant.parse("2024-01-05T00:00:00Z"));
        assertThat(FilterPredicates.timeSelected(day, "ts")).contains(Duration.ofDays(1));
        assertThat(FilterPredicates.timeSelected(day, "other")).isEmpty();
        // a date bound is a whole day: the 7th included ends on the 8th, after the 1st starts on the 2nd, one date is its day
        assertThat(FilterPredicates.timeSelected(FilterPredicates.parse("(ts >= DATE '2024-01-01') AND (ts <= DATE '2024-01-07')"), "ts"))
                .contains(Duration.ofDays(7));
        assertThat(FilterPredicates.timeSelected(FilterPredicates.parse("((date '2024-01-01' < d) AND (d < date '2024-01-07'))"), "d"))
                .contains(Duration.ofDays(5));
        assertThat(FilterPredicates.parse("((date '2024-01-01' < d) AND (d < date '2024-01-07'))").getFirst().lowerBound()).contains(Instant.parse("2024-01-02T00:00:00Z"));
        List<ColumnPredicate> oneDate = FilterPredicates.parse("(orderdate = date '1995-01-01')");
        assertThat(oneDate.getFirst().kind()).isEqualTo(PredicateKind.RANGE);
        assertThat(oneDate.getFirst().days()).containsExactly(Instant.parse("1995-01-01T00:00:00Z"));
        assertThat(FilterPredicates.parse("(orderdate >= date '1995-01-01')").getFirst().days()).isEmpty();
        assertThat(oneDate.getFirst().lowerBound()).contains(Instant.parse("1995-01-01T00:00:00Z"));
        assertThat(FilterPredicates.timeSelected(oneDate, "orderdate")).contains(Duration.ofDays(1));
        assertThat(FilterPredicates.timeSelected(FilterPredicates.parse("((date '1995-01-01' <= orderdate) AND (orderdate <= date '1995-01-02'))"), "orderdate"))
                .as("IN of two consecutive dates, as Trino prints it").contains(Duration.ofDays(2));
        // dates listed (this Monday and the two before, as Trino prints the IN: in order) select their days, from the first
        List<ColumnPredicate> mondays = FilterPredicates.parse("(sale_date IN (date '2024-02-19', date '2024-02-05', date '2024-02-12', date '2024-02-19'))");
        assertThat(mondays.getFirst().kind()).isEqualTo(PredicateKind.RANGE);
        assertThat(mondays.getFirst().namesDays()).isTrue();
        assertThat(mondays.getFirst().days()).hasSize(3);
        assertThat(mondays.getFirst().lowerBound()).contains(Instant.parse("2024-02-05T00:00:00Z"));
        assertThat(FilterPredicates.timeSelected(mondays, "sale_date")).as("three days, not the 15 from the first to the last").contains(Duration.ofDays(3));
        assertThat(FilterPredicates.parse("(ts IN (timestamp(6) '2024-02-05 10:00:00.000000', timestamp(6) '2024-02-06 10:00:00.000000'))").getFirst().kind())
                .as("instants listed are values").isEqualTo(PredicateKind.EQUALITY);
        assertThat(FilterPredicates.parse("(id IN (bigint '1', bigint '7'))").getFirst().kind()).isEqualTo(PredicateKind.EQUALITY);
        // a timestamp's bounds are instants, and one instant no range
        assertThat(FilterPredicates.timeSelected(FilterPredicates.parse(
                "((timestamp(6) '2024-01-05 00:00:00.000000' <= ts) AND (ts <= timestamp(6) '2024-01-06 00:00:00.000000'))"), "ts")).contains(Duration.ofDays(1));
        assertThat(FilterPredicates.parse("(ts = timestamp(6) '2024-01-05 00:00:00.000000')").getFirst().kind()).isEqualTo(PredicateKind.EQUALITY);
        assertThat(FilterPredicates.timeSelected(FilterPredicates.parse("(ts >= timestamp(6) '2024-01-05 00:00:00.000000')"), "ts"))
                .as("one side only: open-ended").isEmpty();
        assertThat(FilterPredicates.timeSelected(FilterPredicates.parse("(date_format(ts, varchar(8) '%Y-%m-%d') = varchar(10) '2024-01-15')"), "ts"))
                .contains(Duration.ofDays(1));
        assertThat(FilterPredicates.timeSelected(FilterPredicates.parse("(date_format(ts, varchar(11) '%Y-%m-%d %H') = varchar(13) '2024-01-15 10')"), "ts"))
                .contains(Duration.ofHours(1));
        assertThat(FilterPredicates.timeSelected(FilterPredicates.parse("(CAST(ts AS date) = DATE '2024-01-15')"), "ts")).contains(Duration.ofDays(1));
        // format_datetime's format is Joda's, as Trino 483 prints it: MM months, mm minutes
        assertThat(FilterPredicates.timeSelected(FilterPredicates.parse("(format_datetime(order_ts, varchar(10) 'yyyy-MM-dd') = varchar '2024-01-04')"), "order_ts"))
                .contains(Duration.ofDays(1));
        assertThat(FilterPredicates.timeSelected(FilterPredicates.parse("(format_datetime(ts, varchar(13) 'yyyy-MM-dd HH') = varchar '2024-01-04 10')"), "ts"))
                .contains(Duration.ofHours(1));
        assertThat(FilterPredicates.timeSelected(FilterPredicates.parse("(format_datetime(ts, varchar(7) 'yyyy-MM') = varchar '2024-01')"), "ts"))
                .contains(Duration.ofDays(31));
        assertThat(FilterPredicates.timeSelected(FilterPredicates.parse("(format_datetime(ts, varchar(5) 'MM-dd') = varchar '01-04')"), "ts"))
                .as("a day of every year: no one span").isEmpty();
        assertThat(FilterPredicates.parse("(user_id = bigint '14')").getFirst().instant()).isEmpty();
    }

    @Test
    void whereTheValuesAFilterSelectsStart()
    {
        Instant fifth = Instant.parse("2024-01-05T00:00:00Z");
        assertThat(FilterPredicates.parse("((timestamp(6) '2024-01-05 00:00:00.000000' <= ts) AND (ts < timestamp(6) '2024-01-06 00:00:00.000000'))"))
                .extracting(ColumnPredicate::lowerBound).containsExactly(Optional.of(fifth), Optional.empty());
        assertThat(FilterPredicates.parse("(ts >= timestamp(6) '2024-01-05 00:00:00.000000')").getFirst().lowerBound()).contains(fifth);
        assertThat(FilterPredicates.parse("(ts > DATE '2024-01-05')").getFirst().lowerBound()).as("after the 5th: the 6th on").contains(fifth.plus(Duration.ofDays(1)));
        assertThat(FilterPredicates.parse("(ts < timestamp(6) '2024-01-05 00:00:00.000000')").getFirst().lowerBound()).as("an upper bound alone").isEmpty();
        assertThat(FilterPredicates.parse("(DATE '2024-01-05' >= ts)").getFirst().lowerBound()).as("an upper bound, the literal first").isEmpty();
        assertThat(FilterPredicates.parse("(DATE '2024-01-05' <= ts)").getFirst().lowerBound()).contains(fifth);
        assertThat(FilterPredicates.parse("(DATE '2024-01-05' < ts)").getFirst().lowerBound()).contains(fifth.plus(Duration.ofDays(1)));
        // a timestamp with time zone in the zone it names, as Trino prints it (met from outside: a New York day read as UTC's)
        assertThat(FilterPredicates.parse("(timestamp(6) with time zone '2024-01-05 00:00:00.000000 America/New_York' <= placed_at)").getFirst().lowerBound())
                .contains(Instant.parse("2024-01-05T05:00:00Z"));
        assertThat(FilterPredicates.parse("(placed_at >= timestamp(3) with time zone '2024-01-05 00:00:00.000 +05:30')").getFirst().lowerBound())
                .contains(Instant.parse("2024-01-04T18:30:00Z"));
        assertThat(FilterPredicates.parse("(placed_at >= timestamp(6) with time zone '2024-01-05 00:00:00.000000 UTC')").getFirst().lowerBound()).contains(fifth);
        assertThat(FilterPredicates.parse("(placed_at >= timestamp(6) with time zone '2024-01-05 00:00:00.000000 Mars/Olympus')").getFirst().lowerBound())
                .as("a zone Java does not know: no bound").isEmpty();
    }

    @Test
    void functionAroundTheColumn()
    {
        ColumnPredicate predicate = FilterPredicates.parse("(date_format(ts, varchar(8) '%Y-%m-%d') = varchar(10) '2024-01-15')").getFirst();
        assertThat(predicate.column()).isEqualTo("ts");
        assertThat(predicate.kind()).isEqualTo(PredicateKind.WRAPPED);
        assertThat(predicate.function()).isEqualTo("date_format");
        assertThat(FilterPredicates.parse("(CAST(ts AS date) = DATE '2024-01-15')").getFirst().function()).isEqualTo("cast");
        // date_format of a date: Trino casts the date to a timestamp first, the column is still the date
        ColumnPredicate ofDate = FilterPredicates.parse("(date_format(CAST(d AS timestamp(0)), varchar(5) '%Y-%m') = varchar '2024-01')").getFirst();
        assertThat(ofDate.column()).isEqualTo("d");
        assertThat(ofDate.function()).isEqualTo("date_format");
        assertThat(ofDate.granularity()).contains(java.time.Duration.ofDays(31));
    }

    /**
     * Met from outside, as Trino 483 prints a BI tool's filters it cannot push into the scan: the column is not always a function's first
     * argument, and a unit or a format before it is no column ({@code varchar} was read as one).
     */
    @Test
    void aColumnInAnyArgumentAmongLiterals()
    {
        assertWrapped("(timestamp(6) '2024-01-14 00:00:00.000000' <= date_add(varchar(3) 'day', bigint '1', ts))", "ts", "date_add");
        assertWrapped("(date_diff(varchar(3) 'day', ts, timestamp(6) '2024-01-14 00:00:00.000000') <= bigint '1')", "ts", "date_diff");
        assertWrapped("(date_diff(varchar(3) 'day', CAST(ts AS timestamp(6) with time zone), timestamp(6) with time zone '2026-12-05 11:04:50.268000 UTC') <= bigint '7')",
                "ts", "date_diff");
        assertWrapped("(date_trunc(varchar(4) 'week', ts) = timestamp(6) '2024-01-08 00:00:00.000000')", "ts", "date_trunc");
        assertWrapped("(timestamp(6) '2024-01-14 00:00:00.000000' <= $operator$add(ts, interval day to second '1 00:00:00.000'))", "ts", "add");
        assertWrapped("(lower(trim(\"Name\")) = varchar 'smith')", "Name", "lower");
        // two columns, or one in an expression that is not a call: no one column to compare bare
        assertThat(FilterPredicates.parse("(concat(first_name, last_name) = varchar 'ab')")).isEmpty();
        assertThat(FilterPredicates.parse("(date_diff(varchar(3) 'day', created, shipped) > bigint '3')")).isEmpty();
    }

    /** Met from outside: Trino 483 writes a BETWEEN over an expression as a LET that computes it once; its predicates were not read. */
    @Test
    void aLetIsReadAsItsBodyWithItsNamesWrittenOut()
    {
        List<ColumnPredicate> formatted = FilterPredicates.parse(
                "LET(between::[varchar] = date_format(ts, varchar(8) '%Y-%m-%d'), ((varchar '2024-01-03' <= between) AND (between <= varchar '2024-01-04')))");
        assertThat(formatted).hasSize(2).allSatisfy(predicate -> {
            assertThat(predicate.column()).isEqualTo("ts");
            assertThat(predicate.kind()).isEqualTo(PredicateKind.WRAPPED);
            assertThat(predicate.function()).isEqualTo("date_format");
        });
        assertThat(formatted.getFirst().literal()).isEqualTo("2024-01-03");

        // two of them in one filter, and a literal that holds the name: left as written
        List<ColumnPredicate> two = FilterPredicates.parse("(LET(between::[double] = to_unixtime(CAST(ts AS timestamp(6) with time zone)), "
                + "((double '1.70424E9' <= between) AND (between <= double '1.7043264E9'))) AND LET(between_0::[bigint] = day_of_week(ts), "
                + "((bigint '2' <= between_0) AND (between_0 <= bigint '4'))) AND (status = varchar 'between'))");
        assertThat(two).extracting(ColumnPredicate::function).containsExactly("to_unixtime", "to_unixtime", "day_of_week", "day_of_week", null);
        assertThat(two.getLast().literal()).isEqualTo("between");
        assertThat(FilterPredicates.parse("(note = varchar 'LET(x') AND LET(between::[varchar] = lower(name), ((varchar 'a' <= between) AND (between <= varchar 'b')))"))
                .as("a LET's text in a literal, then a LET").extracting(ColumnPredicate::column).containsExactly("note", "name", "name");
        // seconds since the epoch bound a time as a timestamp does: a day
        assertThat(FilterPredicates.timeSelected(two, "ts")).contains(Duration.ofDays(1));
        assertThat(FilterPredicates.parse("LET(x::[bigint] = day_of_week(ts)")).isEmpty();
    }

    /** Met from outside: a literal of 4,000 characters overflowed the stack of the evaluation reading it, which failed at every try. */
    @Test
    void aLongLiteralIsReadAndDeeplyNestedFunctionsAreLeftUnread()
    {
        String literal = "y".repeat(200_000);
        ColumnPredicate predicate = FilterPredicates.parse("(lower(status) = varchar '" + literal + "')").getFirst();
        assertThat(predicate.kind()).isEqualTo(PredicateKind.WRAPPED);
        assertThat(predicate.literal()).isEqualTo(literal);
        assertThat(FilterPredicates.parse("starts_with(name, varchar '" + literal + "')").getFirst().kind()).isEqualTo(PredicateKind.LIKE);

        String nested = "lower(".repeat(20_000) + "name" + ")".repeat(20_000);
        assertThat(FilterPredicates.parse("(" + nested + " = varchar 'x') AND (id = bigint '7')")).extracting(ColumnPredicate::column).containsExactly("id");
        assertThat(FilterPredicates.parse("(lower(trim(lower(name))) = varchar 'x')").getFirst().column()).isEqualTo("name");
    }

    private static void assertWrapped(String filter, String column, String function)
    {
        ColumnPredicate predicate = FilterPredicates.parse(filter).getFirst();
        assertThat(predicate.column()).isEqualTo(column);
        assertThat(predicate.kind()).isEqualTo(PredicateKind.WRAPPED);
        assertThat(predicate.function()).isEqualTo(function);
    }

    /** Met from outside: a dashboard's day written as the leading part of the timestamp's text, as Trino 483 prints each filter. */
    @Test
    void aLeadingPartOfATimestampsTextSelectsItsYearMonthDayOrHour()
    {
        ColumnPredicate substring = FilterPredicates.parse("(substring(CAST(ts AS varchar), bigint '1', bigint '10') = varchar '2024-01-02')").getFirst();
        assertThat(substring.column()).isEqualTo("ts");
        assertThat(substring.kind()).isEqualTo(PredicateKind.WRAPPED);
        assertThat(substring.function()).isEqualTo("substring");
        assertThat(substring.granularity()).contains(Duration.ofDays(1));
        assertThat(FilterPredicates.parse("(substring(CAST(ts AS varchar), bigint '1', bigint '7') = varchar '2024-01')").getFirst().granularity())
                .contains(Duration.ofDays(31));
        assertThat(FilterPredicates.parse("(substring(CAST(ts AS varchar), bigint '1', bigint '13') = varchar '2024-01-03 05')").getFirst().granularity())
                .contains(Duration.ofHours(1));
        assertThat(FilterPredicates.parse("(substring(CAST(ts AS varchar), bigint '6', bigint '2') = varchar '01')").getFirst().granularity())
                .as("January of every year").isEmpty();
        assertThat(FilterPredicates.parse("(substring(CAST(ts AS varchar), bigint '1', bigint '10') = varchar '2024-01')").getFirst().granularity())
                .as("ten characters are never seven: nothing selected").isEmpty();

        ColumnPredicate like = FilterPredicates.parse("$like(CAST(ts AS varchar), LikePattern '[2024-01-03%]')").getFirst();
        assertThat(like.column()).isEqualTo("ts");
        assertThat(like.kind()).isEqualTo(PredicateKind.WRAPPED);
        assertThat(like.function()).isEqualTo("cast");
        assertThat(like.granularity()).contains(Duration.ofDays(1));
        assertThat(FilterPredicates.parse("$like(CAST(ts AS varchar), LikePattern '[2024-%-03%]')").getFirst().granularity()).isEmpty();
        ColumnPredicate startsWith = FilterPredicates.parse("starts_with(CAST(ts AS varchar), varchar(7) '2024-01')").getFirst();
        assertThat(startsWith.kind()).isEqualTo(PredicateKind.WRAPPED);
        assertThat(startsWith.granularity()).contains(Duration.ofDays(31));
        assertThat(FilterPredicates.parse("(CAST(ts AS varchar) = varchar '2024-01-03 00:00:00.000000')").getFirst().granularity())
                .as("one instant, no span").isEmpty();

        // on a bare column, starts_with is a LIKE of the prefix; a LIKE on a function of the column is a wrapped one
        ColumnPredicate prefix = FilterPredicates.parse("starts_with(name, varchar(3) 'smi')").getFirst();
        assertThat(prefix.kind()).isEqualTo(PredicateKind.LIKE);
        assertThat(prefix.literal()).isEqualTo("smi%");
        assertThat(prefix.leadingWildcard()).isFalse();
        ColumnPredicate lower = FilterPredicates.parse("$like(lower(name), LikePattern '[smi%]')").getFirst();
        assertThat(lower.kind()).isEqualTo(PredicateKind.WRAPPED);
        assertThat(lower.function()).isEqualTo("lower");
        assertThat(lower.granularity()).isEmpty();
    }

    @Test
    void likeWithALeadingWildcard()
    {
        ColumnPredicate like = FilterPredicates.parse("$like(name, LikePattern '[%smith]')").getFirst();
        assertThat(like.column()).isEqualTo("name");
        assertThat(like.kind()).isEqualTo(PredicateKind.LIKE);
        assertThat(like.literal()).isEqualTo("%smith");
        assertThat(like.leadingWildcard()).isTrue();
        assertThat(FilterPredicates.parse("$like(name, LikePattern '[smith%]')").getFirst().leadingWildcard()).isFalse();
    }

    @Test
    void whatItCannotReadIsSkipped()
    {
        assertThat(FilterPredicates.parse(null)).isEmpty();
        assertThat(FilterPredicates.parse("")).isEmpty();
        assertThat(FilterPredicates.parse("(a = b)")).isEmpty();
        assertThat(FilterPredicates.parse("random ((( text")).isEmpty();
    }

    @Test
    void aFilterIsKeptWithinALengthAsTheConjunctsThatFit()
    {
        // the list of ids alone is longer than 84
        String filter = "((user_id IN (bigint '1', bigint '2', bigint '3', bigint '4', bigint '5', bigint '6', bigint '7', bigint '8')) AND (ts >= timestamp(6) '2024-01-05 00:00:00.000000')) AND (event_type = varchar 'click')";
        assertThat(FilterPredicates.within(filter, filter.length())).isSameAs(filter);
        assertThat(FilterPredicates.within(filter, 84)).isEqualTo("(ts >= timestamp(6) '2024-01-05 00:00:00.000000') AND (event_type = varchar 'click')");
        assertThat(FilterPredicates.within(filter, 83)).isEqualTo("(ts >= timestamp(6) '2024-01-05 00:00:00.000000')");
        assertThat(FilterPredicates.within(filter, 30)).isEqualTo("(event_type = varchar 'click')");
        // nothing fits: still a filter (a lookup of 20,000 ids is no full scan), read as no predicate
        assertThat(FilterPredicates.within(filter, 10)).isEqualTo(FilterPredicates.NOT_KEPT);
        assertThat(FilterPredicates.parse(FilterPredicates.NOT_KEPT)).isEmpty();
        assertThat(FilterPredicates.within(null, 10)).isNull();
    }

    /** An IN compares its column with as many values as it lists; an equality with one; the days a list of dates names count too. */
    @Test
    void aPredicateCountsTheValuesItCompares()
    {
        assertThat(FilterPredicates.parse("(account_id IN (varchar 'a', varchar 'b, c', varchar 'd'))")).singleElement()
                .satisfies(in -> assertThat(in.kind()).isEqualTo(PredicateKind.EQUALITY)).extracting(ColumnPredicate::values).isEqualTo(3);
        assertThat(FilterPredicates.parse("(account_id = varchar 'a, b')")).singleElement().extracting(ColumnPredicate::values).isEqualTo(1);
        assertThat(FilterPredicates.parse("(d IN (date '2024-01-01', date '2024-01-08'))")).singleElement().extracting(ColumnPredicate::values).isEqualTo(2);
    }
}
