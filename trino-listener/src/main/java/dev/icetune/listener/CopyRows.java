package dev.icetune.listener;

import java.time.Instant;
import java.util.List;

/**
 * Builds rows in PostgreSQL's COPY text format: tab-separated, {@code \N} for NULL, backslash escapes.
 * Values reach here already cleaned of NUL and lone surrogates ({@link Texts}).
 */
final class CopyRows
{
    private final StringBuilder out = new StringBuilder(1 << 16);
    private boolean rowStarted;
    private int rows;

    CopyRows text(String value)
    {
        separator();
        if (value == null) {
            out.append("\\N");
        }
        else {
            escape(value);
        }
        return this;
    }

    CopyRows number(Number value)
    {
        separator();
        out.append(value == null ? "\\N" : value.toString());
        return this;
    }

    CopyRows bool(boolean value)
    {
        separator();
        out.append(value ? 't' : 'f');
        return this;
    }

    CopyRows timestamp(Instant value)
    {
        separator();
        out.append(value == null ? "\\N" : value.toString());
        return this;
    }

    /** A text[] value: {"a","b"} with each element quoted, then escaped for COPY like any text. */
    CopyRows array(List<String> values)
    {
        if (values == null) {
            return text(null);
        }
        StringBuilder literal = new StringBuilder(2 + values.size() * 16).append('{');
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                literal.append(',');
            }
            String element = values.get(i);
            if (element == null) {
                literal.append("NULL");
                continue;
            }
            literal.append('"');
            for (int j = 0; j < element.length(); j++) {
                char c = element.charAt(j);
                if (c == '"' || c == '\\') {
                    literal.append('\\');
                }
                literal.append(c);
            }
            literal.append('"');
        }
        return text(literal.append('}').toString());
    }

    void endRow()
    {
        out.append('\n');
        rowStarted = false;
        rows++;
    }

    int rows()
    {
        return rows;
    }

    String content()
    {
        return out.toString();
    }

    private void separator()
    {
        if (rowStarted) {
            out.append('\t');
        }
        rowStarted = true;
    }

    private void escape(String value)
    {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> out.append(c);
            }
        }
    }
}
