package dev.icetune.rules.apply;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.icetune.rules.facts.Fix;
import dev.icetune.rules.iceberg.TableMetadataReader;
import dev.icetune.rules.store.RecommendationStore;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.PartitionField;
import org.apache.iceberg.ReplaceSortOrder;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SortField;
import org.apache.iceberg.Table;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.expressions.Term;
import org.apache.iceberg.io.CloseableIterable;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * Carries out approved fixes, one table at a time, and audits every attempt: Iceberg metadata changes
 * (partition spec, sort order, table properties, snapshot expiry) through the Iceberg API; data
 * rewrites, statistics and materialized views as Trino statements over JDBC.
 * Iceberg commits are atomic: a change is applied whole or not at all; a commit that loses to a
 * concurrent writer is retried by Iceberg and otherwise reported, never left half done.
 */
public final class FixApplier
{
    /** What an apply, dry run or rollback did (or would do). */
    public record Outcome(long recommendationId, String action, String result, String change, String message) {}

    private static final ObjectMapper JSON = JsonMapper.builder().build();

    /** Opens a JDBC connection to Trino (the trino-jdbc driver), as the configured user. */
    public interface TrinoConnections
    {
        Connection open()
                throws SQLException;
    }

    private static final Pattern FILE_SIZE_THRESHOLD = Pattern.compile("file_size_threshold\\s*=>\\s*'(\\d+)MB'");
    /** Trino's default file_size_threshold of optimize. */
    private static final long DEFAULT_OPTIMIZE_THRESHOLD = 100L << 20;

    private final Jdbi jdbi;
    private final RecommendationStore store;
    private final TableMetadataReader iceberg;
    private final Optional<TrinoConnections> trino;

    public FixApplier(Jdbi jdbi, RecommendationStore store, TableMetadataReader iceberg, Optional<TrinoConnections> trino)
    {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
        this.store = requireNonNull(store, "store is null");
        this.iceberg = requireNonNull(iceberg, "iceberg is null");
        this.trino = requireNonNull(trino, "trino is null");
    }

    public Outcome apply(long id, String actor, boolean dryRun)
    {
        RecommendationStore.Stored recommendation = store.find(id).orElseThrow(() -> new IllegalArgumentException("no recommendation " + id));
        String kind = String.valueOf(recommendation.fix().get(Fix.KIND));
        switch (kind) {
            case Fix.QUERY_REWRITE -> throw new IllegalStateException("recommendation " + id + " is a query rewrite: it is never applied to someone's SQL; "
                    + "deliver the rewritten query instead:\n" + recommendation.fix().get("sql"));
            case Fix.TEXT -> throw new IllegalStateException("recommendation " + id + " is advice for a person, not a change icetune can make: " + recommendation.proposedFix());
            case Fix.TRINO -> {
                if (trino.isEmpty()) {
                    throw new IllegalStateException("recommendation " + id + " runs Trino statements: set icetune.trino.url to apply it");
                }
            }
            default -> {
                // an Iceberg metadata change: below
            }
        }
        if (!dryRun && recommendation.status().equals("applied")) {
            return audit(recommendation, actor, "apply", "no-op", "", "already applied", null, null, null, null);
        }
        if (!dryRun && !recommendation.status().equals("approved")) {
            throw new IllegalStateException("recommendation " + id + " is " + recommendation.status() + ": only an approved one can be applied");
        }
        String tableName = String.valueOf(recommendation.fix().get("table"));
        boolean throughTrino = kind.equals(Fix.TRINO);
        return withTableLock(tableName, () -> {
            // a Trino statement may name a table of a catalog icetune does not read (then there is no state to record)
            Table table = iceberg.load(tableName).orElse(null);
            if (table == null && !throughTrino) {
                throw new IllegalStateException("no Iceberg table " + tableName + " in the catalog");
            }
            Change change = change(table, recommendation.fix(), trino);
            Map<String, Object> before = state(table);
            Long snapshotBefore = snapshotId(table);
            if (change == null) {
                if (!dryRun) {
                    markApplied(recommendation, actor, "the change was already in effect");
                }
                return audit(recommendation, actor, dryRun ? "dry-run" : "apply", "no-op", describe(recommendation.fix()), "already in effect",
                        snapshotBefore, snapshotBefore, before, before);
            }
            if (dryRun) {
                return audit(recommendation, actor, "dry-run", "planned", change.description(), change.estimate() + "; nothing changed",
                        snapshotBefore, snapshotBefore, before, before);
            }
            try {
                change.commit().run();
            }
            catch (RuntimeException e) {
                audit(recommendation, actor, "apply", "failed", change.description(), e.getClass().getSimpleName() + ": " + e.getMessage(),
                        snapshotBefore, snapshotBefore, before, before);
                throw new IllegalStateException("applying recommendation " + id + " to " + tableName + " failed, nothing was changed: " + e.getMessage(), e);
            }
            if (table != null) {
                table.refresh();
            }
            markApplied(recommendation, actor, change.description());
            return audit(recommendation, actor, "apply", "applied", change.description(), change.estimate(), snapshotBefore, snapshotId(table), before, state(table));
        });
    }

