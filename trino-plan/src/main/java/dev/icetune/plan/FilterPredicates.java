package dev.icetune.plan;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the filter Trino left above a scan (query_inputs.filter_predicate, as Trino prints it) into
 * per-column predicates: {@code (user_id = bigint '14')} is an equality on user_id,
 * {@code ((timestamp(6) '2024-01-14 ...' <= ts) AND (ts < ...))} a temporal range on ts,
 * {@code (date_format(ts, varchar(8) '%Y-%m-%d') = varchar(10) '2024-01-10')} a function around ts,
 * {@code $like(name, LikePattern '[%x]')} a LIKE on name. A text it cannot read yields no predicate.
 */
public final class FilterPredicates
{
    /**
     * One conjunct of a filter. {@code function} is null unless the column is wrapped; {@code upperBound} when it bounds its column
     * from above ({@code ts < x}, {@code x >= ts}); {@code inclusive} when the column may equal the literal ({@code <=}, {@code >=},
     * {@code =}). A date equal to one or listed is a range of the {@code days} it names (in order, each once; {@code literal} the first):
     * {@code d = date '2024-01-15'} selects that day, {@code d IN (date '2024-01-01', date '2024-01-08')} two. {@code values}: how many
     * values it compares the column with, an IN's list (an application's lookup of 500 ids) as many as it lists, else one.
     */
    public record ColumnPredicate(String column, PredicateKind kind, String function, boolean temporal, String literal, String text, boolean upperBound,
            boolean inclusive, List<Instant> days, int values)
    {
        public ColumnPredicate
        {
            days = List.copyOf(days);
        }

        /** A LIKE whose pattern starts with a wildcard: neither min/max nor a partition can narrow it. */
        public boolean leadingWildcard()
        {
            return kind == PredicateKind.LIKE && literal != null && (literal.startsWith("%") || literal.startsWith("_"));
        }

        /** The date or timestamp from which the values this predicate selects start: its own, unless it bounds them from above. */
        public Optional<Instant> lowerBound()
        {
            return upperBound ? Optional.empty() : instant().map(instant -> isDate() && !inclusive ? instant.plus(Duration.ofDays(1)) : instant);
        }

        /**
         * Where the time this range conjunct selects starts or ends, a date's whole day taken: {@code d <= date '2024-01-07'} ends on the
         * 8th, {@code d > date '2024-01-01'} starts on the 2nd.
         */
        Optional<Instant> timeBound()
        {
            return instant().map(instant -> isDate() && upperBound == inclusive ? instant.plus(Duration.ofDays(1)) : instant);
        }

        /** A date equal to one or listed: ranges of whole days, yet values, as a bucket partition prunes them. */
        public boolean namesDays()
        {
            return !days.isEmpty();
        }

        /** Whether the literal is a date (a day), not a timestamp. */
        private boolean isDate()
        {
            if (!temporal || literal == null) {
                return false;
            }
            Matcher matcher = DATE_TIME.matcher(literal);
            return matcher.matches() && matcher.group(2) == null;
        }

        /** The date or timestamp this predicate compares against, in the zone its literal names (Trino prints a timestamp with time zone's), else UTC. */
        public Optional<Instant> instant()
        {
            if ("to_unixtime".equals(function) && literal != null && NUMBER.matcher(literal).matches()) {
                try {
                    return Optional.of(Instant.ofEpochMilli(Math.round(Double.parseDouble(literal) * 1000)));
                }
                catch (NumberFormatException e) {
                    return Optional.empty();
                }
            }
            if (!temporal || literal == null) {
                return Optional.empty();
            }
            Matcher matcher = DATE_TIME.matcher(literal);
            if (!matcher.lookingAt()) {
                return Optional.empty();
            }
            String time = matcher.group(2) == null ? "00:00:00" : matcher.group(2);
            Matcher zone = ZONE.matcher(literal).region(matcher.end(), literal.length());
            try {
                return Optional.of(LocalDateTime.parse(matcher.group(1) + "T" + time).atZone(zone.matches() ? ZoneId.of(zone.group(1)) : ZoneOffset.UTC).toInstant());
            }
            catch (DateTimeException e) {
                return Optional.empty();
            }
        }

        /**
         * How much time one value of the wrapped column covers, from the function around it: {@code date_format(ts, '%Y-%m-%d')},
         * {@code format_datetime(ts, 'yyyy-MM-dd')} and {@code CAST(ts AS date)} a day, {@code '%Y-%m'} a month, {@code '%Y-%m-%d %H'} an hour.
         */
        public Optional<Duration> granularity()
        {
            if (kind != PredicateKind.WRAPPED) {
                return Optional.empty();
            }
            if ("format_datetime".equals(function)) {
                return jodaGranularity();
            }
            String lower = text.toLowerCase(Locale.ROOT);
            if (lower.contains(" as varchar") && ("cast".equals(function) || "substring".equals(function) || "substr".equals(function))) {
                return textPrefixGranularity();
            }
            if ("cast".equals(function)) {
                return lower.contains(" as date") ? Optional.of(Duration.ofDays(1)) : Optional.empty();
            }
            if (lower.contains("%h") || lower.contains("%k")) {
                return Optional.of(Duration.ofHours(1));
            }
            if (lower.contains("%d") || lower.contains("%e") || lower.contains("%j")) {
                return Optional.of(Duration.ofDays(1));
            }
            if (lower.contains("%m") || lower.contains("%c")) {
                return Optional.of(Duration.ofDays(31));
            }
            return lower.contains("%y") ? Optional.of(Duration.ofDays(366)) : Optional.empty();
        }

        /**
         * A leading part of the column's text ({@code '2024-01-15 10:30:00.000000'}, a date's {@code '2024-01-15'}) compared with a date's
         * leading part: {@code substring(CAST(ts AS varchar), 1, 10) = '2024-01-15'}, {@code CAST(ts AS varchar) LIKE '2024-01%'},
         * {@code starts_with(CAST(ts AS varchar), '2024')}. Its finest field of a year, month, day, hour or minute; a substring that does not
         * start at the text's start, or is not as long as the value, selects no one span.
         */
        private Optional<Duration> textPrefixGranularity()
        {
            String prefix = literal == null ? "" : literal.endsWith("%") ? literal.substring(0, literal.length() - 1) : literal;
            if (!"cast".equals(function)) {
                Matcher leading = LEADING_SUBSTRING.matcher(text);
                if (!leading.find() || Integer.parseInt(leading.group(1)) != prefix.length()) {
                    return Optional.empty();
                }
            }
            Matcher date = DATE_TEXT_PREFIX.matcher(prefix);
            if (!date.matches()) {
                return Optional.empty();
            }
            return Optional.of(date.group(4) != null ? Duration.ofMinutes(1) : date.group(3) != null ? Duration.ofHours(1)
                    : date.group(2) != null ? Duration.ofDays(1) : date.group(1) != null ? Duration.ofDays(31) : Duration.ofDays(366));
        }

        /**
         * format_datetime's format is Joda's, its letters' case meaning apart (MM months, mm minutes): its finest field of a year, month,
         * day or hour. Without a year one value is no one span of time (a day of every year): none.
         */
        private Optional<Duration> jodaGranularity()
        {
            Matcher format = FIRST_LITERAL.matcher(text);
            if (!format.find() || !format.group(1).matches(".*[yYxu].*")) {
                return Optional.empty();
            }
            String letters = format.group(1);
            if (letters.matches(".*[HkKh].*")) {
                return Optional.of(Duration.ofHours(1));
            }
            if (letters.matches(".*[dD].*")) {
                return Optional.of(Duration.ofDays(1));
            }
            return Optional.of(letters.contains("M") ? Duration.ofDays(31) : Duration.ofDays(366));
        }
    }

