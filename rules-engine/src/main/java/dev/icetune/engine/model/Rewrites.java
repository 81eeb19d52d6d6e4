package dev.icetune.engine.model;

import dev.icetune.plan.ExecutedStatement;

import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.ResolverStyle;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The runbook's query rewriting (Query Optimization Techniques 2): a function around a partition, time or
 * sort column becomes a range on the bare column, which Trino pushes into the scan.
 */
public final class Rewrites
{
    private static final String DAY_LITERAL = "'(\\d{4}-\\d{2}-\\d{2})'";

    private Rewrites() {}

    /**
     * The query with its {@code function(column) = literal} predicate rewritten as a range (a comparison of a function of the column as a
     * bound on the bare column; a prefix as starts_with), if the shape is one we know; the range's
     * bounds are literals of the column's Iceberg type {@code type} ({@code TableFact.timeType}; null when not known: timestamps without
     * a zone): a date's are dates, a timestamp with a time zone's are in UTC, as Iceberg stores it and as the function read it (a bound
     * without a zone would be in the session's). Comments are no part of it (a BI tool's header, a filter commented out): every reading
     * of a query here reads it without them.
     */
    public static Optional<String> sargable(String sql, String column, String type)
    {
        String query = ExecutedStatement.withoutComments(sql);
        return range(query, column, type).map(range -> range.replacing(query, type)).or(() -> leadingText(query, column)).or(() -> shifted(query, column, type))
                .or(() -> epochSeconds(query, column)).or(() -> zoneDropped(query, column, type));
    }

    /**
     * {@code ts AT TIME ZONE 'America/New_York' >= TIMESTAMP '...'} of a timestamp with a time zone becomes {@code ts >= TIMESTAMP '...'}: AT
     * TIME ZONE changes the zone a value is shown in, not the instant, and timestamps with a time zone compare as instants. Every such
     * comparison of the column, the column on either side (of a timestamp without a zone, AT TIME ZONE reads it in the session's zone).
     */
    private static Optional<String> zoneDropped(String query, String column, String type)
    {
        if (query == null || !withTimeZone(type)) {
            return Optional.empty();
        }
        String rewritten = Pattern.compile("(?i)(?<column>" + qualified(column) + ")\\s+at\\s+time\\s+zone\\s+'[^']+'(?=\\s*(?:[<>=]|between\\s))"
                + "|(?<=[<>=]\\s{0,8})(?<flipped>" + qualified(column) + ")\\s+at\\s+time\\s+zone\\s+'[^']+'").matcher(query)
                .replaceAll(match -> Matcher.quoteReplacement(match.group("column") != null ? match.group("column") : match.group("flipped")));
        return rewritten.equals(query) ? Optional.empty() : Optional.of(rewritten);
    }

    /** A number of seconds, not part of a name or of a sum: {@code 1704240000 + 3600} would not be rewritten whole. */
    private static final String SECONDS = "(?<![-+*/%\\w.])(?<![-+*/%]\\s)(\\d+(?:\\.\\d+)?)(?![\\w.])(?!\\s*[-+*/%|])";

    /**
     * {@code to_unixtime(ts) >= 1704240000} (and {@code BETWEEN}, either side of the comparison), a time filter in seconds since the epoch
     * as some dashboards write it, becomes {@code ts >= from_unixtime(1704240000)}: the same instants (both read ts in the session's time
     * zone), which Trino pushes into the scan. Every such comparison of the column is rewritten.
     */
    private static Optional<String> epochSeconds(String query, String column)
    {
        if (query == null) {
            return Optional.empty();
        }
        String seconds = "(?i)to_unixtime\\s*\\(\\s*(?<column>" + qualified(column) + ")\\s*\\)";
        String rewritten = Pattern.compile(seconds + "\\s+between\\s+" + SECONDS + "\\s+and\\s+" + SECONDS).matcher(query)
                .replaceAll(match -> Matcher.quoteReplacement("%s BETWEEN from_unixtime(%s) AND from_unixtime(%s)".formatted(match.group("column"), match.group(2), match.group(3))));
        rewritten = Pattern.compile(seconds + "\\s*" + COMPARISON + "\\s*" + SECONDS).matcher(rewritten)
                .replaceAll(match -> Matcher.quoteReplacement("%s %s from_unixtime(%s)".formatted(match.group("column"), match.group("op"), match.group(3))));
        rewritten = Pattern.compile("(?i)" + SECONDS + "\\s*" + COMPARISON + "\\s*" + seconds.substring(4)).matcher(rewritten)
                .replaceAll(match -> Matcher.quoteReplacement("from_unixtime(%s) %s %s".formatted(match.group(1), match.group("op"), match.group("column"))));
        return rewritten.equals(query) ? Optional.empty() : Optional.of(rewritten);
    }

    /** A comparison's other side that Trino folds to a constant before it plans the scan: a date or timestamp literal, or the query's time. */
    private static final String CONSTANT = "(?<constant>(?:timestamp|date)\\s*'[^']*'|current_date|current_timestamp(?:\\s*\\(\\s*\\d\\s*\\))?"
            + "|localtimestamp(?:\\s*\\(\\s*\\d\\s*\\))?|now\\s*\\(\\s*\\))";
    private static final String COMPARISON = "(?<op>>=|<=|=|<|>)";
    /** The units of a fixed length whatever the day: a day or a week of a timestamp with a time zone may have 23 or 25 hours. */
    private static final Set<String> FIXED_UNITS = Set.of("millisecond", "second", "minute", "hour");
    private static final Set<String> CALENDAR_DAYS = Set.of("day", "week");