    /** Restores what the last apply changed in the spec, sort order or properties; says so where that is not possible. */
    public Outcome rollback(long id, String actor)
    {
        RecommendationStore.Stored recommendation = store.find(id).orElseThrow(() -> new IllegalArgumentException("no recommendation " + id));
        if (!recommendation.status().equals("applied")) {
            throw new IllegalStateException("recommendation " + id + " is " + recommendation.status() + ": only an applied one can be rolled back");
        }
        Map<String, Object> fix = recommendation.fix();
        String tableName = String.valueOf(fix.get("table"));
        return withTableLock(tableName, () -> {
            Table table = iceberg.load(tableName).orElseThrow(() -> new IllegalStateException("no Iceberg table " + tableName + " in the catalog"));
            Map<String, Object> before = state(table);
            Long snapshotBefore = snapshotId(table);
            Map<String, Object> applied = lastAppliedState(id).orElseThrow(() -> new IllegalStateException("no applied change of recommendation " + id + " in the audit"));
            String change;
            switch (String.valueOf(fix.get(Fix.KIND))) {
                case Fix.ICEBERG_PARTITION -> {
                    change = "table.updateSpec().removeField(" + fix.get("transform") + "(\"" + fix.get("column") + "\")).commit()";
                    table.updateSpec().removeField(term(String.valueOf(fix.get("transform")), String.valueOf(fix.get("column")))).commit();
                }
                case Fix.ICEBERG_SORT_ORDER -> {
                    @SuppressWarnings("unchecked")
                    List<String> previous = (List<String>) applied.get("sort_order");
                    change = "table.replaceSortOrder()" + previous.stream().map(column -> ".asc(\"" + column + "\")").reduce("", String::concat) + ".commit()";
                    ReplaceSortOrder sort = table.replaceSortOrder();
                    previous.forEach(sort::asc);
                    sort.commit();
                }
                case Fix.ICEBERG_PROPERTY -> {
                    String name = String.valueOf(fix.get("name"));
                    @SuppressWarnings("unchecked")
                    Object previous = ((Map<String, Object>) applied.get("properties")).get(name);
                    if (previous == null) {
                        change = "table.updateProperties().remove(\"" + name + "\").commit()";
                        table.updateProperties().remove(name).commit();
                    }
                    else {
                        change = "table.updateProperties().set(\"" + name + "\", \"" + previous + "\").commit()";
                        table.updateProperties().set(name, String.valueOf(previous)).commit();
                    }
                }
                default -> {
                    return audit(recommendation, actor, "rollback", "not-possible", describe(fix),
                            "expired snapshots and rewritten files cannot be restored by icetune", snapshotBefore, snapshotBefore, before, before);
                }
            }
            table.refresh();
            store.transition(id, "applied", "open", actor, "rolled back: " + change);
            return audit(recommendation, actor, "rollback", "rolled-back", change, null, snapshotBefore, snapshotId(table), before, state(table));
        });
    }

    private record Change(String description, String estimate, Runnable commit)
    {
        Change(String description, Runnable commit)
        {
            this(description, "metadata only", commit);
        }
    }

