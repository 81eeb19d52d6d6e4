package dev.icetune.fixes;

import dev.icetune.engine.model.ExpireSnapshots;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** Expires old snapshots through the Iceberg API (through Trino on a table read through Trino), always keeping the current one. Cannot be undone. */
final class ExpireSnapshotsAction
        implements FixAction<ExpireSnapshots>
{
    @Override
    public List<Step> plan(ExpireSnapshots fix, ActionContext context)
    {
        Table table = context.requireTable(fix.table());
        long cutoff = Instant.now().minus(Duration.ofHours(fix.retainHours())).toEpochMilli();
        long current = table.currentSnapshot() == null ? -1 : table.currentSnapshot().snapshotId();
        long expiring = 0;
        for (Snapshot snapshot : table.snapshots()) {
            expiring += snapshot.timestampMillis() < cutoff && snapshot.snapshotId() != current ? 1 : 0;
        }
        if (expiring == 0) {
            return List.of();
        }
        // Trino's expire_snapshots keeps the current snapshot too, and refuses a retention below its catalog's
        // iceberg.expire-snapshots.min-retention (7 days unless set) with a message that names that property
        return List.of(context.metadataStep(table, new Step("table.expireSnapshots().expireOlderThan(%s).retainLast(1).commit()".formatted(Instant.ofEpochMilli(cutoff)),
                "expires %d snapshots".formatted(expiring),
                () -> table.expireSnapshots().expireOlderThan(cutoff).retainLast(1).commit()), fix.statements().getFirst()));
    }
}