    /**
     * {@code date_add('day', 1, ts) >= TIMESTAMP '2024-01-14 00:00:00'} (or {@code ts + INTERVAL '1' DAY}, either side of the comparison)
     * becomes {@code ts >= date_add('day', -1, TIMESTAMP '2024-01-14 00:00:00')}: the same rows, as adding a time of fixed length keeps
     * the order of the values, and Trino folds the constant side and pushes the bare column's range into the scan. Months and years are
     * left alone (January 31 plus a month is February's last day, as is January 30: the shift is not undone), and so are a day or a week
     * of a timestamp with a time zone. The other one-sided comparisons rewritten so: {@link #dayDifference}, {@link #textCompared}.
     */
    private static Optional<String> shifted(String query, String column, String type)
    {
        return shift(query, column, type).map(shift -> query.substring(0, shift.start()) + shift.bare() + query.substring(shift.end()));
    }

    /**
     * The bound a shifted comparison puts on the bare column once {@link #sargable} rewrites it: the column's values {@code op} (written
     * with the column on the left) the bound, which is {@code shift} from {@code at}, the constant, empty when it is the query's own time
     * ({@code current_date}, {@code now()}).
     */
    public record ShiftedBound(Optional<LocalDateTime> at, Duration shift, String op) {}

    /** The bound of the query's shifted comparison of {@code column}, if it is one {@link #sargable} rewrites. */
    public static Optional<ShiftedBound> shiftedBound(String query, String column, String type)
    {
        return shift(ExecutedStatement.withoutComments(query), column, type).map(shift -> new ShiftedBound(constantTime(shift.constant()), shift.back(), shift.columnOp()));
    }

    /**
     * A comparison of a shifted column with a constant, at [start, end) of the query: {@code bare} it rewritten, the constant shifted
     * {@code back}; {@code columnOp} its operator written with the column on the left.
     */
    private record Shift(int start, int end, String bare, String constant, Duration back, String columnOp) {}

    private static Optional<Shift> shift(String query, String column, String type)
    {
        if (query == null) {
            return Optional.empty();
        }
        try {
            return knownShift(query, column, type);
        }
        catch (DateTimeException e) {
            return Optional.empty(); // February 30: the query selects nothing, no bound says so better
        }
    }

    private static Optional<Shift> knownShift(String query, String column, String type)
    {
        if ("date".equals(type)) {
            Optional<Shift> days = dayDifference(query, column);
            if (days.isPresent()) {
                return days;
            }
        }
        Optional<Shift> text = textCompared(query, column, type);
        if (text.isPresent()) {
            return text;
        }
        String quoted = qualified(column);
        // an interval's sum not multiplied after it
        String added = "(?:date_add\\s*\\(\\s*'(?<unit>[a-z]+)'\\s*,\\s*(?<amount>[+-]?\\d+)\\s*,\\s*(?<added>" + quoted + ")\\s*\\)"
                + "|(?<plain>" + quoted + ")\\s*(?<sign>[+-])\\s*interval\\s*'(?<interval>\\d+)'\\s*(?<intervalUnit>day|hour|minute|second)\\b(?!\\s*[*/]))";
        for (boolean constantFirst : new boolean[] {false, true}) {
            String shape = constantFirst ? CONSTANT + "\\s*" + COMPARISON + "\\s*" + added : added + "\\s*" + COMPARISON + "\\s*" + CONSTANT;
            Matcher match = Pattern.compile("(?i)" + shape).matcher(query);
            while (match.find()) {
                Optional<Shift> shift = unshifted(match, type, constantFirst);
                if (shift.isPresent()) {
                    return shift;
                }
            }
        }
        return Optional.empty();
    }

    /** The match's comparison with the bare column on one side and the shift undone on the constant; empty for a unit that cannot be. */
    private static Optional<Shift> unshifted(Matcher match, String type, boolean constantFirst)
    {
        String constant = match.group("constant");
        String shiftedBack;
        String column;
        Duration back;
        if (match.group("unit") != null) {
            String unit = match.group("unit").toLowerCase(Locale.ROOT);
            boolean zoned = withTimeZone(type);
            if (!FIXED_UNITS.contains(unit) && !(CALENDAR_DAYS.contains(unit) && !zoned)) {
                return Optional.empty();
            }
            long amount = Long.parseLong(match.group("amount"));
            shiftedBack = "date_add('%s', %d, %s)".formatted(unit, -amount, constant);
            column = match.group("added");
            back = ChronoUnit.valueOf(unit.toUpperCase(Locale.ROOT) + "S").getDuration().multipliedBy(-amount);
        }
        else {
            // an interval of days to seconds is a length of time, the same for every type: Trino adds it as such
            boolean plus = match.group("sign").equals("+");
            String unit = match.group("intervalUnit").toUpperCase(Locale.ROOT);
            long interval = Long.parseLong(match.group("interval"));
            shiftedBack = "%s %s INTERVAL '%d' %s".formatted(constant, plus ? "-" : "+", interval, unit);
            column = match.group("plain");
            back = ChronoUnit.valueOf(unit + "S").getDuration().multipliedBy(plus ? -interval : interval);
        }
        String op = match.group("op");
        String bare = constantFirst ? "%s %s %s".formatted(shiftedBack, op, column) : "%s %s %s".formatted(column, op, shiftedBack);
        return Optional.of(new Shift(match.start(), match.end(), bare, constant, back, constantFirst ? flipped(op) : op));
    }

