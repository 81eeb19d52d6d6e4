package dev.icetune.store;

import java.net.UnknownHostException;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** A failure as a person reads it: what each cause says, without class names and without a JDBC URL's password. */
public final class Failures
{
    private static final Pattern CLASS_NAME_PREFIX = Pattern.compile("(?<![\\w$.])(?:[a-z_][\\w$]*\\.)+[A-Z][\\w$]*: ");
    /** PostgreSQL's position of the error in a statement icetune never shows ("ERROR: ...\n  Position: 13"). */
    private static final Pattern STATEMENT_POSITION = Pattern.compile("\\R\\s*Position: \\d+");
    private static final Pattern WORD_BREAK = Pattern.compile("[^\\p{L}\\p{N}]+");

    /** What to do about a PostgreSQL failure that its own message leaves to the reader, by SQLSTATE. */
    private static final Map<String, String> WHAT_TO_DO = Map.of(
            // query_canceled: a DBA's guard on every session of the user or database, which icetune's reads of a busy window outlast
            "57014", "PostgreSQL canceled the statement: a statement_timeout set for icetune's database user or database is shorter than it takes "
                    + "(SHOW statement_timeout), or an operator canceled it. Raise it for that user: ALTER ROLE <icetune.db.user> SET statement_timeout = '30min'",
            // too_many_connections: a DBA's CONNECTION LIMIT on the role, or the server's max_connections, met at connecting
            "53300", "PostgreSQL has no connection left for icetune's database user (a CONNECTION LIMIT of the role) or for anyone (max_connections): "
                    + "an evaluation reads over about ten at once, and each Trino coordinator's listener uses icetune.db.writers and one more. Raise the limit",
            // read_only_sql_transaction: a standby, or default_transaction_read_only for a maintenance
            "25006", "The database takes no writes: icetune.db.url points at a standby, or default_transaction_read_only is on. "
                    + "Point it at the primary, or wait until the database takes writes");

    /**
     * insufficient_privilege on schema public: a database a DBA created for icetune and kept, where since PostgreSQL 15 its user may
     * not create tables.
     */
    private static final String MAY_NOT_CREATE = "icetune's database user lacks a privilege in the database: it creates icetune's tables and reads "
            + "and writes them, and since PostgreSQL 15 only the database's owner may create tables in schema public. Make it the owner "
            + "(ALTER DATABASE <database> OWNER TO <icetune.db.user>), or GRANT CREATE ON SCHEMA public TO <icetune.db.user>";
    /** insufficient_privilege on a table: the tables another user's migrate created (a superuser's), which are that user's. */
    private static final String NOT_THE_OWNER = "icetune's tables belong to another database user (bin/icetune migrate run with other credentials, "
            + "a superuser's): icetune.db.user must own them, as it adds and drops their day partitions. Make it their owner "
            + "(ALTER TABLE <table> OWNER TO <icetune.db.user>, each of them), or drop them and run bin/icetune migrate as icetune.db.user";

    private static final String INSUFFICIENT_PRIVILEGE = "42501";

    private Failures() {}

    /** The exception's message, with each cause's when it adds a word (Trino's driver's "Connection refused"). */
    public static String message(Throwable exception)
    {
        // each cause adds what it says that is new; a wrapper's "org.postgresql.util.PSQLException: ..." becomes its text, wherever
        // in it (Trino's driver writes "Error executing query: java.net.ConnectException: ..."); drivers and Iceberg quote the
        // URL they failed to connect to, password parameter and all
        StringBuilder message = new StringBuilder();
        for (Throwable each = exception; each != null; each = each.getCause()) {
            String text = each.getMessage() == null ? null
                    : Database.redacted(STATEMENT_POSITION.matcher(CLASS_NAME_PREFIX.matcher(describe(each)).replaceAll("")).replaceAll(""));
            if (text != null && !text.isBlank() && addsWords(message, text)) {
                message.append(message.isEmpty() ? "" : message.charAt(message.length() - 1) == '.' ? " " : ": ").append(text);
            }
        }
        if (message.isEmpty()) {
            message.append(exception.getClass().getSimpleName());
        }
        // once, where a wrapper's message already holds what a cause's said (FixApplier's "recording them failed: ...")
        whatToDo(exception).filter(advice -> message.indexOf(advice) < 0)
                .ifPresent(advice -> message.append(message.charAt(message.length() - 1) == '.' ? " " : ". ").append(advice).append('.'));
        return message.toString();
    }

    /**
     * Its message, or what it means where its class said it: a host name that does not resolve is PostgreSQL's driver's cause's whole
     * message, which the URL before it already said (met from outside: "The connection attempt failed." alone).
     */
    private static String describe(Throwable exception)
    {
        String message = exception.getMessage();
        return exception instanceof UnknownHostException && !message.isBlank() && message.chars().noneMatch(Character::isWhitespace) ? "Unknown host " + message : message;
    }

    /**
     * Whether {@code text} says a word {@code said} does not: PostgreSQL's driver says "Connection to db:5432 refused. Check that ...",
     * and its cause "Connection refused" again; Trino's "Failed to connect to /127.0.0.1:8089" needs that cause.
     */
    private static boolean addsWords(CharSequence said, String text)
    {
        Set<String> known = new HashSet<>(Arrays.asList(WORD_BREAK.split(said.toString().toLowerCase(Locale.ROOT))));
        return Stream.of(WORD_BREAK.split(text.toLowerCase(Locale.ROOT))).anyMatch(word -> !word.isEmpty() && !known.contains(word));
    }

    /** What to do about {@code exception}, when a cause of it is a PostgreSQL failure whose own message leaves that to the reader. */
    public static Optional<String> whatToDo(Throwable exception)
    {
        for (Throwable each = exception; each != null; each = each.getCause()) {
            if (each instanceof SQLException failure && INSUFFICIENT_PRIVILEGE.equals(failure.getSQLState())) {
                return Optional.of(String.valueOf(failure.getMessage()).contains("for schema") ? MAY_NOT_CREATE : NOT_THE_OWNER);
            }
            if (each instanceof SQLException failure && failure.getSQLState() != null && WHAT_TO_DO.containsKey(failure.getSQLState())) {
                return Optional.of(WHAT_TO_DO.get(failure.getSQLState()));
            }
        }
        return Optional.empty();
    }
}
