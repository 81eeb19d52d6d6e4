package dev.icetune.engine.model;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * Rewriting a table's existing files after its layout changed: a new spec, sort order or bloom filter applies
 * to files written from then on, so without a rewrite the workload reads the old layout. Trino's
 * {@code optimize} rewrites files under {@code fileSizeThresholdBytes}: above the largest file, that is all of them.
 * With a {@code column} and {@code from} (an instant), only the files holding values of the column at or after it:
 * the time range the workload reads. The applier rewrites them newest first, in pieces that commit one at a time.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Rewrite(long fileSizeThresholdBytes, String column, String from)
{
    private static final long MEGABYTE = 1 << 20;

    public Rewrite
    {
        if (fileSizeThresholdBytes < MEGABYTE) {
            throw new IllegalArgumentException("a rewrite's file size threshold is at least 1MB: " + fileSizeThresholdBytes);
        }
        if ((column == null) != (from == null)) {
            throw new IllegalArgumentException("a rewrite bounded in time names both the column and the instant: " + column + ", " + from);
        }
        if (from != null) {
            try {
                Instant.parse(from);
            }
            catch (DateTimeParseException e) {
                throw new IllegalArgumentException("not an instant: '" + from + "' (2024-01-05T00:00:00Z)", e);
            }
        }
    }

    /** The files under the threshold, wherever their data lies. */
    public Rewrite(long fileSizeThresholdBytes)
    {
        this(fileSizeThresholdBytes, null, null);
    }

    /** A threshold above every file of a table whose largest file has {@code largestFileBytes}. */
    public static Rewrite allFiles(long largestFileBytes, long targetFileBytes)
    {
        return new Rewrite(Math.max(targetFileBytes, megabytes(largestFileBytes + 1) * MEGABYTE));
    }

    /** All files holding values of {@code column} at or after {@code earliest}; all files when it is null (not known). */
    public static Rewrite from(long largestFileBytes, long targetFileBytes, String column, Instant earliest)
    {
        Rewrite all = allFiles(largestFileBytes, targetFileBytes);
        return earliest == null ? all : new Rewrite(all.fileSizeThresholdBytes(), column, earliest.toString());
    }

    /** The rewrite as Trino's statement over every candidate file; the applier runs it in pieces, bounded to the files it concerns. */
    public String statement(String table)
    {
        return "ALTER TABLE %s EXECUTE optimize(file_size_threshold => '%dMB')".formatted(Sql.table(table), megabytes(fileSizeThresholdBytes));
    }

    /** Which files it rewrites, in words. */
    public String scope()
    {
        return column == null ? "its files" : "its files holding %s from %s on (what the workload reads)".formatted(column, from);
    }

    private static long megabytes(long bytes)
    {
        return (bytes + MEGABYTE - 1) / MEGABYTE;
    }
}
