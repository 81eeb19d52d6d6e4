package dev.icetune.engine.model;

import dev.icetune.plan.ExecutedStatement;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.YearMonth;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The runbook's query rewriting (Query Optimization Techniques 2): a function around a partition, time or
 * sort column becomes a range on the bare column, which Trino pushes into the scan.
 */
public final class Rewrites
{
    /** The column as the query wrote it, quoted or not: the rewrite writes it back the same way. */
    private static final String COLUMN = "(\"?%s\"?)";
    private static final String DAY_LITERAL = "'(\\d{4}-\\d{2}-\\d{2})'";

    private Rewrites() {}

    /**
     * The query with its {@code function(column) = literal} predicate rewritten as a range, if the shape is one we know; the range's
     * bounds are literals of the column's Iceberg type {@code type} ({@code TableFact.timeType}; null when not known: timestamps without
     * a zone): a date's are dates, a timestamp with a time zone's are in UTC, as Iceberg stores it and as the function read it (a bound
     * without a zone would be in the session's).
     */
    public static Optional<String> sargable(String query, String column, String type)
    {
        return range(query, column).map(range -> range.replacing(query, type)).or(() -> leadingText(query, column));
    }

    /**
     * {@code substr(code, 1, 2) = 'AB'} (or {@code substring(code FROM 1 FOR 2)}), a leading part of a text column as long as its literal,
     * becomes {@code starts_with(code, 'AB')}: the same rows, and Trino turns starts_with into a range on the column that prunes files
     * (a truncate partition, min/max statistics), as it does not a substring.
     */
    private static Optional<String> leadingText(String query, String column)
    {
        return leadingTextMatch(query, column).map(leading -> query.substring(0, leading.start())
                + "starts_with(%s, '%s')".formatted(leading.group(1), leading.group(3)) + query.substring(leading.end()));
    }

    /** The length of the text prefix the query's {@code substr(column, 1, n) = '...'} selects, if it is one {@link #sargable} rewrites. */
    public static OptionalInt leadingTextLength(String query, String column)
    {
        return leadingTextMatch(query, column).map(leading -> OptionalInt.of(Integer.parseInt(leading.group(2)))).orElse(OptionalInt.empty());
    }

    private static Optional<Matcher> leadingTextMatch(String query, String column)
    {
        if (query == null) {
            return Optional.empty();
        }
        Matcher leading = Pattern.compile("(?i)substr(?:ing)?\\s*\\(\\s*%s\\s*(?:,\\s*1\\s*,|from\\s+1\\s+for)\\s*(\\d+)\\s*\\)\\s*=\\s*'((?:[^']|'')*)'"
                .formatted(COLUMN.formatted(Pattern.quote(column)))).matcher(query);
        // a literal shorter than the part compared selects the value itself, not a prefix
        return leading.find() && leading.group(3).replace("''", "'").length() == Integer.parseInt(leading.group(2)) ? Optional.of(leading) : Optional.empty();
    }

    /** The time the query's {@code function(column) = literal} predicate selects, if it is one {@link #sargable} rewrites: an hour, a day, a month. */
    public static Optional<Duration> selected(String query, String column)
    {
        return range(query, column).map(range -> Duration.between(range.from(), range.to()));
    }

    /** A predicate of the query, at [start, end), that selects the times [from, to) of {@code column}, as the query writes the column. */
    private record Range(int start, int end, String column, LocalDateTime from, LocalDateTime to)
    {
        Range(Matcher match, String column, LocalDate from, LocalDate to)
        {
            this(match, column, from.atStartOfDay(), to.atStartOfDay());
        }

        Range(Matcher match, String column, LocalDateTime from, LocalDateTime to)
        {
            this(match.start(), match.end(), column, from, to);
        }

        String replacing(String query, String type)
        {
            return query.substring(0, start) + "%s >= %s AND %s < %s".formatted(column, literal(from, type), column, literal(to, type)) + query.substring(end);
        }
    }

