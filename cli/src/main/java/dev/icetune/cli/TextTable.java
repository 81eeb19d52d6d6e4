package dev.icetune.cli;

import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * Rows in aligned columns for a terminal; cells longer than {@code maxWidth} are cut with an ellipsis. Numbers show at
 * most two decimals ({@code avg()} in a report is a numeric of sixteen) and times the second they fall in, in UTC;
 * {@code --json} keeps them whole.
 */
public final class TextTable
{
    private final List<String> header;
    private final List<List<String>> rows = new ArrayList<>();
    private final int maxWidth;

    public TextTable(int maxWidth, String... header)
    {
        this.header = List.of(header);
        this.maxWidth = maxWidth;
    }

    public TextTable row(Object... cells)
    {
        List<String> row = new ArrayList<>();
        for (Object cell : cells) {
            String text = text(cell).replace('\n', ' ');
            row.add(text.length() > maxWidth ? text.substring(0, maxWidth - 1) + "…" : text);
        }
        rows.add(row);
        return this;
    }

    public static String text(Object cell)
    {
        return switch (cell) {
            case null -> "";
            case BigDecimal number -> plain(number);
            case Double number when Double.isFinite(number) -> plain(BigDecimal.valueOf(number));
            case Float number when Float.isFinite(number) -> plain(BigDecimal.valueOf(number));
            case Timestamp time -> time.toInstant().truncatedTo(ChronoUnit.SECONDS).toString();
            case Instant time -> time.truncatedTo(ChronoUnit.SECONDS).toString();
            default -> String.valueOf(cell);
        };
    }

    private static String plain(BigDecimal number)
    {
        BigDecimal rounded = number.scale() > 2 ? number.setScale(2, RoundingMode.HALF_UP) : number;
        return rounded.signum() == 0 ? "0" : rounded.stripTrailingZeros().toPlainString();
    }

    public void print(PrintStream out)
    {
        int[] widths = header.stream().mapToInt(String::length).toArray();
        for (List<String> row : rows) {
            for (int i = 0; i < widths.length; i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        out.println(line(header, widths));
        StringBuilder rule = new StringBuilder();
        for (int width : widths) {
            rule.append("-".repeat(width)).append("  ");
        }
        out.println(rule.toString().stripTrailing());
        rows.forEach(row -> out.println(line(row, widths)));
    }

    private static String line(List<String> cells, int[] widths)
    {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            line.append(String.format("%-" + widths[i] + "s", cells.get(i))).append("  ");
        }
        return line.toString().stripTrailing();
    }
}
