package dev.icetune.listener;

import dev.icetune.testing.CapturedRows;
import dev.icetune.testing.TestingEvents;
import dev.icetune.testing.TestingPostgres;
import io.trino.spi.eventlistener.EventListener;
import io.trino.spi.eventlistener.QueryInputMetadata;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** Input that a database would reject or choke on is stored, not fatal. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TestBadInput
{
    private static final int MAX_TEXT = 100_000;

    @TempDir
    static Path temporary;

    private EventListener listener;
    private CapturedRows rows;

    @BeforeAll
    void start()
    {
        String url = TestingPostgres.shared().createDatabase("bad_input");
        rows = new CapturedRows(url);
        listener = new IcetuneEventListenerFactory().create(Map.of(
                "icetune.db.url", url,
                "icetune.db.user", "postgres",
                "icetune.query-text.max-length", String.valueOf(MAX_TEXT),
                "icetune.spool.dir", temporary.toString()), null);
    }

    @AfterAll
    void stop()
    {
        listener.shutdown();
    }

    @Test
    void nulBytesAndLoneSurrogatesAreReplaced()
    {
        listener.queryCompleted(TestingEvents.completed("q_nul", "SELECT 'a\u0000b', '\uD800', '\uDC00x', '\uD83D\uDE00'", List.of()));

        Map<String, Object> row = rows.awaitQuery("q_nul");
        assertThat(row.get("query_text")).isEqualTo("SELECT 'a\uFFFDb', '\uFFFD', '\uFFFDx', '\uD83D\uDE00'");
        assertThat(row).containsEntry("query_text_truncated", false);
    }

    @Test
    void tenMegabyteQueryTextIsCappedAndFlagged()
    {
        String huge = "SELECT * FROM t WHERE id IN (" + "1234567, ".repeat(1_250_000) + "0)";
        assertThat(huge.length()).isGreaterThan(10_000_000);

        listener.queryCompleted(TestingEvents.completed("q_huge", huge, List.of()));

        Map<String, Object> row = rows.awaitQuery("q_huge");
        assertThat((String) row.get("query_text")).hasSize(MAX_TEXT).isEqualTo(huge.substring(0, MAX_TEXT));
        assertThat(row).containsEntry("query_text_truncated", true).containsEntry("query_text_length", huge.length());
        // the pattern is the whole text's: the list collapses, wherever the stored text was cut
        assertThat(row).containsEntry("query_pattern", "select * from t where id in (?)");

        String other = "SELECT * FROM t WHERE id IN (" + "98, ".repeat(2_000_000) + "0)";
        listener.queryCompleted(TestingEvents.completed("q_huge_other", other, List.of()));
        assertThat(rows.awaitQuery("q_huge_other")).containsEntry("query_pattern_hash", row.get("query_pattern_hash"));
    }

    @Test
    void aLongQueryWithParametersHasThePatternOfItsStatement()
    {
        // the Trino JDBC driver sends a query with parameters as EXECUTE IMMEDIATE '<statement>' USING ...; the statement
        // longer than the stored text still gives the pattern
        String statement = "SELECT * FROM t WHERE id = ? AND note IN (" + "'x', ".repeat(MAX_TEXT / 4) + "'y')";
        listener.queryCompleted(TestingEvents.completed("q_long_immediate", "EXECUTE IMMEDIATE '" + statement.replace("'", "''") + "' USING 7", List.of()));

        assertThat(rows.awaitQuery("q_long_immediate")).containsEntry("query_text_truncated", true)
                .containsEntry("query_pattern", "select * from t where id = ? and note in (?)");
    }

    @Test
    void aPatternLongerThanTheStoredTextIsCutAsTheTextIs()
    {
        String wide = "SELECT " + IntStream.range(0, MAX_TEXT / 5).mapToObj(i -> "c" + i).collect(java.util.stream.Collectors.joining(", ")) + " FROM t";
        listener.queryCompleted(TestingEvents.completed("q_wide", wide, List.of()));

        assertThat((String) rows.awaitQuery("q_wide").get("query_pattern")).hasSize(MAX_TEXT).startsWith("select c0, c1, c2");
    }

    @Test
    void thousandsOfInputsAreAllStored()
    {
        List<QueryInputMetadata> inputs = IntStream.range(0, 3000).mapToObj(i -> TestingEvents.icebergInput("t" + i, 1, 10)).toList();

        listener.queryCompleted(TestingEvents.completed("q_inputs", "SELECT 1", inputs));

        assertThat(rows.awaitQuery("q_inputs")).containsEntry("input_count", 3000).containsEntry("files_scanned", 3000L);
        assertThat(rows.count("SELECT count(*) FROM query_inputs WHERE query_id = 'q_inputs'")).isEqualTo(3000);
    }

    @Test
    void otherConnectorsAndAbsentOptionalFieldsAreStoredWithNulls()
    {
        listener.queryCompleted(TestingEvents.completed("q_plain", "SELECT * FROM pg.public.accounts",
                List.of(TestingEvents.plainInput("postgresql", "accounts"), TestingEvents.plainInput("weird-connector", "x"))));

        Map<String, Object> row = rows.awaitQuery("q_plain");
        assertThat(row).containsEntry("source", null).containsEntry("catalog", null).containsEntry("principal", null)
                .containsEntry("files_scanned", null).containsEntry("error_code", null);
        List<Map<String, Object>> inputs = rows.inputs("q_plain");
        assertThat(inputs).hasSize(2);
        assertThat(inputs.get(0)).containsEntry("connector", "postgresql").containsEntry("table_name", "accounts")
                .containsEntry("files_scanned", null).containsEntry("total_data_files", null).containsEntry("partition_fields", null)
                .containsEntry("pruning_ratio", null).containsEntry("bytes_read_from_cache", null);
        assertThat(inputs.get(1)).containsEntry("connector", "weird-connector");
    }

    @Test
    void icebergInfoIsReadThroughReflectionAndSpiMetrics()
    {
        listener.queryCompleted(TestingEvents.completed("q_iceberg", "SELECT 1", List.of(TestingEvents.icebergInput("events", 2, 8))));

        rows.awaitQuery("q_iceberg");
        assertThat(rows.inputs("q_iceberg").getFirst()).containsEntry("snapshot_id", 42L).containsEntry("total_data_files", 8L)
                .containsEntry("total_records", 800L).containsEntry("files_scanned", 2L).containsEntry("pruning_ratio", 0.25)
                .containsEntry("scan_planning_ms", 3.0).containsEntry("file_format", "PARQUET").containsEntry("partition_fields", List.of("ts_day: day"));
    }

    @Test
    void theSameQueryIdTwiceIsStoredOnce()
    {
        var event = TestingEvents.completed("q_twice", "SELECT 2", List.of(TestingEvents.icebergInput("events", 1, 1)));
        listener.queryCompleted(event);
        rows.awaitQuery("q_twice");
        listener.queryCompleted(event);
        listener.queryCompleted(TestingEvents.completed("q_after_twice", "SELECT 3", List.of()));
        rows.awaitQuery("q_after_twice");

        assertThat(rows.count("SELECT count(*) FROM query_logs WHERE query_id = 'q_twice'")).isEqualTo(1);
        assertThat(rows.count("SELECT count(*) FROM query_inputs WHERE query_id = 'q_twice'")).isEqualTo(1);
    }
}
