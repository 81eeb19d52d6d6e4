package dev.icetune.listener;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the scans out of Trino's text plan: for each table, which columns had a constraint pushed into
 * the scan ({@code TableScan[table = ... constraint on [ts]]}) and which filter stayed above it
 * ({@code ScanFilterProject[..., filterPredicate = (date_format(ts, ...) = ...)]}). That is what tells
 * missing pruning (nothing pushed, nothing filtered on the column) from a non-sargable predicate.
 */
public final class PlanScans
{
    public record Scan(List<String> constraintColumns, String filterPredicate) {}

    private static final Pattern SCAN_NODE = Pattern.compile(
            "(TableScan|ScanFilter|ScanProject|ScanFilterProject)\\[table = ([^:\\s\\[\\]]+):([^\\s\\[\\],]+)");
    private static final String CONSTRAINT = "constraint on [";
    private static final String FILTER = "filterPredicate = ";

    private PlanScans() {}

    /** Keyed by {@code catalog.schema.table} in lower case. */
    public static Map<String, Scan> parse(String plan)
    {
        Map<String, Scan> scans = new HashMap<>();
        if (plan == null || plan.isEmpty()) {
            return scans;
        }
        Matcher matcher = SCAN_NODE.matcher(plan);
        while (matcher.find()) {
            int headerEnd = closingBracket(plan, plan.indexOf('[', matcher.start()));
            String header = plan.substring(matcher.start(), headerEnd);
            String key = (matcher.group(2) + "." + tableName(matcher.group(3))).toLowerCase(Locale.ROOT);

            List<String> constraint = List.of();
            int constraintAt = header.indexOf(CONSTRAINT);
            if (constraintAt >= 0) {
                int close = header.indexOf(']', constraintAt);
                if (close > 0) {
                    constraint = Arrays.stream(header.substring(constraintAt + CONSTRAINT.length(), close).split(","))
                            .map(String::trim).filter(column -> !column.isEmpty()).toList();
                }
            }
            String filter = null;
            int filterAt = header.indexOf(FILTER);
            if (filterAt >= 0) {
                filter = expression(header, filterAt + FILTER.length());
            }
            scans.merge(key, new Scan(constraint, filter), PlanScans::combine);
        }
        return scans;
    }

    /** {@code schema.table$data@123} names the table {@code schema.table}. */
    private static String tableName(String reference)
    {
        int end = reference.length();
        for (char stop : new char[] {'$', '@'}) {
            int at = reference.indexOf(stop);
            if (at > 0) {
                end = Math.min(end, at);
            }
        }
        return reference.substring(0, end);
    }

    /** A table scanned twice (a self-join) keeps every pushed column and every residual filter. */
    private static Scan combine(Scan first, Scan second)
    {
        List<String> columns = new ArrayList<>(first.constraintColumns());
        second.constraintColumns().stream().filter(column -> !columns.contains(column)).forEach(columns::add);
        String filter = first.filterPredicate() == null ? second.filterPredicate()
                : second.filterPredicate() == null ? first.filterPredicate()
                : first.filterPredicate() + " OR " + second.filterPredicate();
        return new Scan(columns, filter);
    }

    /** The expression starting at {@code start}, up to the first ',' or ']' outside brackets and quotes. */
    private static String expression(String text, int start)
    {
        int depth = 0;
        boolean quoted = false;
        for (int i = start; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\'') {
                quoted = !quoted;
            }
            else if (!quoted) {
                if (c == '(' || c == '[') {
                    depth++;
                }
                else if (c == ')' || c == ']') {
                    if (depth == 0) {
                        return text.substring(start, i).trim();
                    }
                    depth--;
                }
                else if (c == ',' && depth == 0) {
                    return text.substring(start, i).trim();
                }
            }
        }
        return text.substring(start).trim();
    }

    private static int closingBracket(String text, int open)
    {
        int depth = 0;
        boolean quoted = false;
        for (int i = open; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\'') {
                quoted = !quoted;
            }
            else if (!quoted && c == '[') {
                depth++;
            }
            else if (!quoted && c == ']' && --depth == 0) {
                return i + 1;
            }
        }
        return text.length();
    }
}
