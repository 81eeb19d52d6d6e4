package dev.icetune.cli.command;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class TestSqlStatement
{
    @Test
    void aScriptSplitsAtTheSemicolonsThatEndStatementsOnly()
    {
        String script = """
                -- the daily report; two queries
                USE iceberg.sales;
                SELECT count(*) FROM orders WHERE status = 'a;b';

                /* by region; then ids */
                SELECT "odd;name" FROM t; SELECT 2 -- last; no semicolon
                ;;
                """;
        assertThat(SqlStatement.split(script)).containsExactly(
                new SqlStatement("USE iceberg.sales", 2, 0),
                new SqlStatement("SELECT count(*) FROM orders WHERE status = 'a;b'", 3, 0),
                new SqlStatement("SELECT \"odd;name\" FROM t", 6, 0),
                new SqlStatement("SELECT 2", 6, 26));
        assertThat(SqlStatement.split("SELECT 1")).containsExactly(new SqlStatement("SELECT 1", 1, 0));
        assertThat(SqlStatement.split("-- nothing but a comment;\n ; ")).isEmpty();
    }

    @Test
    void useSetsTheSchemaAndMaybeTheCatalog()
    {
        assertThat(new SqlStatement("USE sales", 1, 0).use()).contains(new SqlStatement.Use(Optional.empty(), "sales"));
        assertThat(new SqlStatement("use Iceberg . \"Sales \"\"EU\"\"\"", 1, 0).use()).contains(new SqlStatement.Use(Optional.of("iceberg"), "Sales \"EU\""));
        assertThat(new SqlStatement("SELECT * FROM use_me", 1, 0).use()).isEmpty();
    }

    @Test
    void trinosPlaceOfAnErrorIsThePlaceInTheScript()
    {
        SqlStatement second = new SqlStatement("SELECT x\nFROM nowhere", 4, 10);
        assertThat(second.placedInScript("line 1:8: Column 'x' cannot be resolved")).isEqualTo("line 4:18: Column 'x' cannot be resolved");
        assertThat(second.placedInScript("line 2:6: Table 'nowhere' does not exist")).isEqualTo("line 5:6: Table 'nowhere' does not exist");
    }
}