    /** The change the fix makes to this table, or null when it is already in effect. */
    private static Change change(Table table, Map<String, Object> fix, Optional<TrinoConnections> trino)
    {
        switch (String.valueOf(fix.get(Fix.KIND))) {
            case Fix.TRINO -> {
                @SuppressWarnings("unchecked")
                List<String> statements = (List<String>) fix.get("statements");
                return new Change(String.join(";\n", statements), estimate(table, statements), () -> {
                    try (Connection connection = trino.orElseThrow().open(); Statement statement = connection.createStatement()) {
                        for (String sql : statements) {
                            statement.execute(sql);
                        }
                    }
                    catch (SQLException e) {
                        throw new IllegalStateException("Trino: " + e.getMessage(), e);
                    }
                });
            }
            case Fix.ICEBERG_PARTITION -> {
                String transform = String.valueOf(fix.get("transform"));
                String column = String.valueOf(fix.get("column"));
                int sourceId = table.schema().findField(column).fieldId();
                for (PartitionField field : table.spec().fields()) {
                    if (field.sourceId() == sourceId && field.transform().toString().equals(transform)) {
                        return null;
                    }
                }
                return new Change("table.updateSpec().addField(" + transform + "(\"" + column + "\")).commit()",
                        () -> table.updateSpec().addField(term(transform, column)).commit());
            }
            case Fix.ICEBERG_SORT_ORDER -> {
                @SuppressWarnings("unchecked")
                List<String> columns = (List<String>) fix.get("columns");
                if (sortColumns(table).equals(columns)) {
                    return null;
                }
                return new Change("table.replaceSortOrder()" + columns.stream().map(column -> ".asc(\"" + column + "\")").reduce("", String::concat) + ".commit()",
                        () -> {
                            ReplaceSortOrder sort = table.replaceSortOrder();
                            columns.forEach(sort::asc);
                            sort.commit();
                        });
            }
            case Fix.ICEBERG_PROPERTY -> {
                String name = String.valueOf(fix.get("name"));
                String value = String.valueOf(fix.get("value"));
                if (value.equals(table.properties().get(name))) {
                    return null;
                }
                return new Change("table.updateProperties().set(\"" + name + "\", \"" + value + "\").commit()",
                        () -> table.updateProperties().set(name, value).commit());
            }
            case Fix.ICEBERG_EXPIRE_SNAPSHOTS -> {
                long cutoff = Instant.now().minus(Duration.ofHours(((Number) fix.get("retain_hours")).longValue())).toEpochMilli();
                Long current = snapshotId(table);
                long expiring = 0;
                for (Snapshot snapshot : table.snapshots()) {
                    expiring += snapshot.timestampMillis() < cutoff && !Objects.equals(snapshot.snapshotId(), current) ? 1 : 0;
                }
                if (expiring == 0) {
                    return null;
                }
                return new Change("table.expireSnapshots().expireOlderThan(" + Instant.ofEpochMilli(cutoff) + ").retainLast(1).commit()  -- " + expiring + " snapshots",
                        () -> table.expireSnapshots().expireOlderThan(cutoff).retainLast(1).commit());
            }
            default -> throw new IllegalStateException("not an Iceberg metadata change: " + fix);
        }
    }

    /** For a rewrite (optimize): the files and bytes under the threshold, which Trino would rewrite. */
    private static String estimate(Table table, List<String> statements)
    {
        String all = String.join(" ", statements);
        if (!all.contains("EXECUTE optimize")) {
            return "no data files rewritten";
        }
        if (table == null) {
            return "files to rewrite unknown: the table is not in the catalog icetune reads";
        }
        Matcher threshold = FILE_SIZE_THRESHOLD.matcher(all);
        long limit = threshold.find() ? Long.parseLong(threshold.group(1)) << 20 : DEFAULT_OPTIMIZE_THRESHOLD;
        long files = 0;
        long bytes = 0;
        if (table.currentSnapshot() != null) {
            try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
                for (FileScanTask task : tasks) {
                    if (task.file().fileSizeInBytes() < limit) {
                        files++;
                        bytes += task.file().fileSizeInBytes();
                    }
                }
            }
            catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return "rewrites about %d files, %d bytes".formatted(files, bytes);
    }

    private static Term term(String transform, String column)
    {
        return switch (transform) {
            case "day" -> Expressions.day(column);
            case "hour" -> Expressions.hour(column);
            case "month" -> Expressions.month(column);
            case "year" -> Expressions.year(column);
            case "identity" -> Expressions.ref(column);
            default -> throw new IllegalArgumentException("unsupported partition transform " + transform);
        };
    }

    private static List<String> sortColumns(Table table)
    {
        List<String> columns = new ArrayList<>();
        for (SortField field : table.sortOrder().fields()) {
            columns.add(table.schema().findColumnName(field.sourceId()));
        }
        return columns;
    }

