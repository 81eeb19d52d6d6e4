package dev.icetune.engine.store;

import java.util.List;

/** Rows for PostgreSQL's {@code COPY ... (FORMAT csv)}: every value quoted, so that only a missing one reads as NULL. */
final class Csv
{
    private Csv() {}

    /** Appends one row; a null value is NULL. */
    static void row(StringBuilder csv, String... values)
    {
        for (int i = 0; i < values.length; i++) {
            if (i > 0) {
                csv.append(',');
            }
            if (values[i] != null) {
                csv.append('"').append(values[i].replace("\"", "\"\"")).append('"');
            }
        }
        csv.append('\n');
    }

    /** A text[] literal, each element quoted and escaped as an array's input expects. */
    static String textArray(List<String> elements)
    {
        StringBuilder literal = new StringBuilder("{");
        for (String element : elements) {
            if (literal.length() > 1) {
                literal.append(',');
            }
            literal.append('"').append(element.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
        }
        return literal.append('}').toString();
    }
}