    /**
     * The time one filter selects on a column: between the lowest and the highest bound of its range conjuncts
     * ({@code '2024-01-05' <= ts AND ts < '2024-01-06'}: a day), or what one value of a wrapped column covers.
     * Empty when the filter bounds the column on one side only, or not by time.
     */
    public static Optional<Duration> timeSelected(List<ColumnPredicate> predicates, String column)
    {
        List<Instant> bounds = new ArrayList<>();
        for (ColumnPredicate predicate : predicates) {
            if (!predicate.column().equals(column)) {
                continue;
            }
            if (predicate.kind() == PredicateKind.WRAPPED && predicate.granularity().isPresent()) {
                return predicate.granularity();
            }
            if (!predicate.days().isEmpty()) {
                return Optional.of(Duration.ofDays(predicate.days().size())); // the days listed, not the span between the first and the last
            }
            // to_unixtime(ts) >= 1704240000: seconds since the epoch, a bound as much as a timestamp's
            if (predicate.kind() == PredicateKind.RANGE || "to_unixtime".equals(predicate.function())) {
                predicate.timeBound().ifPresent(bounds::add);
            }
        }
        if (bounds.size() < 2) {
            return Optional.empty();
        }
        return Optional.of(Duration.between(bounds.stream().min(Instant::compareTo).orElseThrow(), bounds.stream().max(Instant::compareTo).orElseThrow()));
    }

