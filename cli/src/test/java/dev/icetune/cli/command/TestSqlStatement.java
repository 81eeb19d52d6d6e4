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
    void setAndResetSessionSetTheSessionsProperties()
    {
        assertThat(new SqlStatement("SET SESSION query_max_run_time = '10m'", 1, 0).sessionProperty())
                .contains(new SqlStatement.SessionProperty("query_max_run_time", Optional.of("10m")));
        assertThat(new SqlStatement("set session Iceberg.\"Compression_Codec\" = 'it''s'", 1, 0).sessionProperty())
                .contains(new SqlStatement.SessionProperty("iceberg.Compression_Codec", Optional.of("it's")));
        assertThat(new SqlStatement("SET SESSION join_reordering_strategy=NONE", 1, 0).sessionProperty()).map(SqlStatement.SessionProperty::value)
                .contains(Optional.of("NONE"));
        assertThat(new SqlStatement("SET SESSION spill_enabled = true", 1, 0).sessionProperty()).map(SqlStatement.SessionProperty::value).contains(Optional.of("true"));
        assertThat(new SqlStatement("RESET SESSION iceberg.compression_codec", 1, 0).sessionProperty())
                .contains(new SqlStatement.SessionProperty("iceberg.compression_codec", Optional.empty()));
        assertThat(new SqlStatement("SET ROLE admin", 1, 0).sessionProperty()).isEmpty();
        assertThat(new SqlStatement("SELECT 'SET SESSION a = 1'", 1, 0).sessionProperty()).isEmpty();
    }

    @Test
    void trinosPlaceOfAnErrorIsThePlaceInTheScript()
    {
        SqlStatement second = new SqlStatement("SELECT x\nFROM nowhere", 4, 10);
        assertThat(second.placedInScript("line 1:8: Column 'x' cannot be resolved")).isEqualTo("line 4:18: Column 'x' cannot be resolved");
        assertThat(second.placedInScript("line 2:6: Table 'nowhere' does not exist")).isEqualTo("line 5:6: Table 'nowhere' does not exist");
    }
}
