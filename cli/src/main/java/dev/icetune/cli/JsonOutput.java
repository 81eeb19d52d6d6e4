package dev.icetune.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.MinimalPrettyPrinter;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/**
 * What {@code --json} prints: records, maps and lists as indented JSON, times as ISO-8601 text, every name in snake case as the
 * reports' columns and the estimates' figures are (a script read {@code ruleId} beside {@code files_saved_per_day} before).
 */
public final class JsonOutput
{
    private static final ObjectWriter WRITER = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .addModule(new Jdk8Module())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .build()
            .writerWithDefaultPrettyPrinter();

    private static final ObjectWriter LINE_WRITER = WRITER.with(new MinimalPrettyPrinter());

    private JsonOutput() {}

    public static String write(Object value)
    {
        return write(WRITER, value);
    }

    /** {@code value} on one line: one document a line, for a stream a script reads line by line (JSON Lines). */
    public static String line(Object value)
    {
        return write(LINE_WRITER, value);
    }

    private static String write(ObjectWriter writer, Object value)
    {
        try {
            return writer.writeValueAsString(value);
        }
        catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON: " + e.getOriginalMessage(), e);
        }
    }
}