    private static final Pattern OPERATOR = Pattern.compile("\\s(<=|>=|<>|!=|=|<|>|IN|BETWEEN|LIKE)\\s", Pattern.CASE_INSENSITIVE);
    /** A column: a plain name, or a double-quoted one ({@code "event time"}, {@code ""} for a quote in it), as QueryPlan writes a column that is not a plain identifier. */
    private static final String COLUMN = "(?:([A-Za-z_][A-Za-z0-9_$]*)|\"((?:[^\"]++|\"\")++)\")";
    private static final Pattern IDENTIFIER = Pattern.compile(COLUMN);
    /**
     * A function call as Trino prints it: {@code date_format(ts, varchar(8) '%Y-%m-%d')}, {@code CAST(ts AS date)}, an operator's
     * {@code $operator$add(ts, interval day to second '1 00:00:00.000')}; group 1 the function, group 2 its arguments.
     */
    private static final Pattern CALL = Pattern.compile("(?is)^(\\$operator\\$[a-z_]+|[a-z_][a-z0-9_]*)\\s*\\((.*)\\)$");
    private static final Pattern CAST_ARGUMENT = Pattern.compile("(?is)^(.+?)\\s+AS\\s+[^']+$");
    private static final Pattern COMMA = Pattern.compile(",");
    /** The first quoted literal of a text: a function's format, {@code format_datetime(ts, varchar(10) 'yyyy-MM-dd')}. */
    private static final Pattern FIRST_LITERAL = Pattern.compile("'((?:[^']++|'')*+)'");
    private static final Pattern TEMPORAL_LITERAL = Pattern.compile("(?i)^(timestamp|date)(\\(\\d+\\))?( with time zone)?\\s*'");
    private static final Pattern LITERAL_VALUE = Pattern.compile("'((?:[^']++|'')*+)'\\s*\\)?$");
    private static final Pattern AND = Pattern.compile("\\sAND\\s");
    private static final Pattern NUMBER = Pattern.compile("-?[0-9.eE+-]+");
    private static final Pattern CONSTANT = Pattern.compile("(?i)(true|false|null)");
    private static final Pattern TYPED_LITERAL = Pattern.compile("(?is)^[a-z]+(\\(\\d+(,\\s*\\d+)?\\))?( with time zone)?\\s*'.*'$");
    private static final Pattern DATE_TIME = Pattern.compile("(\\d{4}-\\d{2}-\\d{2})(?:[ T](\\d{2}:\\d{2}:\\d{2}))?");
    /** What follows a timestamp with time zone's time: its fraction, then its zone ({@code .000000 America/New_York}, {@code UTC}, {@code +05:30}). */
    private static final Pattern ZONE = Pattern.compile("(?:\\.\\d+)?\\s+(\\S+)");
    /** A LIKE as Trino prints it, on a column or an expression of one: {@code $like(CAST(ts AS varchar), LikePattern '[2024-01%]')}. */
    private static final Pattern LIKE = Pattern.compile("(?s)^\\$like\\(\\s*(.+?)\\s*,\\s*LikePattern\\s*'\\[(.*)]'\\s*\\)$");
    /** starts_with(x, 'prefix'), which selects what {@code x LIKE 'prefix%'} does. */
    private static final Pattern STARTS_WITH = Pattern.compile("(?is)^starts_with\\(\\s*(.+?)\\s*,\\s*(?:varchar(?:\\(\\d+\\))?\\s*)?'((?:[^']++|'')*+)'\\s*\\)$");
    /** A date's or timestamp's text up to its year, month, day, hour or minute (groups 1 to 4 present from the month on). */
    private static final Pattern DATE_TEXT_PREFIX = Pattern.compile("\\d{4}(-\\d{2}(-\\d{2}([ T]\\d{2}(:\\d{2})?)?)?)?");
    /** substring(CAST(x AS varchar), 1, n): the first n characters of a value's text. */
    private static final Pattern LEADING_SUBSTRING = Pattern.compile("(?is)^substr(?:ing)?\\(\\s*CAST\\(.*\\sAS varchar(?:\\(\\d+\\))?\\)\\s*,\\s*bigint '1'\\s*,\\s*bigint '(\\d+)'\\s*\\)");

    private FilterPredicates() {}

