package dev.icetune.listener;

import java.util.ArrayList;
import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * A batch with its rows already in binary COPY format: built on the capture stage, so the write stage
 * only streams bytes to PostgreSQL. The rows come in parts, one per writer connection, so that several
 * PostgreSQL backends ingest one batch side by side. The events stay with it for the journal.
 */
record EncodedBatch(List<CapturedEvent> events, List<Rows> parts)
{
    /**
     * A part smaller than this is not worth a connection of its own: a trickle of events uses one
     * connection, a burst uses them all.
     */
    static final int MIN_EVENTS_PER_PART = 250;
    /** Typical rows are 300 to 800 bytes; guessing so spares growing the buffers row by row. */
    private static final int EXPECTED_ROW_BYTES = 768;

    /** One part's rows for each table, each a complete COPY stream (or empty). */
    record Rows(CopyRows.Data logs, CopyRows.Data inputs, CopyRows.Data starts)
    {
        Rows
        {
            requireNonNull(logs, "logs is null");
            requireNonNull(inputs, "inputs is null");
            requireNonNull(starts, "starts is null");
        }
    }

    EncodedBatch
    {
        events = List.copyOf(requireNonNull(events, "events is null"));
        parts = List.copyOf(requireNonNull(parts, "parts is null"));
    }

    /** Encodes the events into at most {@code maxParts} parts of consecutive events. */
    static EncodedBatch encode(List<CapturedEvent> events, int maxParts)
    {
        int partCount = Math.max(1, Math.min(maxParts, events.size() / MIN_EVENTS_PER_PART));
        List<Rows> parts = new ArrayList<>(partCount);
        for (int part = 0; part < partCount; part++) {
            parts.add(encodePart(events.subList(events.size() * part / partCount, events.size() * (part + 1) / partCount)));
        }
        return new EncodedBatch(events, parts);
    }

    private static Rows encodePart(List<CapturedEvent> events)
    {
        int queries = 0;
        int inputRows = 0;
        for (CapturedEvent event : events) {
            if (event instanceof CapturedQuery query) {
                queries++;
                inputRows += query.inputs().size();
            }
        }
        CopyRows logs = new CopyRows(queries * EXPECTED_ROW_BYTES);
        CopyRows inputs = new CopyRows(inputRows * EXPECTED_ROW_BYTES);
        CopyRows starts = new CopyRows((events.size() - queries) * EXPECTED_ROW_BYTES);
        for (CapturedEvent event : events) {
            switch (event) {
                case CapturedQuery query -> {
                    PostgresSink.appendQuery(logs, query);
                    for (CapturedInput input : query.inputs()) {
                        PostgresSink.appendInput(inputs, query, input);
                    }
                }
                case CapturedStart start -> PostgresSink.appendStart(starts, start);
            }
        }
        return new Rows(logs.data(), inputs.data(), starts.data());
    }

    int size()
    {
        return events.size();
    }
}
