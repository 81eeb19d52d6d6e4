package dev.icetune.engine.model;

import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/** Expire the table's snapshots older than {@code retainHours}, always keeping the current one. */
public record ExpireSnapshots(String table, long retainHours)
        implements Fix
{
    public ExpireSnapshots
    {
        requireNonNull(table, "table is null");
        if (retainHours < 0) {
            throw new IllegalArgumentException("retainHours must not be negative: " + retainHours);
        }
    }

    @Override
    public FixKind kind()
    {
        return FixKind.EXPIRE_SNAPSHOTS;
    }

    @Override
    public Optional<String> changedTable()
    {
        return Optional.of(table);
    }

    @Override
    public List<String> statements()
    {
        return List.of("ALTER TABLE %s EXECUTE expire_snapshots(retention_threshold => '%dh')".formatted(Sql.table(table), retainHours));
    }

    @Override
    public String description()
    {
        return "expire the snapshots of %s older than %d hours, keeping the current one".formatted(table, retainHours);
    }
}