    public static List<ColumnPredicate> parse(String filter)
    {
        List<ColumnPredicate> predicates = new ArrayList<>();
        if (filter == null || filter.isBlank()) {
            return predicates;
        }
        try {
            for (String conjunct : conjuncts(inlined(filter))) {
                parseConjunct(conjunct).ifPresent(predicates::add);
            }
        }
        catch (StackOverflowError e) {
            // a backstop: what nests deeper than a thread's stack (generated SQL) is no predicate to read, never a reason to fail an evaluation
            return new ArrayList<>();
        }
        return predicates;
    }

    /** What is kept of a filter none of whose conjuncts fits: a filter all the same (its scan is no full scan), read as no predicate. */
    public static final String NOT_KEPT = "(filter not kept: longer than the text stored)";

    /**
     * The filter in at most {@code maxLength} characters: whole when it fits, else the conjunction of those of its conjuncts that fit,
     * in their order (a looser filter, still one that reads: a list of 20,000 values looked up does not crowd out the day a query
     * reads); {@link #NOT_KEPT} when none does.
     */
    public static String within(String filter, int maxLength)
    {
        if (filter == null || filter.length() <= maxLength) {
            return filter;
        }
        StringBuilder kept = new StringBuilder();
        for (String conjunct : conjuncts(filter)) {
            int length = conjunct.length() + 2 + (kept.isEmpty() ? 0 : 5);
            if (kept.length() + length <= maxLength) {
                kept.append(kept.isEmpty() ? "" : " AND ").append('(').append(conjunct).append(')');
            }
        }
        return kept.isEmpty() ? NOT_KEPT : kept.toString();
    }

    /** Whether {@code filter} is one condition, no conjunction of several. */
    public static boolean isOneConjunct(String filter)
    {
        return filter != null && !filter.isBlank() && conjuncts(inlined(filter)).size() == 1;
    }

    /** The conjuncts of a filter, those of a parenthesized conjunction among them too (a LET's body is one), in their order. */
    static List<String> conjuncts(String filter)
    {
        List<String> conjuncts = new ArrayList<>();
        Deque<String> left = new ArrayDeque<>(List.of(filter));
        while (!left.isEmpty()) {
            List<String> parts = splitTopLevel(strip(left.pop()), AND);
            if (parts.size() == 1) {
                conjuncts.add(strip(parts.getFirst()));
            }
            else {
                parts.reversed().forEach(left::push);
            }
        }
        return conjuncts;
    }

    /** Trino 483's {@code LET(name::[type] = value, ..., body)}: a BETWEEN over an expression computes the expression once. */
    private static final Pattern LET = Pattern.compile("(?<![\\w$])LET\\(");
    private static final Pattern BINDING = Pattern.compile("(?s)^([A-Za-z_][A-Za-z0-9_$]*)::\\[[^\\]]*]\\s*=\\s*(.+)$");

    /**
     * The filter with each LET written out, its names replaced by their values: {@code LET(between::[varchar] = date_format(ts, ...),
     * ((varchar '2024-01-03' <= between) AND (between <= varchar '2024-01-04')))} is a range of date_format(ts, ...). As it is when a
     * LET does not read.
     */
    static String inlined(String filter)
    {
        String text = filter;
        int from = 0;
        for (Matcher let = LET.matcher(text); let.find(from); let = LET.matcher(text)) {
            int[] depths = depths(text);
            int open = let.end() - 1;
            if (depths[let.start()] < 0) {
                from = let.end(); // in a literal or a quoted name: text, not a LET
                continue;
            }
            int close = open + 1;
            while (close < text.length() && !(text.charAt(close) == ')' && depths[close] == depths[open] + 1)) {
                close++;
            }
            if (close >= text.length()) {
                return filter;
            }
            List<String> parts = splitTopLevel(text.substring(open + 1, close), COMMA);
            String body = parts.getLast();
            // the last binding first: a later one's value may name an earlier one
            for (int binding = parts.size() - 2; binding >= 0; binding--) {
                Matcher named = BINDING.matcher(strip(parts.get(binding)));
                if (!named.matches()) {
                    return filter;
                }
                body = replaceName(body, named.group(1), "(" + named.group(2).strip() + ")");
            }
            text = text.substring(0, let.start()) + "(" + body + ")" + text.substring(close + 1);
            from = let.start();
        }
        return text;
    }

