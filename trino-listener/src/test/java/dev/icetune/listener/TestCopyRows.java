package dev.icetune.listener;

import dev.icetune.testing.CapturedRows;
import dev.icetune.testing.TestingPostgres;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;

import java.io.ByteArrayInputStream;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The binary COPY encoding, read back by a real PostgreSQL. */
class TestCopyRows
{
    @Test
    void everyTypeRoundTrips()
            throws Exception
    {
        String url = TestingPostgres.shared().createDatabase("copy_rows");
        CopyRows rows = new CopyRows(16);
        rows.text("a\tb\nc\\d 'é' \uD83D\uDE00").number(42).number(1L << 40).number(0.25).bool(true)
                .timestamp(Instant.parse("2024-01-05T09:03:07.123456789Z")).array(Arrays.asList("ts_day: day", "a\"b", null)).array(List.of());
        rows.endRow();
        rows.text(null).number(null).number(null).number(null).bool(false).timestamp(Instant.parse("1969-12-31T23:59:59Z")).array(null).array(null);
        rows.endRow();
        // ASCII and not, mixed in one array, and elements past the buffer's size
        String longText = "x".repeat(70) + "é" + "y".repeat(5000);
        rows.text("ascii then ü").number(-1).number(0L).number(-0.5).bool(null).timestamp(null)
                .array(Arrays.asList("day", null, "naïve", longText, "")).array(List.of(longText));
        rows.endRow();

        try (Connection connection = DriverManager.getConnection(url, "postgres", "");
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE t (s text, i integer, l bigint, d double precision, b boolean, ts timestamptz, a text[], e text[])");
            connection.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY t FROM STDIN (FORMAT binary)", rows.data().stream());
        }
        List<Map<String, Object>> stored = new CapturedRows(url).query(
                "SELECT s, i, l, d, b, to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') AS ts, a, e FROM t ORDER BY b DESC NULLS LAST");
        assertThat(stored.get(0)).containsEntry("s", "a\tb\nc\\d 'é' \uD83D\uDE00").containsEntry("i", 42).containsEntry("l", 1L << 40)
                .containsEntry("d", 0.25).containsEntry("b", true).containsEntry("ts", "2024-01-05 09:03:07.123456")
                .containsEntry("a", Arrays.asList("ts_day: day", "a\"b", null)).containsEntry("e", List.of());
        assertThat(stored.get(1)).containsEntry("s", null).containsEntry("i", null).containsEntry("b", false)
                .containsEntry("ts", "1969-12-31 23:59:59.000000").containsEntry("a", null);
        assertThat(stored.get(2)).containsEntry("s", "ascii then ü").containsEntry("i", -1).containsEntry("l", 0L).containsEntry("b", null)
                .containsEntry("a", Arrays.asList("day", null, "naïve", longText, "")).containsEntry("e", List.of(longText));
    }

    @Test
    void noRowsIsNoData()
    {
        assertThat(new CopyRows(16).data().toArray()).isEmpty();
    }
}
