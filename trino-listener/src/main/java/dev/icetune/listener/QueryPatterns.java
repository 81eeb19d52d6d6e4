package dev.icetune.listener;

import dev.icetune.plan.ExecutedStatement;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a query text into its pattern: literals become {@code ?}, IN lists and arrays of literals become
 * {@code IN (?)} and {@code ARRAY [ ? ]}, a list of rows that differ only in literals becomes one row ({@code VALUES (?, date ?)}
 * for any number of rows), comments go, whitespace collapses and unquoted words are lower-cased (Trino's
 * identifiers and keywords are case-insensitive). Queries that differ only in constants share one pattern.
 *
 * <p>A single-pass lexer rather than Trino's parser: it must accept anything, including text that
 * does not parse, and run in time linear in the text.
 */
public final class QueryPatterns
{
    /** A digest per thread: looking one up through the security providers costs more than hashing a pattern. */
    private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    });

    /** Trino's table version clause, as a pattern writes it (lower case, one space between words). */
    private static final Pattern AS_OF = Pattern.compile("\\bfor (?:version|timestamp|system_version|system_time) as of\\b");

    private QueryPatterns() {}

    public static String normalize(String sql)
    {
        StringBuilder out = new StringBuilder(Math.min(sql.length(), 1 << 16));
        // where each parenthesis still open starts in out
        int[] opens = new int[16];
        int depth = 0;
        int n = sql.length();
        int i = 0;
        while (i < n) {
            char c = sql.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
                continue;
            }
            if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
                while (i < n && sql.charAt(i) != '\n') {
                    i++;
                }
                continue;
            }
            if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                int close = sql.indexOf("*/", i + 2);
                i = close < 0 ? n : close + 2;
                continue;
            }
            if (c == '\'') {
                i = afterQuoted(sql, i);
                appendToken(out, "?");
                continue;
            }
            if (c == '"' || c == '`') {
                int end = afterQuoted(sql, i);
                appendToken(out, sql.substring(i, end));
                i = end;
                continue;
            }
            if (Character.isDigit(c) || (c == '.' && i + 1 < n && Character.isDigit(sql.charAt(i + 1)))) {
                i = skipNumber(sql, i);
                appendToken(out, "?");
                continue;
            }
            if (Character.isLetter(c) || c == '_') {
                int start = i;
                while (i < n && (Character.isLetterOrDigit(sql.charAt(i)) || sql.charAt(i) == '_' || sql.charAt(i) == '$')) {
                    i++;
                }
                // X'..' binary and U&'..' unicode literals are one literal, not a word and a string
                char first = Character.toLowerCase(c);
                if (i - start == 1 && (first == 'x' || first == 'u') && i < n && (sql.charAt(i) == '\'' || sql.charAt(i) == '&')) {
                    if (sql.charAt(i) == '&' && i + 1 < n && sql.charAt(i + 1) == '\'') {
                        i++;
                    }
                    if (i < n && sql.charAt(i) == '\'') {
                        i = afterQuoted(sql, i);
                        appendToken(out, "?");
                        continue;
                    }
                }
                if (isListedConstant(out, sql, start, i)) {
                    appendToken(out, "?");
                    continue;
                }
                appendLowerCaseWord(out, sql, start, i);
                continue;
            }
            // a sign before a number, after an operator or '(' or ',', is part of the literal, spaced from it or not (`- 3.5e-2`, as `-1`)
            if (c == '-' || c == '+') {
                int number = afterSpaces(sql, i + 1);
                if (isDigitAt(sql, number) && lastTokenIsOperatorOrOpen(out)) {
                    i = skipNumber(sql, number);
                    appendToken(out, "?");
                    continue;
                }
            }
            if (c == '?') {
                // a parameter of a prepared statement: a value, as a literal is
                appendToken(out, "?");
                i++;
                continue;
            }
            appendSymbol(out, c);
            i++;
            if (c == '(' || c == '[') {
                if (depth == opens.length) {
                    opens = Arrays.copyOf(opens, depth * 2);
                }
                opens[depth++] = out.length() - 1;
            }
            else if ((c == ')' || c == ']') && depth > 0) {
                int open = opens[--depth];
                if (out.charAt(open) == (c == ')' ? '(' : '[')) {
                    collapseLiteralList(out, open);
                }
            }
        }
        return out.toString();
    }

    /**
     * The text a query's pattern is taken from. For {@code EXECUTE name}, the statement Trino prepared under that name
     * ({@code preparedQuery}): clients reuse names such as statement1 for any statement. For {@code EXECUTE IMMEDIATE '...'},
     * the statement in its string literal: the Trino JDBC driver and Python client send every query with parameters this
     * way, and all of them would otherwise share the pattern {@code execute immediate ? using ?}. Any other query is its own
     * text, and so is an EXECUTE IMMEDIATE whose literal was cut off with the query text.
     */
    public static String executed(String query, Optional<String> preparedQuery)
    {
        return preparedQuery.orElseGet(() -> ExecutedStatement.immediate(query).map(ExecutedStatement.Immediate::statement).orElse(query));
    }

    /**
     * Whether a pattern reads the table {@code catalog.schema.table} as it was ({@code FOR VERSION AS OF}, {@code FOR TIMESTAMP AS OF},
     * and their {@code SYSTEM_} forms): that scan read a snapshot the table may have moved past, and says nothing of its layout now.
     * Trino's grammar puts the clause right after the table's name, so a join of one table as of a version with another as it is marks
     * the first alone; the name's schema and catalog, where the query writes them, must be the table's too. A clause after something
     * that does not read as a name marks every table.
     */
    public static boolean readsAsOf(String pattern, String catalog, String schema, String table)
    {
        if (!pattern.contains(" as of ")) {
            return false;
        }
        Matcher clause = AS_OF.matcher(pattern);
        while (clause.find()) {
            List<String> name = nameBefore(pattern, clause.start() - 1);
            if (name.isEmpty() || names(name, catalog, schema, table)) {
                return true;
            }
        }
        return false;
    }

    /** Whether a name as the query wrote it, its last part first, names the table: each part it has is the table's, in any case. */
    private static boolean names(List<String> lastFirst, String catalog, String schema, String table)
    {
        List<String> parts = List.of(table, schema, catalog);
        for (int i = 0; i < lastFirst.size(); i++) {
            if (i >= parts.size() || !lastFirst.get(i).equalsIgnoreCase(parts.get(i))) {
                return false;
            }
        }
        return true;
    }

    /** The parts of the qualified name that ends before the space at {@code end}, unquoted, the last first; none when no name ends there. */
    private static List<String> nameBefore(String pattern, int end)
    {
        if (end < 1 || pattern.charAt(end) != ' ') {
            return List.of();
        }
        List<String> parts = new ArrayList<>();
        int partEnd = end;
        while (true) {
            int start;
            if (partEnd > 0 && pattern.charAt(partEnd - 1) == '"') {
                // a quoted name, its quotes doubled inside: back to the quote that opens it
                int open = partEnd - 2;
                while (open >= 0 && (pattern.charAt(open) != '"' || (open > 0 && pattern.charAt(open - 1) == '"'))) {
                    open -= pattern.charAt(open) == '"' ? 2 : 1; // a doubled quote is part of the name
                }
                if (open < 0) {
                    return List.of();
                }
                parts.add(pattern.substring(open + 1, partEnd - 1).replace("\"\"", "\""));
                start = open;
            }
            else {
                start = partEnd;
                while (start > 0 && (Character.isLetterOrDigit(pattern.charAt(start - 1)) || pattern.charAt(start - 1) == '_' || pattern.charAt(start - 1) == '$')) {
                    start--;
                }
                if (start == partEnd) {
                    return List.of();
                }
                parts.add(pattern.substring(start, partEnd));
            }
            if (start == 0 || pattern.charAt(start - 1) != '.') {
                return parts;
            }
            partEnd = start - 1;
        }
    }

    /** A stable short identity of a pattern (first 16 bytes of its SHA-256, as hex). */
    public static String hash(String pattern)
    {
        byte[] digest = SHA_256.get().digest(pattern.getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(digest, 0, 16);
    }

    /**
     * Whether the word at {@code start} to {@code end} is NULL, TRUE or FALSE standing alone in a list, between '(' or ','
     * and ',' or ')': a value as a literal is, so that a loader's rows with their NULLs in other places are one row
     * ({@code (?, null),(?)} was a pattern per layout). {@code IS NULL} and {@code CAST(NULL AS ...)} stay as they are.
     */
    private static boolean isListedConstant(StringBuilder out, String sql, int start, int end)
    {
        if (out.isEmpty() || (out.charAt(out.length() - 1) != '(' && out.charAt(out.length() - 1) != ',')) {
            return false;
        }
        boolean constant = switch (end - start) {
            case 4 -> sql.regionMatches(true, start, "null", 0, 4) || sql.regionMatches(true, start, "true", 0, 4);
            case 5 -> sql.regionMatches(true, start, "false", 0, 5);
            default -> false;
        };
        if (!constant) {
            return false;
        }
        int next = afterSpaces(sql, end);
        return next < sql.length() && (sql.charAt(next) == ',' || sql.charAt(next) == ')');
    }

    /** The index of the first character from {@code start} on that is not white space, or the text's length. */
    private static int afterSpaces(String sql, int start)
    {
        int next = start;
        while (next < sql.length() && Character.isWhitespace(sql.charAt(next))) {
            next++;
        }
        return next;
    }

    private static boolean isDigitAt(String sql, int index)
    {
        return index < sql.length() && Character.isDigit(sql.charAt(index));
    }

    /** The index after the quoted text starting at {@code start} (a doubled quote is part of it), or the text's length. */
    private static int afterQuoted(String sql, int start)
    {
        return Math.min(ExecutedStatement.closingQuote(sql, start) + 1, sql.length());
    }

    private static int skipNumber(String sql, int start)
    {
        int i = start;
        int n = sql.length();
        while (i < n && (Character.isLetterOrDigit(sql.charAt(i)) || sql.charAt(i) == '.' || sql.charAt(i) == '_')) {
            char c = sql.charAt(i);
            if ((c == 'e' || c == 'E') && i + 1 < n && (sql.charAt(i + 1) == '-' || sql.charAt(i + 1) == '+')) {
                i++;
            }
            i++;
        }
        return i;
    }

    private static boolean lastTokenIsOperatorOrOpen(StringBuilder out)
    {
        if (out.isEmpty()) {
            return true;
        }
        char last = out.charAt(out.length() - 1);
        if ("(,=<>+-*/%".indexOf(last) >= 0) {
            return true;
        }
        String tail = out.substring(Math.max(0, out.length() - 8));
        return tail.endsWith(" and") || tail.endsWith(" or") || tail.endsWith(" between") || tail.endsWith(" then")
                || tail.endsWith(" else") || tail.endsWith(" when") || tail.endsWith("select") || tail.endsWith(" in");
    }

    private static void appendToken(StringBuilder out, String token)
    {
        separate(out);
        out.append(token);
    }

    /** A space before the next token, unless it follows an opening parenthesis or a dot. */
    private static void separate(StringBuilder out)
    {
        if (!out.isEmpty()) {
            char last = out.charAt(out.length() - 1);
            if (last != '(' && last != '.') {
                out.append(' ');
            }
        }
    }

    /** A word lower-cased as it is appended: words are most of a query, and this is the hot path. */
    private static void appendLowerCaseWord(StringBuilder out, String sql, int start, int end)
    {
        separate(out);
        for (int i = start; i < end; i++) {
            out.append(Character.toLowerCase(sql.charAt(i)));
        }
    }

    private static void appendSymbol(StringBuilder out, char c)
    {
        switch (c) {
            case '(', ')', ',', '.', ';' -> {
                // no space before these: "count(*)", "a, b", "s.t"
                if (c == '(' && !out.isEmpty() && (isOperatorChar(out.charAt(out.length() - 1)) || endsWithKeyword(out))) {
                    out.append(' ');
                }
                if (c != ';') {
                    out.append(c);
                }
            }
            default -> {
                boolean joinsPrevious = !out.isEmpty() && isOperatorChar(out.charAt(out.length() - 1));
                if (!out.isEmpty() && !joinsPrevious && out.charAt(out.length() - 1) != '(') {
                    out.append(' ');
                }
                out.append(c);
            }
        }
    }

    /** Keywords that take a parenthesized list: "in (?)", not a function call "count(". */
    private static final java.util.Set<String> SPACED_KEYWORDS = java.util.Set.of(
            "in", "and", "or", "not", "exists", "from", "join", "where", "select", "on", "values", "as", "when", "then", "else", "by", "using", "with", "any", "some", "all");

    private static boolean endsWithKeyword(StringBuilder out)
    {
        int start = out.length();
        while (start > 0 && (Character.isLetterOrDigit(out.charAt(start - 1)) || out.charAt(start - 1) == '_')) {
            start--;
        }
        return start < out.length() && (start == 0 || out.charAt(start - 1) == ' ' || out.charAt(start - 1) == '(')
                && SPACED_KEYWORDS.contains(out.substring(start));
    }

    private static boolean isOperatorChar(char c)
    {
        return "=<>!|+-*/%^~&".indexOf(c) >= 0;
    }

    /**
     * After the ')' or ']' of a group opened at {@code open}: turns "(?, ?, ?)" into "(?)" and "array [ ?, ? ]" into
     * "array [ ? ]", so that IN lists and arrays of any length share a pattern, and drops a group of literals that repeats
     * the one before it ("(?, date ?),(?, date ?)" becomes "(?, date ?)"), so that VALUES of any number of rows, and IN
     * lists of rows, share one.
     */
    private static void collapseLiteralList(StringBuilder out, int open)
    {
        // each check stops at the first character that rules it out, and none copies: in generated SQL nested thousands of
        // levels deep, a ')' that looked at all it closes made the pattern cost the square of the text
        int close = out.length() - 1;
        if (onlyLiterals(out, open + 1, close)) {
            out.setLength(open + 1);
            out.append(out.charAt(open) == '(' ? "?)" : " ? ]");
            close = out.length() - 1;
        }
        int length = close - open + 1;
        int previous = open - 1 - length;
        // the group before is a row of the same list, not a call's arguments ("f(?),(?)" keeps both)
        if (previous >= 0 && out.charAt(open - 1) == ',' && out.charAt(previous) == '(' && (previous == 0 || " (,".indexOf(out.charAt(previous - 1)) >= 0)
                && sameText(out, previous, open, length) && out.indexOf("?", open) >= 0) {
            out.setLength(open - 1);
        }
    }

    /** Whether {@code out} between {@code from} and {@code to} is a list of literals: "?, ?", " ? , ? ". */
    private static boolean onlyLiterals(StringBuilder out, int from, int to)
    {
        boolean comma = false;
        for (int i = from; i < to; i++) {
            char c = out.charAt(i);
            if (c == ',') {
                comma = true;
            }
            else if (c != '?' && c != ' ') {
                return false;
            }
        }
        return comma;
    }

    private static boolean sameText(StringBuilder out, int first, int second, int length)
    {
        for (int i = 0; i < length; i++) {
            if (out.charAt(first + i) != out.charAt(second + i)) {
                return false;
            }
        }
        return true;
    }
}