    private static Map<String, Object> state(Table table)
    {
        if (table == null) {
            return null;
        }
        Map<String, Object> state = new LinkedHashMap<>();
        List<String> spec = new ArrayList<>();
        table.spec().fields().forEach(field -> spec.add(field.name() + ": " + field.transform() + "(" + table.schema().findColumnName(field.sourceId()) + ")"));
        state.put("partition_spec", spec);
        state.put("sort_order", sortColumns(table));
        state.put("properties", new LinkedHashMap<>(table.properties()));
        return state;
    }

    private static Long snapshotId(Table table)
    {
        return table == null || table.currentSnapshot() == null ? null : table.currentSnapshot().snapshotId();
    }

    private static String describe(Map<String, Object> fix)
    {
        return fix.toString();
    }

    private void markApplied(RecommendationStore.Stored recommendation, String actor, String change)
    {
        store.transition(recommendation.id(), "approved", "applied", actor, change);
    }

    /** One fix per table at a time, across processes: a PostgreSQL advisory lock on the table's name. */
    private Outcome withTableLock(String table, java.util.function.Supplier<Outcome> work)
    {
        return jdbi.withHandle(handle -> {
            boolean locked = handle.createQuery("SELECT pg_try_advisory_lock(hashtext('icetune-fix:' || :table))").bind("table", table).mapTo(Boolean.class).one();
            if (!locked) {
                throw new IllegalStateException("another fix is being applied to " + table + "; try again when it is done");
            }
            try {
                return work.get();
            }
            finally {
                handle.createQuery("SELECT pg_advisory_unlock(hashtext('icetune-fix:' || :table))").bind("table", table).mapTo(Boolean.class).one();
            }
        });
    }

    @SuppressWarnings("unchecked")
    private Optional<Map<String, Object>> lastAppliedState(long id)
    {
        return jdbi.withHandle(handle -> handle.createQuery("""
                        SELECT state_before::text FROM fix_audit WHERE recommendation_id = :id AND action = 'apply' AND result = 'applied'
                        ORDER BY id DESC LIMIT 1""")
                .bind("id", id).mapTo(String.class).findOne()
                .map(text -> {
                    try {
                        return (Map<String, Object>) JSON.readValue(text, Map.class);
                    }
                    catch (JsonProcessingException e) {
                        throw new IllegalStateException(e);
                    }
                }));
    }

    private Outcome audit(RecommendationStore.Stored recommendation, String actor, String action, String result, String change, String message,
            Long snapshotBefore, Long snapshotAfter, Map<String, Object> before, Map<String, Object> after)
    {
        String approvedBy = store.history(recommendation.id()).stream().filter(entry -> "approved".equals(entry.toStatus()))
                .reduce((first, second) -> second).map(RecommendationStore.HistoryEntry::actor).orElse(null);
        jdbi.useHandle(handle -> insertAudit(handle, recommendation.id(), actor, approvedBy, action, result, change, message, snapshotBefore, snapshotAfter,
                before, after));
        return new Outcome(recommendation.id(), action, result, change, message);
    }

    private static void insertAudit(Handle handle, long id, String actor, String approvedBy, String action, String result, String change, String message,
            Long snapshotBefore, Long snapshotAfter, Map<String, Object> before, Map<String, Object> after)
    {
        handle.createUpdate("""
                        INSERT INTO fix_audit (recommendation_id, at, actor, approved_by, action, change, result, message, snapshot_before, snapshot_after,
                            state_before, state_after)
                        VALUES (:id, :at, :actor, :approved_by, :action, :change, :result, :message, :snapshot_before, :snapshot_after,
                            CAST(:before AS jsonb), CAST(:after AS jsonb))""")
                .bind("id", id).bind("at", Timestamp.from(Instant.now())).bind("actor", actor).bind("approved_by", approvedBy).bind("action", action)
                .bind("change", change).bind("result", result).bind("message", message).bind("snapshot_before", snapshotBefore)
                .bind("snapshot_after", snapshotAfter).bind("before", json(before)).bind("after", json(after))
                .execute();
    }

    private static String json(Map<String, Object> value)
    {
        if (value == null) {
            return null;
        }
        try {
            return JSON.writeValueAsString(value);
        }
        catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
