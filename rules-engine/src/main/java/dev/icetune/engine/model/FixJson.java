package dev.icetune.engine.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.util.Locale;

/** A {@link Fix} as stored: JSON with its kind as the type tag. */
public final class FixJson
{
    private static final ObjectMapper MAPPER = JsonMapper.builder().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();
    private static final ObjectWriter WRITER = MAPPER.writerFor(Fix.class);
    private static final ObjectReader READER = MAPPER.readerFor(Fix.class);

    private FixJson() {}

    /** The type tag ({@code fix ->> 'kind'}) a fix of {@code kind} is stored with: as {@link Fix}'s subtypes declare it, its name in lower case with dashes. */
    public static String tag(FixKind kind)
    {
        return kind.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static String write(Fix fix)
    {
        try {
            return WRITER.writeValueAsString(fix);
        }
        catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write fix " + fix, e);
        }
    }

    public static Fix read(String json)
    {
        try {
            return READER.readValue(json);
        }
        catch (JsonProcessingException e) {
            throw new IllegalArgumentException("unreadable fix: " + e.getOriginalMessage(), e);
        }
    }
}
