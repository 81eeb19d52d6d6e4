package dev.icetune.cli.command;

import io.trino.grammar.sql.SqlBaseLexer;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.Token;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * One statement of a script as a person writes it to a .sql file, each ended by a semicolon, and where it starts (line from 1,
 * column from 0). The statements are told apart by Trino's own lexer, so that a semicolon in a string, a quoted name or a comment
 * ends nothing.
 */
record SqlStatement(String text, int line, int column)
{
    /** Where Trino places an error in a statement: "line 2:22". */
    private static final Pattern PLACE = Pattern.compile("\\bline (\\d+):(\\d+)");

    /** {@code USE schema} or {@code USE catalog.schema}, names bare or quoted. */
    private static final Pattern USE = Pattern.compile("(?is)USE\\s+(?:(\"(?:[^\"]++|\"\")++\"|[^\\s.\"]+)\\s*\\.\\s*)?(\"(?:[^\"]++|\"\")++\"|[^\\s.\"]+)");

    /** The catalog (when named) and schema a {@code USE} statement sets. */
    record Use(Optional<String> catalog, String schema) {}

    /** One part of a session property's name: quoted (its quotes doubled inside), or bare up to a space, a dot or the {@code =}. */
    private static final String PROPERTY_PART = "\"(?:[^\"]++|\"\")++\"|[^\\s.=\"]+";
    private static final Pattern PROPERTY_PARTS = Pattern.compile(PROPERTY_PART);

    /** A session property's name, of Trino or of a catalog ({@code iceberg.compression_codec}). */
    private static final String PROPERTY = "((?:" + PROPERTY_PART + ")(?:\\s*\\.\\s*(?:" + PROPERTY_PART + "))?)";

    private static final Pattern SET_SESSION = Pattern.compile("(?is)SET\\s+SESSION\\s+" + PROPERTY + "\\s*=\\s*(.+)");
    private static final Pattern RESET_SESSION = Pattern.compile("(?is)RESET\\s+SESSION\\s+" + PROPERTY);

    /** A session property a {@code SET SESSION} sets to {@code value}, or a {@code RESET SESSION} takes back (empty). */
    record SessionProperty(String name, Optional<String> value) {}

    SqlStatement
    {
        requireNonNull(text, "text is null");
    }

    /** The statements of {@code script}, without the comments and blank lines around them; empty when it holds none. */
    static List<SqlStatement> split(String script)
    {
        SqlBaseLexer lexer = new SqlBaseLexer(CharStreams.fromString(script));
        lexer.removeErrorListeners(); // what the lexer cannot read, Trino refuses with its own message
        List<SqlStatement> statements = new ArrayList<>();
        List<Token> tokens = new ArrayList<>();
        for (Token token = lexer.nextToken(); ; token = lexer.nextToken()) {
            if (token.getType() == Token.EOF || token.getText().equals(";")) {
                statement(tokens).ifPresent(statements::add);
                tokens.clear();
                if (token.getType() == Token.EOF) {
                    return statements;
                }
            }
            else {
                tokens.add(token);
            }
        }
    }

    /** From the first token that is not a comment or blank to the last. */
    private static Optional<SqlStatement> statement(List<Token> tokens)
    {
        int first = 0;
        while (first < tokens.size() && tokens.get(first).getChannel() != Token.DEFAULT_CHANNEL) {
            first++;
        }
        int last = tokens.size() - 1;
        while (last >= first && tokens.get(last).getChannel() != Token.DEFAULT_CHANNEL) {
            last--;
        }
        if (first > last) {
            return Optional.empty();
        }
        StringBuilder text = new StringBuilder();
        tokens.subList(first, last + 1).forEach(token -> text.append(token.getText()));
        return Optional.of(new SqlStatement(text.toString(), tokens.get(first).getLine(), tokens.get(first).getCharPositionInLine()));
    }

    /** The session this statement sets, when it is a {@code USE}. */
    Optional<Use> use()
    {
        Matcher use = USE.matcher(text);
        if (!use.matches()) {
            return Optional.empty();
        }
        return Optional.of(new Use(Optional.ofNullable(use.group(1)).map(SqlStatement::name), name(use.group(2))));
    }

    /**
     * The session property this statement sets or resets, when it is a {@code SET SESSION} or {@code RESET SESSION}: the value as the
     * session carries it, a string literal's text unquoted, any other literal (a number, true) as written.
     */
    Optional<SessionProperty> sessionProperty()
    {
        Matcher set = SET_SESSION.matcher(text);
        if (set.matches()) {
            String value = set.group(2).strip();
            if (value.length() >= 2 && value.startsWith("'") && value.endsWith("'")) {
                value = value.substring(1, value.length() - 1).replace("''", "'");
            }
            return Optional.of(new SessionProperty(propertyName(set.group(1)), Optional.of(value)));
        }
        Matcher reset = RESET_SESSION.matcher(text);
        return reset.matches() ? Optional.of(new SessionProperty(propertyName(reset.group(1)), Optional.empty())) : Optional.empty();
    }

    private static String propertyName(String written)
    {
        List<String> parts = new ArrayList<>();
        for (Matcher part = PROPERTY_PARTS.matcher(written); part.find(); ) {
            parts.add(name(part.group()));
        }
        return String.join(".", parts);
    }

    /** A name as Trino reads it: a quoted one as written, its doubled quotes single; a bare one in lower case. */
    private static String name(String written)
    {
        return written.startsWith("\"") ? written.substring(1, written.length() - 1).replace("\"\"", "\"") : written.toLowerCase(Locale.ROOT);
    }

    /** Trino's message about this statement with the place of its error in the script as written, not in the statement alone. */
    String placedInScript(String message)
    {
        return PLACE.matcher(message).replaceAll(place -> {
            int lineInStatement = Integer.parseInt(place.group(1));
            int columnInLine = Integer.parseInt(place.group(2)) + (lineInStatement == 1 ? column : 0);
            return "line " + (line + lineInStatement - 1) + ":" + columnInLine;
        });
    }

    /** The statement's beginning on one line, to name it among others. */
    String headline()
    {
        String line = text.replaceAll("\\s+", " ");
        return line.length() <= 72 ? line : line.substring(0, 71) + "…";
    }
}