    /**
     * {@code date_diff('day', d, current_date) <= 30} of a date column d, a dashboard's last days: the days from d to the constant, a whole
     * number, so {@code d >= date_add('day', -30, current_date)} exactly ({@code date_diff('day', DATE '2024-01-03', d) < 3} is
     * {@code d < date_add('day', 3, DATE '2024-01-03')}). Of a timestamp, date_diff counts whole days of milliseconds, and no bound is
     * as exact.
     */
    private static Optional<Shift> dayDifference(String query, String column)
    {
        String quoted = "(?<column>" + qualified(column) + ")";
        // a date, not a timestamp: of current_timestamp, the time of day would count
        String day = "(?<constant>date\\s*'[^']*'|current_date)";
        Matcher match = Pattern.compile("(?i)date_diff\\s*\\(\\s*'day'\\s*,\\s*(?:" + quoted + "\\s*,\\s*" + day + "|" + day.replace("<constant>", "<from>")
                + "\\s*,\\s*" + quoted.replace("<column>", "<to>") + ")\\s*\\)\\s*" + COMPARISON + "\\s*(?<days>[+-]?\\d+)(?![\\w.])(?!\\s*[-+*/%])").matcher(query);
        if (!match.find()) {
            return Optional.empty();
        }
        long days = Long.parseLong(match.group("days"));
        String op = match.group("op");
        // from the column to the constant: the constant less the column, so the column is on the other side of the constant less the days
        boolean columnFirst = match.group("column") != null;
        String constant = columnFirst ? match.group("constant") : match.group("from");
        long shift = columnFirst ? -days : days;
        String columnOp = columnFirst ? flipped(op) : op;
        String bare = "%s %s date_add('day', %d, %s)".formatted(columnFirst ? match.group("column") : match.group("to"), columnOp, shift, constant);
        return Optional.of(new Shift(match.start(), match.end(), bare, constant, Duration.ofDays(shift), columnOp));
    }

    /**
     * {@code CAST(ts AS varchar) >= '2024-01-13'}: the column's text against a day's, compared as text. A date's text is the day's
     * ({@code d >= DATE '2024-01-13'}, any comparison); a timestamp's is longer than the day's and starts with it, so it sorts after the
     * day's text from the day's first instant on ({@code >} and {@code >=} are {@code ts >= TIMESTAMP '2024-01-13 00:00:00'}, {@code <}
     * and {@code <=} are {@code ts <}), and equals it never (left as it is). Likewise a day's or a month's formatted text
     * ({@code format_datetime(ts, 'yyyy-MM-dd') > '2024-01-13'}), which sorts as its days do: {@code ts >= TIMESTAMP '2024-01-14 00:00:00'}.
     */
    private static Optional<Shift> textCompared(String query, String column, String type)
    {
        Optional<Shift> cast = compared(query, asText("(?<column>" + qualified(column) + ")"), match -> match.group("column"), DateFormat.DAY, type, (op, start) ->
                "date".equals(type) ? Optional.of(new Bound(op, start)) : op.equals("=") ? Optional.empty() : Optional.of(new Bound(op.startsWith(">") ? ">=" : "<", start)));
        if (cast.isPresent()) {
            return cast;
        }
        for (DateFormat format : DateFormat.values()) {
            Optional<Shift> unit = compared(query, formatted(column, format.mysql, format.joda), Rewrites::formattedColumn, format, type, (op, start) -> switch (op) {
                case ">=" -> Optional.of(new Bound(">=", start));
                case ">" -> Optional.of(new Bound(">=", format.next(start)));
                case "<" -> Optional.of(new Bound("<", start));
                case "<=" -> Optional.of(new Bound("<", format.next(start)));
                default -> Optional.empty(); // an equality is a range, rewritten whole
            });
            if (unit.isPresent()) {
                return unit;
            }
        }
        return Optional.empty();
    }

    /** What a comparison of a column's text with a literal says of the bare column: {@code op} (the column on the left) {@code at}. */
    private record Bound(String op, LocalDateTime at) {}

    /**
     * The first comparison, either way round, of {@code expression} (the column as {@code column} reads it from the match) with a literal
     * of {@code format}, as the bare column against the {@link Bound} {@code bound} makes of the comparison's operator and the literal's
     * first instant; empty when it makes none.
     */
    private static Optional<Shift> compared(String query, String expression, Function<Matcher, String> column, DateFormat format, String type,
            BiFunction<String, LocalDateTime, Optional<Bound>> bound)
    {
        String literal = "'(?<value>" + format.value + ")'";
        for (boolean literalFirst : new boolean[] {false, true}) {
            String shape = literalFirst ? literal + "\\s*" + COMPARISON + "\\s*" + expression : expression + "\\s*" + COMPARISON + "\\s*" + literal;
            Matcher match = Pattern.compile("(?i)" + shape).matcher(query);
            if (!match.find()) {
                continue;
            }
            Optional<Bound> bare = bound.apply(literalFirst ? flipped(match.group("op")) : match.group("op"), format.start(match.group("value")));
            String zone = formattedZone(match);
            if (bare.isEmpty() || !sayable(zone, type)) {
                return Optional.empty();
            }
            String at = literal(bare.get().at(), type, zone);
            return Optional.of(new Shift(match.start(), match.end(), "%s %s %s".formatted(column.apply(match), bare.get().op(), at), at, Duration.ZERO, bare.get().op()));
        }
        return Optional.empty();
    }

