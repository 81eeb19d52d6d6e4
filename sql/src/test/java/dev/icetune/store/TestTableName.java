package dev.icetune.store;

import dev.icetune.testing.TestingPostgres;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TestTableName
{
    /** Names as Trino allows them: plain, with dots, with double quotes, with spaces and letters beyond ASCII. */
    private static final List<TableName> NAMES = List.of(
            new TableName("iceberg", "demo", "events"),
            new TableName("iceberg", "eu.sales", "orders"),
            new TableName("iceberg", "demo", "orders.2024"),
            new TableName("ice.berg", "a.b.c", "d.e"),
            new TableName("iceberg", "demo", "x\"; DROP TABLE y; --"),
            new TableName("iceberg", "sales data", "straße"));

    @Test
    void commonNamesAreWrittenAsTheyAre()
    {
        assertThat(TableName.qualified("iceberg", "demo", "events")).isEqualTo("iceberg.demo.events");
        assertThat(TableName.qualified("iceberg", "sales data", "straße")).isEqualTo("iceberg.sales data.straße");
    }

    @Test
    void aPartWithADotOrAQuoteIsQuotedSoThatTheTextReadsBackIntoTheSameParts()
    {
        assertThat(TableName.qualified("iceberg", "eu.sales", "orders")).isEqualTo("iceberg.\"eu.sales\".orders");
        assertThat(TableName.qualified("iceberg", "demo", "x\"y")).isEqualTo("iceberg.demo.\"x\"\"y\"");
        for (TableName name : NAMES) {
            assertThat(TableName.parse(name.toString())).isEqualTo(name);
        }
    }

    @Test
    void textWrittenBeforeQuotingStillReads()
    {
        // the last part to the end, as a name with a quote was written before: the same table it named then
        assertThat(TableName.parse("iceberg.demo.x\"; DROP TABLE y; --")).isEqualTo(new TableName("iceberg", "demo", "x\"; DROP TABLE y; --"));
        assertThat(TableName.parse("iceberg.eu.sales.orders")).isEqualTo(new TableName("iceberg", "eu", "sales.orders"));
    }

    @Test
    void textThatIsNoTableNameIsRefusedClearly()
    {
        for (String text : List.of("", "events", "demo.events", "iceberg.\"demo.events", "iceberg.\"demo\"x.events")) {
            assertThat(TableName.tryParse(text)).as(text).isEqualTo(Optional.empty());
        }
        assertThatThrownBy(() -> TableName.parse("demo.events")).hasMessage("not a table name as catalog.schema.table: demo.events");
    }

    @Test
    void anUnquotedTextWithMoreDotsCanNameSeveralTables()
    {
        assertThat(TableName.readings("iceberg.demo.events")).containsExactly(new TableName("iceberg", "demo", "events"));
        assertThat(TableName.readings("iceberg.eu.sales.t")).containsExactly(
                new TableName("iceberg", "eu", "sales.t"), new TableName("iceberg", "eu.sales", "t"), new TableName("iceberg.eu", "sales", "t"));
        assertThat(TableName.readings("iceberg.\"eu.sales\".t")).as("quoted: one table").containsExactly(new TableName("iceberg", "eu.sales", "t"));
        assertThat(TableName.readings("events")).isEmpty();
    }

    @Test
    void sqlQuotesEveryPart()
    {
        assertThat(new TableName("iceberg", "eu.sales", "x\"y").sql()).isEqualTo("\"iceberg\".\"eu.sales\".\"x\"\"y\"");
        assertThat(new TableName("iceberg", "eu.sales", "orders").sibling("mv_orders")).isEqualTo(new TableName("iceberg", "eu.sales", "mv_orders"));
    }

    @Test
    void postgresWritesTheColumnsAsJavaWritesTheName()
    {
        Jdbi jdbi = Jdbi.create(TestingPostgres.shared().createDatabase("table_names"), "postgres", "");
        jdbi.useHandle(handle -> {
            handle.execute("CREATE TABLE inputs (catalog text, schema_name text, table_name text)");
            for (TableName name : NAMES) {
                handle.execute("INSERT INTO inputs VALUES (?, ?, ?)", name.catalog(), name.schema(), name.table());
            }
            assertThat(handle.createQuery("SELECT " + TableName.inPostgres("i") + " FROM inputs i").mapTo(String.class).list())
                    .containsExactlyInAnyOrderElementsOf(NAMES.stream().map(TableName::toString).toList());
        });
    }
}
