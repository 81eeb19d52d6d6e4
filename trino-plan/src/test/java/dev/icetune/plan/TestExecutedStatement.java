package dev.icetune.plan;

import dev.icetune.plan.ExecutedStatement.Immediate;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static dev.icetune.plan.ExecutedStatement.immediate;
import static dev.icetune.plan.ExecutedStatement.isExecute;
import static dev.icetune.plan.ExecutedStatement.runnable;
import static org.assertj.core.api.Assertions.assertThat;

class TestExecutedStatement
{
    @Test
    void anExecuteImmediateHoldsItsStatementAndParameters()
    {
        // as the Trino JDBC driver writes it: the statement's quotes doubled, each value a literal of its type
        assertThat(immediate("EXECUTE IMMEDIATE 'SELECT * FROM t WHERE id = ? AND name = ? AND note = ''it''''s''' USING BIGINT '7', 'O''Brien'"))
                .contains(new Immediate("SELECT * FROM t WHERE id = ? AND name = ? AND note = 'it''s'", List.of("BIGINT '7'", "'O''Brien'")));
        assertThat(immediate(" /* app */ execute\n  Immediate -- why\n'SELECT 1' USING f(1, 2), ARRAY[3, 4], ')';"))
                .contains(new Immediate("SELECT 1", List.of("f(1, 2)", "ARRAY[3, 4]", "')'")));
        assertThat(immediate("EXECUTE IMMEDIATE 'SELECT 1'")).contains(new Immediate("SELECT 1", List.of()));
    }

    @Test
    void theBoundStatementIsTheQueryThatRan()
    {
        assertThat(immediate("EXECUTE IMMEDIATE 'SELECT * FROM t WHERE id = ? AND name = ?' USING BIGINT '7', 'O''Brien'").flatMap(Immediate::bound))
                .contains("SELECT * FROM t WHERE id = BIGINT '7' AND name = 'O''Brien'");
        // a ? inside a literal, an identifier or a comment is not a parameter
        assertThat(new Immediate("SELECT '?', \"a?\" /* ? */, x -- ?\n FROM t WHERE y = ?", List.of("1")).bound())
                .contains("SELECT '?', \"a?\" /* ? */, x -- ?\n FROM t WHERE y = 1");
        // as many values as parameters, or nothing to bind
        assertThat(new Immediate("SELECT ?, ?", List.of("1")).bound()).isEmpty();
        assertThat(new Immediate("SELECT ?", List.of("1", "2")).bound()).isEmpty();
        assertThat(new Immediate("SELECT 1", List.of()).bound()).contains("SELECT 1");
    }

    @Test
    void aQueryTextRunsOnItsOwnUnlessItExecutesAPreparedStatement()
    {
        assertThat(runnable("SELECT count(*) FROM t")).contains("SELECT count(*) FROM t");
        assertThat(runnable("EXECUTE IMMEDIATE 'SELECT count(*) FROM t WHERE d = ?' USING DATE '2024-01-15'")).contains("SELECT count(*) FROM t WHERE d = DATE '2024-01-15'");
        assertThat(runnable("EXECUTE IMMEDIATE 'SELECT ?, ?' USING 1")).isEmpty();
        assertThat(runnable("EXECUTE statement1 USING 7")).isEmpty();
        assertThat(runnable(null)).isEmpty();
    }

    /** An EXECUTE of a statement prepared by name runs that statement (Trino's, kept beside the text) with the text's values. */
    @Test
    void anExecuteOfAStatementPreparedByNameRunsItWithItsValues()
    {
        String statement = "SELECT count(*) FROM t WHERE date_format(ts, '%Y-%m-%d') = ? AND code = ?";
        assertThat(runnable("EXECUTE statement1 USING '2024-01-15', 'a,b'", statement))
                .contains("SELECT count(*) FROM t WHERE date_format(ts, '%Y-%m-%d') = '2024-01-15' AND code = 'a,b'");
        assertThat(runnable("execute \"my statement\" using 7, 8", "SELECT ? + ?")).contains("SELECT 7 + 8");
        assertThat(runnable("EXECUTE dash", "SELECT 1")).contains("SELECT 1");
        assertThat(runnable("EXECUTE dash USING 1", "SELECT 1")).as("more values than parameters").isEmpty();
        assertThat(runnable("EXECUTE dash USING 1", null)).as("the statement not known").isEmpty();
        assertThat(runnable("EXECUTE dash USING 'it''s', 'cut o", "SELECT ?, ?")).as("the text cut off in a value").isEmpty();
        assertThat(runnable("EXECUTE dash USING 'it''s'", "SELECT ?")).contains("SELECT 'it''s'");
        assertThat(runnable("EXECUTE IMMEDIATE 'SELECT ?' USING 2", "SELECT ?")).as("the text holds its statement").contains("SELECT 2");
        assertThat(runnable("SELECT 3", "SELECT 4")).contains("SELECT 3");
    }

    @Test
    void anythingElseIsNotAnExecuteImmediate()
    {
        for (String text : List.of("SELECT 'EXECUTE IMMEDIATE ''x'''", "EXECUTE IMMEDIATE 'SELECT ''cut", "EXECUTE IMMEDIATE 'SELECT ''", "EXECUTE immediately",
                "EXECUTE IMMEDIATEX 'SELECT 1'", "EXECUTE IMMEDIATE", "EXECUTE statement1 USING 7", "EXECUTE", "", "  ", "/* open", "-- only a comment")) {
            assertThat(immediate(text)).as(text).isEqualTo(Optional.empty());
        }
        assertThat(isExecute("EXECUTE statement1 USING 7")).isTrue();
        assertThat(isExecute("  execute IMMEDIATE 'SELECT 1'")).isTrue();
        assertThat(isExecute("SELECT execute FROM t")).isFalse();
        assertThat(isExecute("executed")).isFalse();
    }

    @Test
    void commentsAreTakenOutNotQuotedText()
    {
        assertThat(ExecutedStatement.withoutComments("-- Metabase:: userID: 1 it's the card\nSELECT '--not', \"a/*b\" FROM t /* old: x = '1' */WHERE x = 2 -- today\n"))
                .isEqualTo("SELECT '--not', \"a/*b\" FROM t  WHERE x = 2");
        assertThat(ExecutedStatement.withoutComments("SELECT 1 -- to the end")).isEqualTo("SELECT 1");
        assertThat(ExecutedStatement.withoutComments("SELECT 1 /* never closed")).isEqualTo("SELECT 1");
        assertThat(ExecutedStatement.withoutComments("SELECT 'it''s -- here'")).isEqualTo("SELECT 'it''s -- here'");
        assertThat(ExecutedStatement.withoutComments(null)).isNull();
    }
}