    /**
     * What to do about a function around {@code column} that no rewrite of the query mends: compare the column itself; or, where the
     * query does not name the column at all, it filters a view's column that wraps it: the view is what to change.
     */
    public static String sargableAdvice(String sql, String column, String function)
    {
        String query = ExecutedStatement.withoutComments(sql);
        if (query != null && !Pattern.compile("(?i)" + qualified(column)).matcher(query).find()) {
            return "the query filters a view's column that is %s() of %s: have the view pass %s on as it is, and compare that against a range"
                    .formatted(function, column, column);
        }
        return "compare %s itself against a range instead of %s() of it".formatted(column, function);
    }

    /** The column as a query writes it, perhaps quoted or qualified ({@code e.ts}), and not the end of another name ({@code event_ts}). */
    private static String qualified(String column)
    {
        return "(?<![\\w\"$])(?:(?:\"[^\"]+\"|\\w+)\\.)?\"?" + Pattern.quote(column) + "\"?(?![\\w\"$])";
    }

    /** {@code CAST(column AS varchar)}, of a pattern of the column. */
    private static String asText(String column)
    {
        return "cast\\s*\\(\\s*" + column + "\\s+as\\s+varchar(?:\\s*\\(\\s*\\d+\\s*\\))?\\s*\\)";
    }

    /** {@code date(column)} or {@code CAST(column AS date)}, the column as written in group asDate or castAsDate. */
    private static String asDate(String column)
    {
        String name = qualified(column);
        return "(?:date\\s*\\(\\s*(?<asDate>" + name + ")\\s*\\)|cast\\s*\\(\\s*(?<castAsDate>" + name + ")\\s+as\\s+date\\s*\\))";
    }

    /** The operator with its sides swapped: {@code a < b} is {@code b > a}. */
    private static String flipped(String op)
    {
        return switch (op) {
            case "<" -> ">";
            case "<=" -> ">=";
            case ">" -> "<";
            case ">=" -> "<=";
            default -> op;
        };
    }

    private static final Pattern CONSTANT_TIME = Pattern.compile("(?i)^(?:timestamp|date)\\s*'(\\d{4}-\\d{2}-\\d{2})(?:[ T](\\d{2}:\\d{2}(?::\\d{2})?))?");

    /** A literal's date and time (its zone, if any, left out); empty for the query's own time, or a literal that is none. */
    private static Optional<LocalDateTime> constantTime(String constant)
    {
        Matcher literal = CONSTANT_TIME.matcher(constant);
        if (!literal.lookingAt()) {
            return Optional.empty();
        }
        try {
            return Optional.of(LocalDate.parse(literal.group(1)).atTime(literal.group(2) == null ? LocalTime.MIDNIGHT : LocalTime.parse(literal.group(2))));
        }
        catch (DateTimeException e) {
            return Optional.empty();
        }
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
        return leadingTextMatch(ExecutedStatement.withoutComments(query), column).map(leading -> OptionalInt.of(Integer.parseInt(leading.group(2)))).orElse(OptionalInt.empty());
    }

    private static Optional<Matcher> leadingTextMatch(String query, String column)
    {
        if (query == null) {
            return Optional.empty();
        }
        Matcher leading = Pattern.compile("(?i)substr(?:ing)?\\s*\\(\\s*%s\\s*(?:,\\s*1\\s*,|from\\s+1\\s+for)\\s*(\\d+)\\s*\\)\\s*=\\s*'((?:[^']++|'')*+)'"
                .formatted("(" + qualified(column) + ")")).matcher(query);
        // a literal shorter than the part compared selects the value itself, not a prefix
        return leading.find() && leading.group(3).replace("''", "'").length() == Integer.parseInt(leading.group(2)) ? Optional.of(leading) : Optional.empty();
    }

    /** The time the query's {@code function(column) = literal} predicate selects, if it is one {@link #sargable} rewrites: an hour, a day, a month. */
    public static Optional<Duration> selected(String query, String column)
    {
        return selectedRange(ExecutedStatement.withoutComments(query), column).map(Range::length);
    }

    /** Of the time {@link #selected} finds, what falls within [{@code from}, {@code to}]: the times a table's data spans. */
    public static Optional<Duration> selected(String query, String column, Instant from, Instant to)
    {
        return selectedRange(ExecutedStatement.withoutComments(query), column).map(range -> range.lengthWithin(from, to));
    }

    private static Optional<Range> selectedRange(String query, String column)
    {
        // a day in a named zone is one of a timestamp with a time zone only: the times it selects are a day's all the same
        return range(query, column, null).or(() -> query != null && AT_TIME_ZONE.matcher(query).find() ? range(query, column, "timestamptz") : Optional.empty());
    }

    private static final Pattern AT_TIME_ZONE = Pattern.compile("(?i)\\sat\\s+time\\s+zone\\s");

    /**
     * A predicate of the query, at [start, end), that selects the times [from, to) of {@code column}, as the query writes the column;
     * the times in {@code zone} when it is not null (a timestamp with a time zone's day in a zone the query names), else as the
     * column's type has them.
     */
    private record Range(int start, int end, String column, List<Span> spans, String zone)
    {
        Range(Matcher match, String column, LocalDate from, LocalDate to)
        {
            this(match, column, from.atStartOfDay(), to.atStartOfDay());
        }

        Range(Matcher match, String column, LocalDateTime from, LocalDateTime to)
        {
            this(match.start(), match.end(), column, List.of(new Span(from, to)), null);
        }

