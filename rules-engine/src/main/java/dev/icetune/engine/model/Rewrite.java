package dev.icetune.engine.model;

/**
 * Rewriting a table's existing files after its layout changed: a new spec, sort order or bloom filter applies
 * to files written from then on, so without a rewrite the workload reads the old layout. Trino's
 * {@code optimize} rewrites files under {@code fileSizeThresholdBytes}: above the largest file, that is all of them.
 */
public record Rewrite(long fileSizeThresholdBytes)
{
    private static final long MEGABYTE = 1 << 20;

    public Rewrite
    {
        if (fileSizeThresholdBytes < MEGABYTE) {
            throw new IllegalArgumentException("a rewrite's file size threshold is at least 1MB: " + fileSizeThresholdBytes);
        }
    }

    /** A threshold above every file of a table whose largest file has {@code largestFileBytes}. */
    public static Rewrite allFiles(long largestFileBytes, long targetFileBytes)
    {
        return new Rewrite(Math.max(targetFileBytes, megabytes(largestFileBytes + 1) * MEGABYTE));
    }

    public String statement(String table)
    {
        return "ALTER TABLE %s EXECUTE optimize(file_size_threshold => '%dMB')".formatted(Sql.table(table), megabytes(fileSizeThresholdBytes));
    }

    private static long megabytes(long bytes)
    {
        return (bytes + MEGABYTE - 1) / MEGABYTE;
    }
}
