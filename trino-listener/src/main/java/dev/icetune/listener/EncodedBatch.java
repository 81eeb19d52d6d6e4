package dev.icetune.listener;

import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * A batch with its rows already in binary COPY format: built on the capture stage, so the
 * write stage only streams bytes to PostgreSQL. The events stay with it for the journal.
 */
record EncodedBatch(List<CapturedEvent> events, byte[] logs, byte[] inputs, byte[] starts)
{
    EncodedBatch
    {
        events = List.copyOf(requireNonNull(events, "events is null"));
        requireNonNull(logs, "logs is null");
        requireNonNull(inputs, "inputs is null");
        requireNonNull(starts, "starts is null");
    }

    static EncodedBatch encode(List<CapturedEvent> events)
    {
        CopyRows logs = new CopyRows();
        CopyRows inputs = new CopyRows();
        CopyRows starts = new CopyRows();
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
        return new EncodedBatch(events, logs.bytes(), inputs.bytes(), starts.bytes());
    }

    int size()
    {
        return events.size();
    }
}