        Duration length()
        {
            return spans.stream().map(span -> Duration.between(span.from(), span.to())).reduce(Duration.ZERO, Duration::plus);
        }

        /** The spans' times within [{@code from}, {@code to}], a time without a zone read in UTC, as the bounds' literals are. */
        Duration lengthWithin(Instant from, Instant to)
        {
            ZoneId in = zone == null ? ZoneOffset.UTC : ZoneId.of(zone);
            Duration within = Duration.ZERO;
            for (Span span : spans) {
                Instant start = span.from().atZone(in).toInstant();
                Instant end = span.to().atZone(in).toInstant();
                Instant first = start.isAfter(from) ? start : from;
                Instant last = end.isBefore(to) ? end : to;
                if (last.isAfter(first)) {
                    within = within.plus(Duration.between(first, last));
                }
            }
            return within;
        }

        /** Several spans are ORed in parentheses: the predicate they replace was one operand, of an AND or an OR. */
        String replacing(String query, String type)
        {
            String bounds = spans.stream().map(span -> "%s >= %s AND %s < %s".formatted(column, literal(span.from(), type, zone), column, literal(span.to(), type, zone)))
                    .collect(Collectors.joining(" OR "));
            return query.substring(0, start) + (spans.size() > 1 ? "(" + bounds + ")" : bounds) + query.substring(end);
        }
    }

    /** The times [from, to). */
    private record Span(LocalDateTime from, LocalDateTime to)
    {
        /** The spans in order, those that touch or overlap made one. */
        static List<Span> merged(List<Span> spans)
        {
            List<Span> merged = new ArrayList<>();
            for (Span span : spans.stream().sorted(Comparator.comparing(Span::from)).toList()) {
                Span last = merged.isEmpty() ? null : merged.getLast();
                if (last != null && !span.from().isAfter(last.to())) {
                    merged.set(merged.size() - 1, new Span(last.from(), span.to().isAfter(last.to()) ? span.to() : last.to()));
                }
                else {
                    merged.add(span);
                }
            }
            return merged;
        }
    }

    /** The texts of an hour, a day or a month that date_format (MySQL's specifiers) or format_datetime (Joda's letters) write, and their values. */
    private enum DateFormat
    {
        HOUR("%Y-%m-%d %H", "yyyy-MM-dd HH", "\\d{4}-\\d{2}-\\d{2} \\d{2}", DateTimeFormatter.ofPattern("uuuu-MM-dd HH").withResolverStyle(ResolverStyle.STRICT), Truncation.HOUR),
        DAY("%Y-%m-%d|yyyy-MM-dd", "yyyy-MM-dd", "\\d{4}-\\d{2}-\\d{2}", DateTimeFormatter.ISO_LOCAL_DATE, Truncation.DAY),
        COMPACT_DAY("%Y%m%d", "yyyyMMdd", "\\d{8}", DateTimeFormatter.BASIC_ISO_DATE, Truncation.DAY),
        MONTH("%Y-%m|yyyy-MM", "yyyy-MM", "\\d{4}-\\d{2}", DateTimeFormatter.ofPattern("uuuu-MM"), Truncation.MONTH),
        COMPACT_MONTH("%Y%m", "yyyyMM", "\\d{6}", DateTimeFormatter.ofPattern("uuuuMM"), Truncation.MONTH);

        final String mysql;
        final String joda;
        final String value;
        private final DateTimeFormatter parser;
        private final Truncation unit;

        DateFormat(String mysql, String joda, String value, DateTimeFormatter parser, Truncation unit)
        {
            this.mysql = mysql;
            this.joda = joda;
            this.value = value;
            this.parser = parser;
            this.unit = unit;
        }

        /** The first instant of the hour, day or month {@code text} writes. */
        LocalDateTime start(String text)
        {
            return switch (unit) {
                case HOUR -> LocalDateTime.parse(text, parser);
                case MONTH -> YearMonth.parse(text, parser).atDay(1).atStartOfDay();
                default -> LocalDate.parse(text, parser).atStartOfDay();
            };
        }

        /** The first instant of the hour, day or month after the one starting at {@code start}. */
        LocalDateTime next(LocalDateTime start)
        {
            return unit.next(start);
        }
    }

    private static Optional<Range> range(String query, String column, String type)
    {
        if (query == null) {
            return Optional.empty();
        }
        try {
            return knownRange(query, column, type);
        }
        catch (DateTimeException e) {
            return Optional.empty(); // month 13, February 30: the query selects nothing, no range says so better
        }
    }

