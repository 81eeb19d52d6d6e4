package dev.icetune.rules;

import dev.icetune.rules.evidence.PredicateParser;
import dev.icetune.rules.evidence.PredicateParser.ColumnPredicate;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Filters as Trino 483 prints them above Iceberg scans (taken from captured plans). */
class TestPredicateParser
{
    @Test
    void equality()
    {
        assertThat(PredicateParser.parse("(user_id = bigint '14')"))
                .containsExactly(new ColumnPredicate("user_id", "EQUALITY", null, false, "14", "user_id = bigint '14'"));
        assertThat(PredicateParser.parse("(session_id = varchar 'abc')").getFirst().column()).isEqualTo("session_id");
    }

    @Test
    void temporalRange()
    {
        List<ColumnPredicate> predicates = PredicateParser.parse(
                "((timestamp(6) '2024-01-05 00:00:00.000000' <= ts) AND (ts < timestamp(6) '2024-01-06 00:00:00.000000'))");
        assertThat(predicates).hasSize(2).allSatisfy(predicate -> {
            assertThat(predicate.column()).isEqualTo("ts");
            assertThat(predicate.kind()).isEqualTo("RANGE");
            assertThat(predicate.temporal()).isTrue();
        });
    }

    @Test
    void functionAroundTheColumn()
    {
        ColumnPredicate predicate = PredicateParser.parse("(date_format(ts, varchar(8) '%Y-%m-%d') = varchar(10) '2024-01-15')").getFirst();
        assertThat(predicate.column()).isEqualTo("ts");
        assertThat(predicate.kind()).isEqualTo("WRAPPED");
        assertThat(predicate.function()).isEqualTo("date_format");
        assertThat(PredicateParser.parse("(CAST(ts AS date) = DATE '2024-01-15')").getFirst().function()).isEqualTo("cast");
    }

    @Test
    void whatItCannotReadIsSkipped()
    {
        assertThat(PredicateParser.parse(null)).isEmpty();
        assertThat(PredicateParser.parse("")).isEmpty();
        assertThat(PredicateParser.parse("(a = b)")).isEmpty();
        assertThat(PredicateParser.parse("random ((( text")).isEmpty();
    }
}