    private static Optional<Range> range(String query, String column)
    {
        if (query == null) {
            return Optional.empty();
        }
        try {
            return knownRange(query, column);
        }
        catch (DateTimeException e) {
            return Optional.empty(); // month 13, February 30: the query selects nothing, no range says so better
        }
    }

    private static Optional<Range> knownRange(String query, String column)
    {
        String col = COLUMN.formatted(Pattern.quote(column));
        // date_format(ts, '%Y-%m-%d') = '2024-01-15' (the runbook's example, also yyyy-MM-dd); format_datetime(ts, 'yyyy-MM-dd'), Trino's Joda-style twin
        Matcher day = Pattern.compile(formatted(col, "%Y-%m-%d|yyyy-MM-dd", "yyyy-MM-dd") + DAY_LITERAL).matcher(query);
        if (day.find()) {
            return Optional.of(new Range(day, name(day), LocalDate.parse(day.group(3)), LocalDate.parse(day.group(3)).plusDays(1)));
        }
        // date_format(ts, '%Y-%m') = '2024-01', format_datetime(ts, 'yyyy-MM') = '2024-01'
        Matcher month = Pattern.compile(formatted(col, "%Y-%m|yyyy-MM", "yyyy-MM") + "'(\\d{4}-\\d{2})'").matcher(query);
        if (month.find()) {
            YearMonth value = YearMonth.parse(month.group(3));
            return Optional.of(new Range(month, name(month), value.atDay(1), value.plusMonths(1).atDay(1)));
        }
        // date(ts) = DATE '2024-01-15', CAST(ts AS date) = DATE '2024-01-15'
        Matcher date = Pattern.compile("(?i)(?:date\\s*\\(\\s*" + col + "\\s*\\)|cast\\s*\\(\\s*" + col + "\\s+as\\s+date\\s*\\))\\s*=\\s*(?:date\\s*)?" + DAY_LITERAL).matcher(query);
        if (date.find()) {
            return Optional.of(new Range(date, name(date), LocalDate.parse(date.group(3)), LocalDate.parse(date.group(3)).plusDays(1)));
        }
        // substr(CAST(ts AS varchar), 1, 10) = '2024-01-15', CAST(ts AS varchar) LIKE '2024-01%', starts_with(CAST(ts AS varchar), '2024'): the
        // leading part of the column's text ('2024-01-15 10:30:00.000000') selects an hour, a day, a month, a year
        String text = "cast\\s*\\(\\s*" + col + "\\s+as\\s+varchar(?:\\s*\\(\\s*\\d+\\s*\\))?\\s*\\)";
        for (String shape : List.of("substr(?:ing)?\\s*\\(\\s*%s\\s*,\\s*1\\s*,\\s*(?<length>\\d+)\\s*\\)\\s*=\\s*'(?<prefix>%s)'",
                "%s\\s+like\\s+'(?<prefix>%s)%%'", "starts_with\\s*\\(\\s*%s\\s*,\\s*'(?<prefix>%s)'\\s*\\)")) {
            Matcher leading = Pattern.compile("(?i)" + shape.formatted(text, "\\d{4}(?:-\\d{2}(?:-\\d{2}(?: \\d{2})?)?)?")).matcher(query);
            if (leading.find() && (!shape.contains("<length>") || Integer.parseInt(leading.group("length")) == leading.group("prefix").length())) {
                return Optional.of(leadingPart(leading));
            }
        }
        // year(ts) = 2024 AND month(ts) = 3 [AND day(ts) = 15], in any order: Trino turns the year into a range on ts, yet filters every row
        // of it by the month
        String part = "(?:year|month|day|day_of_month)\\s*\\(\\s*%s\\s*\\)\\s*=\\s*\\d{1,4}(?!\\d)".formatted(col);
        Matcher parts = Pattern.compile("(?i)" + part + "(?:\\s+and\\s+" + part + "){1,2}").matcher(query);
        while (parts.find()) {
            Optional<Range> range = dateParts(parts, col);
            if (range.isPresent()) {
                return range;
            }
        }
        return Optional.empty();
    }

