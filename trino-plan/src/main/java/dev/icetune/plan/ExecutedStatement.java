package dev.icetune.plan;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * What a query text executes when it is an EXECUTE. The Trino JDBC driver and the Python client send every query with
 * parameters as {@code EXECUTE IMMEDIATE '<statement>' USING <values>}; with explicit preparation, as {@code EXECUTE name
 * USING <values>}, whose statement Trino holds under the name and the text does not. Reads any text without failing: what
 * it does not recognise is not an EXECUTE IMMEDIATE.
 */
public final class ExecutedStatement
{
    private ExecutedStatement() {}

    /** An {@code EXECUTE IMMEDIATE}: the statement in its literal, and the expressions of its USING clause as written. */
    public record Immediate(String statement, List<String> parameters)
    {
        public Immediate
        {
            requireNonNull(statement, "statement is null");
            parameters = List.copyOf(parameters);
        }

        /** The statement with each parameter in place of its {@code ?}, in order; empty when their counts differ. */
        public Optional<String> bound()
        {
            StringBuilder bound = new StringBuilder(statement.length());
            int next = 0;
            int i = 0;
            while (i < statement.length()) {
                char c = statement.charAt(i);
                int end = c == '\'' || c == '"' ? closingQuote(statement, i) + 1 : commentEnd(statement, i);
                if (end > i) {
                    bound.append(statement, i, Math.min(end, statement.length()));
                    i = end;
                    continue;
                }
                if (c == '?') {
                    if (next == parameters.size()) {
                        return Optional.empty();
                    }
                    bound.append(parameters.get(next++));
                }
                else {
                    bound.append(c);
                }
                i++;
            }
            return next == parameters.size() ? Optional.of(bound.toString()) : Optional.empty();
        }
    }

    /** The statement and parameters of {@code EXECUTE IMMEDIATE '...' [USING ...]}; empty for any other text, or one cut off. */
    public static Optional<Immediate> immediate(String queryText)
    {
        int literal = afterKeyword(queryText, afterKeyword(queryText, 0, "execute"), "immediate");
        if (literal < 0 || literal >= queryText.length() || queryText.charAt(literal) != '\'') {
            return Optional.empty();
        }
        int close = closingQuote(queryText, literal);
        if (close >= queryText.length()) {
            return Optional.empty(); // unterminated: the text was cut off
        }
        String statement = queryText.substring(literal + 1, close).replace("''", "'");
        int using = afterKeyword(queryText, close + 1, "using");
        if (using < 0) {
            return Optional.of(new Immediate(statement, List.of()));
        }
        return Optional.of(new Immediate(statement, topLevelList(queryText.substring(using))));
    }

    /**
     * The statement and values of {@code EXECUTE name [USING ...]}, of {@code statement}, the one Trino prepared under that name
     * (which the text does not hold); empty for any other text.
     */
    private static Optional<Immediate> prepared(String queryText, String statement)
    {
        int name = afterKeyword(queryText, 0, "execute");
        if (name < 0 || name >= queryText.length() || immediate(queryText).isPresent()) {
            return Optional.empty();
        }
        int end = name;
        if (queryText.charAt(name) == '"') {
            end = closingQuote(queryText, name) + 1;
        }
        else {
            while (end < queryText.length() && (Character.isLetterOrDigit(queryText.charAt(end)) || queryText.charAt(end) == '_')) {
                end++;
            }
        }
        int using = afterKeyword(queryText, end, "using");
        if (using >= 0 && !quotesClosed(queryText, using)) {
            return Optional.empty(); // the values were cut off with the text
        }
        return Optional.of(new Immediate(statement, using < 0 ? List.of() : topLevelList(queryText.substring(using))));
    }