    /** The text with each {@code name} that is a whole word outside literals and quoted names replaced by {@code value}. */
    private static String replaceName(String text, String name, String value)
    {
        int[] depths = depths(text);
        Matcher word = Pattern.compile("(?<![\\w$\"])" + Pattern.quote(name) + "(?![\\w$\"])").matcher(text);
        StringBuilder replaced = new StringBuilder();
        int copied = 0;
        while (word.find()) {
            if (depths[word.start()] >= 0) {
                replaced.append(text, copied, word.start()).append(value);
                copied = word.end();
            }
        }
        return replaced.append(text, copied, text.length()).toString();
    }

    private static Optional<ColumnPredicate> parseConjunct(String text)
    {
        Matcher like = LIKE.matcher(text);
        if (like.matches()) {
            return onColumn(strip(like.group(1)), PredicateKind.LIKE, false, like.group(2), text, false, false, List.of(), 1);
        }
        Matcher startsWith = STARTS_WITH.matcher(text);
        if (startsWith.matches()) {
            return onColumn(strip(startsWith.group(1)), PredicateKind.LIKE, false, startsWith.group(2).replace("''", "'") + "%", text, false, false, List.of(), 1);
        }
        Matcher operator = OPERATOR.matcher(text);
        int[] depths = depths(text);
        int at = -1;
        String op = null;
        while (operator.find()) {
            if (depths[operator.start()] == 0) {
                at = operator.start();
                op = operator.group(1).toUpperCase(Locale.ROOT);
                break;
            }
        }
        if (at < 0) {
            return Optional.empty();
        }
        String left = strip(text.substring(0, at));
        String right = strip(text.substring(at + op.length() + 2));
        boolean leftLiteral = isLiteral(left);
        String columnSide = leftLiteral ? right : left;
        String literalSide = leftLiteral ? left : right;
        if (isLiteral(columnSide) || (!isLiteral(literalSide) && !op.equals("IN") && !op.equals("BETWEEN"))) {
            return Optional.empty(); // column against column: a join condition, not a scan filter
        }
        boolean temporal = TEMPORAL_LITERAL.matcher(literalSide).find();
        // the values compared with: an IN's list, split once for its days and its count
        List<String> values = op.equals("IN") ? splitTopLevel(literalSide, COMMA) : List.of(literalSide);
        List<Instant> days = temporal && (op.equals("=") || op.equals("IN")) ? listedDays(values) : List.of();
        PredicateKind kind = switch (op) {
            // a day, or days of a dashboard (this Monday and the Mondays before): as much a time range as their bounds would be
            // (partitions by month read a month of files for one)
            case "=", "IN" -> days.isEmpty() ? PredicateKind.EQUALITY : PredicateKind.RANGE;
            case "LIKE" -> PredicateKind.LIKE;
            case "<>", "!=" -> PredicateKind.OTHER;
            default -> PredicateKind.RANGE;
        };
        Matcher value = LITERAL_VALUE.matcher(literalSide);
        String literal = !days.isEmpty() ? LocalDate.ofInstant(days.getFirst(), ZoneOffset.UTC).toString() : value.find() ? value.group(1) : literalSide;
        boolean upperBound = kind == PredicateKind.RANGE && (leftLiteral ? op.startsWith(">") : op.startsWith("<"));
        return onColumn(columnSide, kind, temporal, literal, text, upperBound, List.of("=", "<=", ">=", "IN", "BETWEEN").contains(op), days, values.size());
    }

    private static final Pattern DATE_LITERAL = Pattern.compile("(?i)^date\\s*'(\\d{4}-\\d{2}-\\d{2})'$");

    /**
     * The days a literal or an IN's list names when each of its values is a date ({@code date '2024-01-15'}; {@code date '2024-01-01',
     * date '2024-01-08'}), in order; else none.
     */
    private static List<Instant> listedDays(List<String> values)
    {
        List<Instant> days = new ArrayList<>();
        for (String value : values) {
            Matcher date = DATE_LITERAL.matcher(value.strip());
            if (!date.matches()) {
                return List.of();
            }
            try {
                days.add(LocalDate.parse(date.group(1)).atStartOfDay(ZoneOffset.UTC).toInstant());
            }
            catch (DateTimeParseException e) {
                return List.of();
            }
        }
        return days.stream().distinct().sorted().toList();
    }

