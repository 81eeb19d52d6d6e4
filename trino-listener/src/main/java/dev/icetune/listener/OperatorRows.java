package dev.icetune.listener;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The rows one operator took and gave, from its summary in a completed query's statistics (Trino's {@code OperatorStats} as
 * JSON, 3 to 5 kB each, dozens a query). Only its leading fields are read, with a streaming parser that stops as soon as they
 * are known: the type, node and row counts come first, the metrics and details that make up most of the text after them.
 * Read whole into trees, the summaries of a three-table join took 140 us, nine tenths of the capture stage's time for the event.
 */
record OperatorRows(String operatorType, String planNodeId, long inputPositions, long outputPositions)
{
    private static final JsonFactory JSON = new JsonFactory();
    private static final String TYPE_FIELD = "\"operatorType\":\"";

    /** The operators of these types, in the summaries' order; a summary that does not read is left out. */
    static List<OperatorRows> read(List<String> summaries, Set<String> types)
    {
        List<OperatorRows> operators = new ArrayList<>();
        for (String summary : summaries) {
            OperatorRows operator = read(summary, types);
            if (operator != null) {
                operators.add(operator);
            }
        }
        return operators;
    }

    /** Null for an operator of another type, or a summary that does not read: evidence, never a reason to lose the query. */
    static OperatorRows read(String summary, Set<String> types)
    {
        if (ofAnotherType(summary, types)) {
            return null;
        }
        try (JsonParser parser = JSON.createParser(new Leading(summary))) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            String type = null;
            String node = "";
            long input = 0;
            long output = 0;
            int found = 0;
            while (found < 4 && parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                parser.nextToken();
                switch (field) {
                    case "operatorType" -> {
                        type = parser.getValueAsString();
                        if (!types.contains(type)) {
                            return null;
                        }
                    }
                    case "planNodeId" -> node = parser.getValueAsString("");
                    case "inputPositions" -> input = parser.getValueAsLong();
                    case "outputPositions" -> output = parser.getValueAsLong();
                    default -> {
                        parser.skipChildren();
                        continue;
                    }
                }
                found++;
            }
            return type == null ? null : new OperatorRows(type, node, input, output);
        }
        catch (IOException e) {
            return null;
        }
    }

    /**
     * Whether the summary's type, as Trino writes it ({@code "operatorType":"ExchangeOperator"}, among the leading fields), is
     * none of {@code types}: most of a query's operators are of no interest, and creating a parser for each cost as much as
     * reading the others' rows. False when the field is not written so, and the parser decides.
     */
    private static boolean ofAnotherType(String summary, Set<String> types)
    {
        int start = summary.indexOf(TYPE_FIELD);
        if (start < 0) {
            return false;
        }
        start += TYPE_FIELD.length();
        int end = summary.indexOf('"', start);
        return end > start && summary.charAt(end - 1) != '\\' && !types.contains(summary.substring(start, end));
    }

    /**
     * A summary handed to the parser a little at a time: given the string, Jackson copies all of it before reading its
     * first field, and the copies of a query's summaries cost more than reading the fields icetune needs.
     */
    private static final class Leading
            extends Reader
    {
        private static final int CHUNK = 512;

        private final String text;
        private int next;

        Leading(String text)
        {
            this.text = text;
        }

        @Override
        public int read(char[] buffer, int offset, int length)
        {
            if (next >= text.length()) {
                return -1;
            }
            int end = Math.min(text.length(), next + Math.min(length, CHUNK));
            text.getChars(next, end, buffer, offset);
            int read = end - next;
            next = end;
            return read;
        }

        @Override
        public void close() {}
    }
}