    /** Whether every quote from {@code start} on is closed. */
    private static boolean quotesClosed(String text, int start)
    {
        for (int i = start; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\'' || c == '"') {
                i = closingQuote(text, i);
                if (i >= text.length()) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * The statement a query text runs, as a query of its own: for an EXECUTE of a statement prepared by name, that statement
     * ({@code preparedStatement}, null when not known) with the text's values in place; otherwise as {@link #runnable(String)}.
     */
    public static Optional<String> runnable(String queryText, String preparedStatement)
    {
        return runnable(queryText).or(() -> queryText == null || preparedStatement == null ? Optional.empty()
                : prepared(queryText, preparedStatement).flatMap(Immediate::bound));
    }

    /**
     * The statement a query text runs, as a query of its own: the text itself; for an EXECUTE IMMEDIATE, its statement with
     * the values in place; empty for an EXECUTE of a prepared statement, whose statement the text does not hold.
     */
    public static Optional<String> runnable(String queryText)
    {
        if (queryText == null) {
            return Optional.empty();
        }
        Optional<Immediate> immediate = immediate(queryText);
        if (immediate.isPresent()) {
            return immediate.get().bound();
        }
        return isExecute(queryText) ? Optional.empty() : Optional.of(queryText);
    }

    /** Whether the text is an EXECUTE, of a prepared statement or immediate. */
    public static boolean isExecute(String queryText)
    {
        return afterKeyword(queryText, 0, "execute") >= 0;
    }

    /** Comma-separated expressions, split where no quote, parenthesis or bracket is open; a trailing semicolon goes. */
    private static List<String> topLevelList(String text)
    {
        List<String> items = new ArrayList<>();
        if (text.isBlank()) {
            return items;
        }
        int depth = 0;
        int start = 0;
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '\'' || c == '"') {
                i = closingQuote(text, i) + 1;
                continue;
            }
            if (c == '(' || c == '[') {
                depth++;
            }
            else if (c == ')' || c == ']') {
                depth--;
            }
            else if (c == ',' && depth == 0) {
                items.add(text.substring(start, i).strip());
                start = i + 1;
            }
            i++;
        }
        String last = text.substring(start).strip();
        items.add(last.endsWith(";") ? last.substring(0, last.length() - 1).strip() : last);
        return items;
    }

    /**
     * The SQL without its comments: a {@code -- ...} comment up to its line's end, a block comment as one space, and the space left at
     * either end; quoted text and names kept as they are. Null for null.
     */
    public static String withoutComments(String sql)
    {
        if (sql == null || (!sql.contains("--") && !sql.contains("/*"))) {
            return sql;
        }
        StringBuilder code = new StringBuilder(sql.length());
        int i = 0;
        while (i < sql.length()) {
            char c = sql.charAt(i);
            if (c == '\'' || c == '"') {
                int end = Math.min(closingQuote(sql, i) + 1, sql.length());
                code.append(sql, i, end);
                i = end;
                continue;
            }
            int end = commentEnd(sql, i);
            if (end > i) {
                code.append(sql.startsWith("--", i) ? (sql.charAt(end - 1) == '\n' ? "\n" : "") : " ");
                i = end;
                continue;
            }
            code.append(c);
            i++;
        }
        return code.toString().strip();
    }

    /** The index of the quote closing the one at {@code open} (a doubled quote is part of the text), or the text's length. */
    public static int closingQuote(String sql, int open)
    {
        char quote = sql.charAt(open);
        int i = open + 1;
        while (i < sql.length()) {
            if (sql.charAt(i) == quote) {
                if (i + 1 < sql.length() && sql.charAt(i + 1) == quote) {
                    i += 2;
                    continue;
                }
                return i;
            }
            i++;
        }
        return sql.length();
    }

    /** The index after a comment starting at {@code start}, or {@code start} when none does. */
    private static int commentEnd(String sql, int start)
    {
        if (sql.startsWith("--", start)) {
            int newline = sql.indexOf('\n', start);
            return newline < 0 ? sql.length() : newline + 1;
        }
        if (sql.startsWith("/*", start)) {
            int close = sql.indexOf("*/", start + 2);
            return close < 0 ? sql.length() : close + 2;
        }
        return start;
    }

    private static int skipSpaceAndComments(String sql, int start)
    {
        int i = start;
        while (i < sql.length()) {
            int end = Character.isWhitespace(sql.charAt(i)) ? i + 1 : commentEnd(sql, i);
            if (end == i) {
                break;
            }
            i = end;
        }
        return i;
    }

    /**
     * The index of what follows {@code keyword} (space and comments skipped), when the first word at or after {@code start}
     * is that keyword; -1 otherwise, and for a {@code start} of -1.
     */
    private static int afterKeyword(String sql, int start, String keyword)
    {
        if (start < 0) {
            return -1;
        }
        int from = skipSpaceAndComments(sql, start);
        int end = from + keyword.length();
        if (end > sql.length() || !sql.regionMatches(true, from, keyword, 0, keyword.length())) {
            return -1;
        }
        return end < sql.length() && (Character.isLetterOrDigit(sql.charAt(end)) || sql.charAt(end) == '_') ? -1 : skipSpaceAndComments(sql, end);
    }
}
