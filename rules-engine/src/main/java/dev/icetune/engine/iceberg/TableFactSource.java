package dev.icetune.engine.iceberg;

import dev.icetune.engine.facts.TableFact;

import java.time.Instant;
import java.util.Collection;
import java.util.List;

/** Where table metadata facts come from: an Iceberg catalog in production, anything else in a benchmark. */
public interface TableFactSource
{
    /**
     * Facts of the given tables (those queries touched), plus any other table the source knows;
     * files under {@code smallFileBytes} count as small. Reports tables it cannot read to {@code problems}.
     */
    List<TableFact> read(Collection<String> tablesSeen, long smallFileBytes, Instant now, java.util.function.Consumer<String> problems);
}
