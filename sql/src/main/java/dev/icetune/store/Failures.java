package dev.icetune.store;

import java.util.regex.Pattern;

/** A failure as a person reads it: what each cause says, without class names and without a JDBC URL's password. */
public final class Failures
{
    private static final Pattern CLASS_NAME_PREFIX = Pattern.compile("(?<![\\w$.])(?:[a-z_][\\w$]*\\.)+[A-Z][\\w$]*: ");

    private Failures() {}

    /** The exception's message, with the cause's when it adds something (a driver's "Connection refused"). */
    public static String message(Throwable exception)
    {
        // each cause adds what it says that is new; a wrapper's "org.postgresql.util.PSQLException: ..." becomes its text, wherever
        // in it (Trino's driver writes "Error executing query: java.net.ConnectException: ..."); drivers and Iceberg quote the
        // URL they failed to connect to, password parameter and all
        StringBuilder message = new StringBuilder();
        for (Throwable each = exception; each != null; each = each.getCause()) {
            String text = each.getMessage() == null ? null : Database.redacted(CLASS_NAME_PREFIX.matcher(each.getMessage()).replaceAll(""));
            if (text != null && !text.isBlank() && !message.toString().contains(text)) {
                message.append(message.isEmpty() ? "" : message.charAt(message.length() - 1) == '.' ? " " : ": ").append(text);
            }
        }
        return message.isEmpty() ? exception.getClass().getSimpleName() : message.toString();
    }
}