    private static Optional<Range> knownRange(String query, String column, String type)
    {
        String col = "(" + qualified(column) + ")";
        // date_format(ts, '%Y-%m-%d') = '2024-01-15' (the runbook's example, also yyyy-MM-dd); format_datetime(ts, 'yyyy-MM-dd'), Trino's Joda-style twin;
        // a month's, and either without dashes ('%Y%m%d' = '20240115', as date keys are written); or BETWEEN two of them, which Trino 483 leaves
        // above the scan as a LET of the text: the texts of one format sort as the days do
        for (DateFormat format : DateFormat.values()) {
            Matcher formatted = Pattern.compile(formatted(column, format.mysql, format.joda) + equalOrBetween(format.value)).matcher(query);
            if (formatted.find()) {
                LocalDateTime first = format.start(formatted.group("equal") != null ? formatted.group("equal") : formatted.group("first"));
                LocalDateTime last = format.start(formatted.group("equal") != null ? formatted.group("equal") : formatted.group("last"));
                String zone = formattedZone(formatted);
                return last.isBefore(first) || !sayable(zone, type) ? Optional.empty() : Optional.of(new Range(formatted.start(), formatted.end(),
                        formattedColumn(formatted), List.of(new Span(first, format.next(last))), zone));
            }
        }
        // date_format(ts, '%Y-%m-%d') IN ('2024-01-03', '2024-01-06'), CAST(ts AS date) IN (DATE '2024-01-03', ...): Trino 483 unwraps neither
        // (it does the cast's equality), and pushes the ORed ranges of those days into the scan; a list of months or compact days likewise
        String dates = "|" + asDate(column) + "\\s*";
        for (DateFormat format : DateFormat.values()) {
            String value = "'(" + format.value + ")'";
            String listed = "in\\s*\\(\\s*(?:date\\s*)?" + value + "(?:\\s*,\\s*(?:date\\s*)?" + value + ")*+\\s*\\)";
            boolean days = format == DateFormat.DAY;
            Matcher list = Pattern.compile("(?i)(?:" + formatted(column, format.mysql, format.joda) + (days ? dates : "") + ")" + listed).matcher(query);
            if (list.find()) {
                List<Span> spans = new ArrayList<>();
                for (Matcher each = Pattern.compile(value).matcher(list.group()); each.find(); ) {
                    LocalDateTime first = format.start(each.group(1));
                    spans.add(new Span(first, format.next(first)));
                }
                String written = days && list.group("asDate") != null ? list.group("asDate") : days && list.group("castAsDate") != null ? list.group("castAsDate") : formattedColumn(list);
                String zone = formattedZone(list);
                return sayable(zone, type) ? Optional.of(new Range(list.start(), list.end(), written, Span.merged(spans), zone)) : Optional.empty();
            }
        }
        // date(ts AT TIME ZONE 'America/New_York') = DATE '2024-01-15' (or CAST(... AS date), or BETWEEN two days) of a timestamp with a time
        // zone: the days in that zone, from the first's midnight to the one after the last (Trino reads a literal with a zone in it); of a
        // timestamp without one, AT TIME ZONE reads the value in the session's zone, which the query does not say
        String inZone = "\\s+at\\s+time\\s+zone\\s+'(?<%sZone>[^']+)'";
        String day = "(?:date\\s*)?'(?<%s>\\d{4}-\\d{2}-\\d{2})'";
        Matcher zoned = Pattern.compile("(?i)(?:date\\s*\\(\\s*(?<dateColumn>" + qualified(column) + ")" + inZone.formatted("date") + "\\s*\\)|cast\\s*\\(\\s*(?<castColumn>"
                + qualified(column) + ")" + inZone.formatted("cast") + "\\s+as\\s+date\\s*\\))\\s*(?:=\\s*" + day.formatted("day") + "|between\\s+" + day.formatted("low")
                + "\\s+and\\s+" + day.formatted("high") + ")").matcher(query);
        if (withTimeZone(type) && zoned.find()) {
            boolean date = zoned.group("dateColumn") != null;
            String zone = date ? zoned.group("dateZone") : zoned.group("castZone");
            if (!sayable(zone, type)) {
                return Optional.empty();
            }
            LocalDate first = LocalDate.parse(zoned.group("day") != null ? zoned.group("day") : zoned.group("low"));
            LocalDate last = LocalDate.parse(zoned.group("day") != null ? zoned.group("day") : zoned.group("high"));
            if (!last.isBefore(first)) {
                return Optional.of(new Range(zoned.start(), zoned.end(), date ? zoned.group("dateColumn") : zoned.group("castColumn"),
                        List.of(new Span(first.atStartOfDay(), last.plusDays(1).atStartOfDay())), zone));
            }
        }
        // date(ts) = DATE '2024-01-15', CAST(ts AS date) = DATE '2024-01-15'
        Matcher date = Pattern.compile("(?i)" + asDate(column) + "\\s*=\\s*(?:date\\s*)?" + DAY_LITERAL).matcher(query);
        if (date.find()) {
            String written = date.group("asDate") != null ? date.group("asDate") : date.group("castAsDate");
            return Optional.of(new Range(date, written, LocalDate.parse(date.group(3)), LocalDate.parse(date.group(3)).plusDays(1)));
        }
        // substr(CAST(ts AS varchar), 1, 10) = '2024-01-15', CAST(ts AS varchar) LIKE '2024-01%', starts_with(CAST(ts AS varchar), '2024'): the
        // leading part of the column's text ('2024-01-15 10:30:00.000000') selects an hour, a day, a month, a year
        String text = asText(col);
        for (String shape : List.of("substr(?:ing)?\\s*\\(\\s*%s\\s*,\\s*1\\s*,\\s*(?<length>\\d+)\\s*\\)\\s*=\\s*'(?<prefix>%s)'",
                "%s\\s+like\\s+'(?<prefix>%s)%%'", "starts_with\\s*\\(\\s*%s\\s*,\\s*'(?<prefix>%s)'\\s*\\)")) {
            Matcher leading = Pattern.compile("(?i)" + shape.formatted(text, "\\d{4}(?:-\\d{2}(?:-\\d{2}(?: \\d{2})?)?)?")).matcher(query);
            if (leading.find() && (!shape.contains("<length>") || Integer.parseInt(leading.group("length")) == leading.group("prefix").length())) {
                return Optional.of(leadingPart(leading));
            }
        }
        // date_trunc('week', ts) = TIMESTAMP '2024-01-08 00:00:00': Trino 483 unwraps a day's, a month's or a year's truncation, not a
        // week's, a quarter's or a minute's; the unit from the literal on, when the literal starts one (else no row equals it). And
        // date_trunc('day', ts) BETWEEN TIMESTAMP '...' AND TIMESTAMP '...' of any unit, which Trino 483 leaves above the scan as a LET
        String bound = "(?:timestamp|date)\\s*'(?<%1$sdate>\\d{4}-\\d{2}-\\d{2})(?:[ T](?<%1$stime>\\d{2}:\\d{2}(?::\\d{2})?)(?:\\.0*)?)?'";
        Matcher truncated = Pattern.compile("(?i)date_trunc\\s*\\(\\s*'(?<unit>second|minute|hour|day|week|month|quarter|year)'\\s*,\\s*(?<column>" + qualified(column)
                + ")\\s*\\)\\s*(?:=\\s*" + bound.formatted("") + "|between\\s+" + bound.formatted("low") + "\\s+and\\s+" + bound.formatted("high") + ")").matcher(query);
        if (truncated.find() && !withTimeZone(type)) {
            Truncation unit = Truncation.valueOf(truncated.group("unit").toUpperCase(Locale.ROOT));
            if (truncated.group("date") != null) {
                LocalDateTime from = truncatedBound(truncated, "");
                if (unit.start(from).equals(from)) {
                    return Optional.of(new Range(truncated, truncated.group("column"), from, unit.next(from)));
                }
            }
            else {
                // the truncation is at least the low bound from the first unit starting at it or after, at most the high one until the
                // unit after the high one's
                LocalDateTime low = truncatedBound(truncated, "low");
                LocalDateTime from = unit.start(low).equals(low) ? low : unit.next(unit.start(low));
                LocalDateTime to = unit.next(unit.start(truncatedBound(truncated, "high")));
                if (from.isBefore(to)) {
                    return Optional.of(new Range(truncated, truncated.group("column"), from, to));
                }
            }
        }
        // year(ts) = 2024 AND month(ts) = 3 [AND day(ts) = 15], in any order: Trino turns the year into a range on ts, yet filters every row
        // of it by the month
        String part = "(?:(?:year|quarter|month|day|day_of_month)\\s*\\(\\s*%s\\s*\\)|extract\\s*\\(\\s*(?:year|quarter|month|day)\\s+from\\s+%s\\s*\\))\\s*=\\s*\\d{1,4}(?!\\d)"
                .formatted(col, col);
        Matcher parts = Pattern.compile("(?i)" + part + "(?:\\s+and\\s+" + part + "){1,2}").matcher(query);
        while (parts.find()) {
            Optional<Range> range = dateParts(parts, col);
            if (range.isPresent()) {
                return range;
            }
        }
        return Optional.empty();
    }