    /** The month or day that the conjuncts of {@code parts} select, each of year, month (and day) once, the year and month there. */
    private static Optional<Range> dateParts(Matcher parts, String col)
    {
        Map<String, Integer> values = new HashMap<>();
        Matcher each = Pattern.compile("(?i)(year|month|day_of_month|day)\\s*\\(\\s*" + col + "\\s*\\)\\s*=\\s*(\\d{1,4})").matcher(parts.group());
        while (each.find()) {
            String unit = each.group(1).toLowerCase(Locale.ROOT).replace("day_of_month", "day");
            if (values.put(unit, Integer.parseInt(each.group(3))) != null) {
                return Optional.empty();
            }
        }
        if (!values.containsKey("year") || !values.containsKey("month")) {
            return Optional.empty();
        }
        YearMonth month = YearMonth.of(values.get("year"), values.get("month"));
        if (!values.containsKey("day")) {
            return Optional.of(new Range(parts, parts.group(1), month.atDay(1), month.plusMonths(1).atDay(1)));
        }
        LocalDate day = month.atDay(values.get("day"));
        return Optional.of(new Range(parts, parts.group(1), day, day.plusDays(1)));
    }

    /**
     * The times the leading part of a timestamp's text the match holds (group prefix) selects: '2024' a year, '2024-01' a month,
     * '2024-01-15' a day, '2024-01-15 10' an hour.
     */
    private static Range leadingPart(Matcher match)
    {
        String prefix = match.group("prefix");
        if (prefix.length() == 13) {
            LocalDateTime hour = LocalDateTime.parse(prefix.replace(' ', 'T') + ":00");
            return new Range(match, match.group(1), hour, hour.plusHours(1));
        }
        LocalDate from = LocalDate.parse((prefix + "-01-01").substring(0, 10));
        LocalDate to = switch (prefix.length()) {
            case 4 -> from.plusYears(1);
            case 7 -> from.plusMonths(1);
            default -> from.plusDays(1);
        };
        return new Range(match, match.group(1), from, to);
    }

    /**
     * A regular expression for {@code function(column, 'format') = }: date_format with one of {@code mysqlFormats} (MySQL's specifiers) or
     * format_datetime with {@code jodaFormat} (Joda's letters, whose case matters: MM months, mm minutes). The column is group 1 or 2.
     */
    private static String formatted(String column, String mysqlFormats, String jodaFormat)
    {
        return "(?i)(?:date_format\\s*\\(\\s*%s\\s*,\\s*'(?-i:%s)'|format_datetime\\s*\\(\\s*%s\\s*,\\s*'(?-i:%s)')\\s*\\)\\s*=\\s*"
                .formatted(column, mysqlFormats, column, Pattern.quote(jodaFormat));
    }

    /** The column as one of two alternatives wrote it (groups 1 and 2). */
    private static String name(Matcher match)
    {
        return match.group(1) != null ? match.group(1) : match.group(2);
    }

    private static final Pattern ENDS_LIMITED = Pattern.compile("(?is).*\\b(limit\\s+\\d+|fetch\\s+(first|next)\\s+\\d+\\s+rows?\\s+only)\\s*;?\\s*$");

    /** The query returning its first {@code limit} rows, if it ends without a LIMIT or FETCH FIRST of its own. */
    public static Optional<String> limited(String query, long limit)
    {
        return ExecutedStatement.runnable(query).filter(statement -> !ENDS_LIMITED.matcher(statement).matches())
                .map(statement -> statement.strip().replaceAll(";\\s*$", "") + "\nLIMIT " + limit);
    }

    private static String literal(LocalDateTime at, String type)
    {
        if ("date".equals(type) && at.toLocalTime().equals(LocalTime.MIDNIGHT)) {
            return "DATE '%s'".formatted(at.toLocalDate());
        }
        return "TIMESTAMP '%s %s%s'".formatted(at.toLocalDate(), at.toLocalTime().format(HOURS), type != null && type.startsWith("timestamptz") ? " UTC" : "");
    }

    private static final DateTimeFormatter HOURS = DateTimeFormatter.ofPattern("HH:mm:ss");
}