    /** A predicate of {@code kind} on a bare column; on a function of one, a wrapped one whatever its kind; else none. */
    private static Optional<ColumnPredicate> onColumn(String columnSide, PredicateKind kind, boolean temporal, String literal, String text, boolean upperBound,
            boolean inclusive, List<Instant> days, int values)
    {
        Matcher identifier = IDENTIFIER.matcher(columnSide);
        if (identifier.matches()) {
            return Optional.of(new ColumnPredicate(column(identifier, 1), kind, null, temporal, literal, text, upperBound, inclusive, days, values));
        }
        Matcher call = CALL.matcher(columnSide);
        if (call.matches()) {
            String function = call.group(1).toLowerCase(Locale.ROOT).replace("$operator$", "");
            return wrappedColumn(columnSide, 0).map(column -> new ColumnPredicate(column, PredicateKind.WRAPPED, function, temporal, literal, text, upperBound, inclusive, List.of(), values));
        }
        return Optional.empty();
    }

    /** Functions nested deeper than this are not read: a person's filter wraps a column in two or three. */
    private static final int MAX_NESTING = 16;

    /**
     * The one column inside functions of it, {@code date_format(ts, '%Y-%m-%d')}, {@code date_add('day', 1, ts)}, {@code lower(trim(name))},
     * {@code CAST(d AS timestamp(0))}: every other argument a literal; {@code depth} the calls around it so far. None when the expression has
     * two columns ({@code concat(a, b)}) or something else: no single column to compare bare.
     */
    private static Optional<String> wrappedColumn(String expression, int depth)
    {
        if (depth > MAX_NESTING) {
            return Optional.empty();
        }
        Matcher identifier = IDENTIFIER.matcher(expression);
        if (identifier.matches()) {
            return Optional.of(column(identifier, 1));
        }
        Matcher call = CALL.matcher(expression);
        if (!call.matches()) {
            return Optional.empty();
        }
        String arguments = call.group(2);
        if (call.group(1).equalsIgnoreCase("cast")) {
            Matcher cast = CAST_ARGUMENT.matcher(strip(arguments));
            return cast.matches() ? wrappedColumn(strip(cast.group(1)), depth + 1) : Optional.empty();
        }
        Optional<String> column = Optional.empty();
        for (String argument : splitTopLevel(arguments, COMMA)) {
            String value = strip(argument);
            if (isLiteral(value)) {
                continue;
            }
            Optional<String> inside = wrappedColumn(value, depth + 1);
            if (inside.isEmpty() || column.isPresent()) {
                return Optional.empty();
            }
            column = inside;
        }
        return column;
    }

    /** The column {@link #COLUMN} matched from group {@code group} on: plain, or quoted with its quotes taken off. */
    private static String column(Matcher matcher, int group)
    {
        return matcher.group(group) != null ? matcher.group(group) : matcher.group(group + 1).replace("\"\"", "\"");
    }

    private static boolean isLiteral(String side)
    {
        String trimmed = side.strip();
        return trimmed.endsWith("'") || NUMBER.matcher(trimmed).matches() || CONSTANT.matcher(trimmed).matches()
                || TYPED_LITERAL.matcher(trimmed).matches();
    }

    private static String strip(String text)
    {
        String result = text.strip();
        while (result.startsWith("(") && result.endsWith(")") && closes(result)) {
            result = result.substring(1, result.length() - 1).strip();
        }
        return result;
    }

    /** True when the '(' at 0 closes at the very end: the depth is 0 nowhere before it. */
    private static boolean closes(String text)
    {
        int[] depths = depths(text);
        for (int position = 1; position < text.length(); position++) {
            if (depths[position] == 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * The depth of parentheses before each position of {@code text}, and at its end; -1 inside a literal or a quoted name
     * (up to its closing quote), where no operator is one.
     */
    private static int[] depths(String text)
    {
        int[] depths = new int[text.length() + 1];
        int depth = 0;
        int position = 0;
        while (position < text.length()) {
            char c = text.charAt(position);
            depths[position] = depth;
            if (c == '\'' || c == '"') {
                int close = ExecutedStatement.closingQuote(text, position);
                Arrays.fill(depths, position + 1, Math.min(close, text.length()) + 1, -1);
                position = close + 1;
                continue;
            }
            if (c == '(') {
                depth++;
            }
            else if (c == ')') {
                depth--;
            }
            position++;
        }
        if (position == text.length()) {
            depths[position] = depth;
        }
        return depths;
    }

    private static List<String> splitTopLevel(String text, Pattern separator)
    {
        List<String> parts = new ArrayList<>();
        Matcher matcher = separator.matcher(text);
        int[] depths = depths(text);
        int start = 0;
        while (matcher.find()) {
            if (depths[matcher.start()] == 0) {
                parts.add(text.substring(start, matcher.start()));
                start = matcher.end();
            }
        }
        parts.add(text.substring(start));
        return parts;
    }
}