    /** A date_trunc comparison's literal, its groups named with {@code prefix}: a date, or a date and a time. */
    private static LocalDateTime truncatedBound(Matcher truncated, String prefix)
    {
        String time = truncated.group(prefix + "time");
        return LocalDate.parse(truncated.group(prefix + "date")).atTime(time == null ? LocalTime.MIDNIGHT : LocalTime.parse(time));
    }

    /** The units of Trino's date_trunc: where the one holding a time starts, and the next one. */
    private enum Truncation
    {
        SECOND, MINUTE, HOUR, DAY, WEEK, MONTH, QUARTER, YEAR;

        LocalDateTime start(LocalDateTime at)
        {
            return switch (this) {
                case SECOND -> at.truncatedTo(ChronoUnit.SECONDS);
                case MINUTE -> at.truncatedTo(ChronoUnit.MINUTES);
                case HOUR -> at.truncatedTo(ChronoUnit.HOURS);
                case DAY -> at.truncatedTo(ChronoUnit.DAYS);
                case WEEK -> at.toLocalDate().with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY)).atStartOfDay();
                case MONTH -> at.toLocalDate().withDayOfMonth(1).atStartOfDay();
                case QUARTER -> LocalDate.of(at.getYear(), (at.getMonthValue() - 1) / 3 * 3 + 1, 1).atStartOfDay();
                case YEAR -> LocalDate.of(at.getYear(), 1, 1).atStartOfDay();
            };
        }

        LocalDateTime next(LocalDateTime start)
        {
            return switch (this) {
                case SECOND -> start.plusSeconds(1);
                case MINUTE -> start.plusMinutes(1);
                case HOUR -> start.plusHours(1);
                case DAY -> start.plusDays(1);
                case WEEK -> start.plusWeeks(1);
                case MONTH -> start.plusMonths(1);
                case QUARTER -> start.plusMonths(3);
                case YEAR -> start.plusYears(1);
            };
        }
    }

    /**
     * The quarter, month or days that the conjuncts of {@code parts} select, each of year, quarter, month and day once, the year there:
     * a quarter, a month, a day of a month, or a day of every month of the year or of the quarter (its ranges ORed; a month without it
     * selects none). A quarter beside its own month adds nothing, beside another selects nothing.
     */
    private static Optional<Range> dateParts(Matcher parts, String col)
    {
        Map<String, Integer> values = new HashMap<>();
        Matcher each = Pattern.compile("(?i)(?:(?<unit>year|quarter|month|day_of_month|day)\\s*\\(\\s*" + col + "\\s*\\)|extract\\s*\\(\\s*(?<field>year|quarter|month|day)\\s+from\\s+"
                + col + "\\s*\\))\\s*=\\s*(?<value>\\d{1,4})").matcher(parts.group());
        while (each.find()) {
            String unit = (each.group("unit") != null ? each.group("unit") : each.group("field")).toLowerCase(Locale.ROOT).replace("day_of_month", "day");
            if (values.put(unit, Integer.parseInt(each.group("value"))) != null) {
                return Optional.empty();
            }
        }
        Integer year = values.get("year");
        Integer quarter = values.get("quarter");
        Integer month = values.get("month");
        Integer day = values.get("day");
        if (year == null || (quarter != null && (quarter < 1 || quarter > 4 || month != null && quarter != (month + 2) / 3))) {
            return Optional.empty();
        }
        // the month named, else the quarter's, else the year's
        int firstMonth = month != null ? month : quarter != null ? 3 * quarter - 2 : 1;
        int lastMonth = month != null ? month : quarter != null ? 3 * quarter : 12;
        List<Span> spans = new ArrayList<>();
        for (int m = firstMonth; m <= lastMonth; m++) {
            YearMonth of = YearMonth.of(year, m);
            if (day == null) {
                spans.add(new Span(of.atDay(1).atStartOfDay(), of.plusMonths(1).atDay(1).atStartOfDay()));
            }
            else if (of.isValidDay(day)) {
                spans.add(new Span(of.atDay(day).atStartOfDay(), of.atDay(day).plusDays(1).atStartOfDay()));
            }
        }
        return spans.isEmpty() ? Optional.empty() : Optional.of(new Range(parts.start(), parts.end(), name(parts), Span.merged(spans), null));
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
     * A regular expression for {@code function(column, 'format')}, the comparison after it to follow: date_format with one of {@code mysqlFormats} (MySQL's specifiers) or
     * format_datetime with {@code jodaFormat} (Joda's letters, whose case matters: MM months, mm minutes); the column as written is {@link #formattedColumn}.
     */
    private static String formatted(String column, String mysqlFormats, String jodaFormat)
    {
        String quoted = qualified(column);
        String inZone = "(?:\\s+at\\s+time\\s+zone\\s+'(?<%sZone>[^']+)')?";
        return "(?i)(?:date_format\\s*\\(\\s*(?<mysqlColumn>%s)%s\\s*,\\s*'(?-i:%s)'|format_datetime\\s*\\(\\s*(?<jodaColumn>%s)%s\\s*,\\s*'(?-i:%s)')\\s*\\)\\s*"
                .formatted(quoted, inZone.formatted("mysql"), mysqlFormats, quoted, inZone.formatted("joda"), Pattern.quote(jodaFormat));
    }

    /** The zone of {@code ts AT TIME ZONE 'zone'} in a match of {@link #formatted}, whose text is the column's time in that zone; null without one. */
    private static String formattedZone(Matcher match)
    {
        Map<String, Integer> groups = match.namedGroups();
        return groups.containsKey("mysqlZone") && match.group("mysqlZone") != null ? match.group("mysqlZone")
                : groups.containsKey("jodaZone") ? match.group("jodaZone") : null;
    }

    /**
     * Whether a rewrite can say the time of {@code zone} (null: none named) in literals: not of a timestamp without a zone, which AT TIME
     * ZONE reads in the session's zone, nor of a zone Java does not know (Trino's are Java's).
     */
    private static boolean sayable(String zone, String type)
    {
        if (zone == null) {
            return true;
        }
        try {
            ZoneId.of(zone);
            return withTimeZone(type);
        }
        catch (DateTimeException e) {
            return false;
        }
    }

    /** {@code = 'value'} (group equal), or {@code BETWEEN 'first' AND 'last'} (groups first and last), of values like {@code value}. */
    private static String equalOrBetween(String value)
    {
        return "(?:=\\s*'(?<equal>%s)'|between\\s+'(?<first>%s)'\\s+and\\s+'(?<last>%s)')".formatted(value, value, value);
    }

    /** The column as the date_format or format_datetime of {@link #formatted} wrote it. */
    private static String formattedColumn(Matcher match)
    {
        return match.group("mysqlColumn") != null ? match.group("mysqlColumn") : match.group("jodaColumn");
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
        return ExecutedStatement.runnable(ExecutedStatement.withoutComments(query)).filter(statement -> !ENDS_LIMITED.matcher(statement).matches())
                .map(statement -> statement.strip().replaceAll(";\\s*$", "") + "\nLIMIT " + limit);
    }

    private static String literal(LocalDateTime at, String type)
    {
        return literal(at, type, null);
    }

    /** {@code at} as a literal of the column's type; in {@code zone} when it is not null (a timestamp with a time zone's, in UTC otherwise). */
    private static String literal(LocalDateTime at, String type, String zone)
    {
        if (zone == null && "date".equals(type) && at.toLocalTime().equals(LocalTime.MIDNIGHT)) {
            return "DATE '%s'".formatted(at.toLocalDate());
        }
        String in = zone != null ? " " + zone : withTimeZone(type) ? " UTC" : "";
        return "TIMESTAMP '%s %s%s'".formatted(at.toLocalDate(), at.toLocalTime().format(HOURS), in);
    }

    private static final DateTimeFormatter HOURS = DateTimeFormatter.ofPattern("HH:mm:ss");

    /** Whether the column's Iceberg type (timestamptz, timestamptz_ns) is a timestamp with a time zone. */
    private static boolean withTimeZone(String type)
    {
        return type != null && type.startsWith("timestamptz");
    }
}
