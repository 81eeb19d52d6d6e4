package dev.icetune.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/** Rows in aligned columns for a terminal; cells longer than {@code maxWidth} are cut with an ellipsis. */
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
            String text = cell == null ? "" : String.valueOf(cell).replace('\n', ' ');
            row.add(text.length() > maxWidth ? text.substring(0, maxWidth - 1) + "…" : text);
        }
        rows.add(row);
        return this;
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
