package dev.icetune.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class TestTextTable
{
    @Test
    void numbersShowTwoDecimalsAtMostAndTimesTheirSecond()
    {
        assertThat(TextTable.text(new BigDecimal("1296.0000000000000000"))).as("a report's avg()").isEqualTo("1296");
        assertThat(TextTable.text(new BigDecimal("589.4166666666666667"))).isEqualTo("589.42");
        assertThat(TextTable.text(new BigDecimal("0.0000000000000000"))).isEqualTo("0");
        assertThat(TextTable.text(new BigDecimal("63075168"))).as("no exponent").isEqualTo("63075168");
        assertThat(TextTable.text(new BigDecimal("1E+3"))).isEqualTo("1000");
        assertThat(TextTable.text(2465.0)).isEqualTo("2465");
        assertThat(TextTable.text(0.134)).isEqualTo("0.13");
        assertThat(TextTable.text(Double.NaN)).isEqualTo("NaN");
        assertThat(TextTable.text(42L)).isEqualTo("42");
        assertThat(TextTable.text(Timestamp.from(Instant.parse("2026-12-02T08:06:57.48507Z")))).isEqualTo("2026-12-02T08:06:57Z");
        assertThat(TextTable.text(Instant.parse("2026-12-02T08:06:45.844608Z"))).isEqualTo("2026-12-02T08:06:45Z");
        assertThat(TextTable.text(null)).isEmpty();
    }

    @Test
    void columnsAlignAndLongCellsAreCut()
    {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new TextTable(8, "NAME", "AVG").row("a very long name", new BigDecimal("1.005")).row("b", 12.5).print(new PrintStream(out, true, StandardCharsets.UTF_8));
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("""
                NAME      AVG
                --------  ----
                a very …  1.01
                b         12.5
                """);
    }
}
