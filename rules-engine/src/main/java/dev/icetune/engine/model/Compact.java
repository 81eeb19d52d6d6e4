package dev.icetune.engine.model;

import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/** Rewrite the table's files under {@code fileSizeThresholdBytes} into fewer, larger ones (Trino's {@code optimize}). */
public record Compact(String table, long fileSizeThresholdBytes)
        implements Fix
{
    public Compact
    {
        requireNonNull(table, "table is null");
        new Rewrite(fileSizeThresholdBytes); // the same bounds
    }

    @Override
    public FixKind kind()
    {
        return FixKind.COMPACT;
    }

    @Override
    public Optional<String> changedTable()
    {
        return Optional.of(table);
    }

    @Override
    public List<String> statements()
    {
        return List.of(new Rewrite(fileSizeThresholdBytes).statement(table));
    }

    @Override
    public String description()
    {
        return "compact the files of %s under %d MB".formatted(table, fileSizeThresholdBytes >> 20);
    }
}
