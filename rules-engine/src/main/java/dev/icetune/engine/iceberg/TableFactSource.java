package dev.icetune.engine.iceberg;

import dev.icetune.engine.facts.TableFact;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

import static java.util.Objects.requireNonNull;

/** Where table metadata facts come from: an Iceberg catalog in production, anything else in a benchmark. */
public interface TableFactSource
{
    /**
     * The facts read, and what could not be read: tables in their one-text form ({@code catalog.schema.table}) and whole
     * catalogs (the catalog part of that form). No fact of those is not evidence that their problems went away. {@code listed}:
     * the catalogs (their part) whose every table was listed, so that a table of one of them neither read nor unread is not in it
     * any more (dropped, or renamed).
     */
    record TableFacts(List<TableFact> facts, Set<String> unread, Set<String> listed)
    {
        public TableFacts
        {
            facts = List.copyOf(facts);
            unread = Set.copyOf(requireNonNull(unread, "unread is null"));
            listed = Set.copyOf(requireNonNull(listed, "listed is null"));
        }

        public static TableFacts of(List<TableFact> facts)
        {
            return new TableFacts(facts, Set.of(), Set.of());
        }
    }

    /**
     * Facts of the given tables (those queries touched), plus any other table the source knows;
     * files under {@code smallFileBytes} count as small. Says to {@code problems} what it cannot read, and why.
     */
    TableFacts read(Collection<String> tablesSeen, long smallFileBytes, Instant now, Consumer<String> problems);
}
