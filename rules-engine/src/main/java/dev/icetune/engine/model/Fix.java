package dev.icetune.engine.model;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

import java.util.List;
import java.util.Optional;

/**
 * What a recommendation proposes to change, as data: one record per kind of change, each checking its own
 * arguments and rendering its own Trino statements and description, so that what a person reads and what
 * icetune applies come from the same fields and cannot disagree. Stored as JSON tagged with {@code kind}.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
@JsonSubTypes({
        @JsonSubTypes.Type(value = PartitionSpec.class, name = "partition-spec"),
        @JsonSubTypes.Type(value = SortOrder.class, name = "sort-order"),
        @JsonSubTypes.Type(value = BloomFilters.class, name = "bloom-filters"),
        @JsonSubTypes.Type(value = Compact.class, name = "compact"),
        @JsonSubTypes.Type(value = TrinoStatements.class, name = "trino-statements"),
        @JsonSubTypes.Type(value = Analyze.class, name = "analyze"),
        @JsonSubTypes.Type(value = ExpireSnapshots.class, name = "expire-snapshots"),
        @JsonSubTypes.Type(value = MaterializedView.class, name = "materialized-view"),
        @JsonSubTypes.Type(value = QueryRewrite.class, name = "query-rewrite"),
        @JsonSubTypes.Type(value = KillQueries.class, name = "kill-queries"),
        @JsonSubTypes.Type(value = Advice.class, name = "advice")})
public sealed interface Fix
        permits LayoutChange, Compact, TrinoStatements, Analyze, ExpireSnapshots, MaterializedView, QueryRewrite, KillQueries, Advice
{
    FixKind kind();

    /** The table the fix changes (and locks while it applies), as catalog.schema.table; empty for what a person carries out. */
    Optional<String> changedTable();

    /** The Trino statements that make this change, in order: what a person would run by hand, with every identifier quoted. */
    List<String> statements();

    /** The change in words. */
    String description();

    /** The statements as one text, as the recommendation shows it. */
    default String render()
    {
        return String.join(";\n", statements());
    }
}
