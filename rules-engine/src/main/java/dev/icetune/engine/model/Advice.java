package dev.icetune.engine.model;

import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * What a person does: advice icetune cannot carry out (repartitioning a hot key, adding workers), with the
 * {@link Benefit} the evaluation values it by (null: not valued).
 */
public record Advice(String text, Benefit benefit)
        implements Fix
{
    public Advice
    {
        requireNonNull(text, "text is null");
    }

    /** Advice the evaluation does not value. */
    public Advice(String text)
    {
        this(text, null);
    }

    @Override
    public FixKind kind()
    {
        return FixKind.ADVICE;
    }

    @Override
    public Optional<String> changedTable()
    {
        return Optional.empty();
    }

    @Override
    public List<String> statements()
    {
        return List.of();
    }

    @Override
    public String description()
    {
        return text;
    }

    @Override
    public String render()
    {
        return text;
    }
}
