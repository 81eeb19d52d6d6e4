package dev.icetune.engine.model;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import java.util.ArrayList;
import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * What a recommendation is worth before anyone approves it, from the captured workload and the table's metadata:
 * the queries it helps ({@code scope}, how many a day at the current workload) and what one of them reads now and
 * would read after the fix; what the fix keeps costing a day (a materialized view's refreshes: files and bytes) and costs once (bytes
 * and files rewritten, bytes read); and in words the assumptions that connect them. {@code priority} weighs it all in
 * one number: the scan work saved over {@link Rates#horizonDays()} days net of the one-time cost, in GB-equivalents
 * (a file opened counts as {@link Rates#fileOpenBytes()}, a second of query time as {@link Rates#bytesPerSecond()}).
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Estimate(
        String scope,
        double queriesPerDay,
        double filesPerQueryBefore,
        double filesPerQueryAfter,
        double bytesPerQueryBefore,
        double bytesPerQueryAfter,
        double filesSavedPerDay,
        double bytesSavedPerDay,
        double secondsSavedPerDay,
        double costFilesPerDay,
        double costBytesPerDay,
        long rewriteBytes,
        long rewriteFiles,
        long readBytesOnce,
        Double targetP95Ms,
        String assumptions,
        double netSavingPerDay,
        double priority,
        Double misestimatedShareBefore,
        Double misestimatedShareAfter)
{
    private static final double GIGABYTE = 1 << 30;

    /** How files and seconds weigh against bytes, and over how many days a fix pays back. */
    public record Rates(double fileOpenBytes, double bytesPerSecond, double horizonDays)
    {
        public Rates
        {
            if (fileOpenBytes < 0 || bytesPerSecond < 0 || horizonDays <= 0) {
                throw new IllegalArgumentException("estimate rates must be positive: " + fileOpenBytes + ", " + bytesPerSecond + ", " + horizonDays);
            }
        }
    }

    public Estimate
    {
        requireNonNull(scope, "scope is null");
        requireNonNull(assumptions, "assumptions is null");
    }

    /** What the queries in scope read before and after, and what the fix costs once; the savings and the priority follow. */
    public static Estimate of(String scope, double queriesPerDay, double filesBefore, double filesAfter, double bytesBefore, double bytesAfter,
            double secondsSavedPerDay, long rewriteBytes, long rewriteFiles, long readBytesOnce, Double targetP95Ms, String assumptions, Rates rates)
    {
        double filesSaved = queriesPerDay * (filesBefore - filesAfter);
        double bytesSaved = queriesPerDay * (bytesBefore - bytesAfter);
        double net = bytesSaved + filesSaved * rates.fileOpenBytes() + secondsSavedPerDay * rates.bytesPerSecond();
        // a rewrite reads and writes what it rewrites, and opens every file it replaces
        double once = 2.0 * rewriteBytes + rewriteFiles * rates.fileOpenBytes() + readBytesOnce;
        double priority = (rates.horizonDays() * net - once) / GIGABYTE;
        return new Estimate(scope, round(queriesPerDay), round(filesBefore), round(filesAfter), round(bytesBefore), round(bytesAfter),
                round(filesSaved), round(bytesSaved), round(secondsSavedPerDay), 0, 0, rewriteBytes, rewriteFiles, readBytesOnce,
                targetP95Ms == null ? null : round(targetP95Ms), assumptions, round(net), round(priority), null, null);
    }

    /** No figures: a rule icetune does not know how to value. Sorted after every valued one that saves anything. */
    public static Estimate unknown(String why)
    {
        return new Estimate("unknown", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, null, why, 0, 0, null, null);
    }

    /**
     * With what the fix keeps costing a day (a materialized view's refreshes: the files they open and the bytes they read), taken off
     * the net saving and the priority.
     */
    public Estimate withUpkeep(double filesPerDay, double bytesPerDay, Rates rates)
    {
        double cost = filesPerDay * rates.fileOpenBytes() + bytesPerDay;
        return new Estimate(scope, queriesPerDay, filesPerQueryBefore, filesPerQueryAfter, bytesPerQueryBefore, bytesPerQueryAfter, filesSavedPerDay,
                bytesSavedPerDay, secondsSavedPerDay, round(costFilesPerDay + filesPerDay), round(costBytesPerDay + bytesPerDay), rewriteBytes, rewriteFiles,
                readBytesOnce, targetP95Ms, assumptions, round(netSavingPerDay - cost), round(priority - rates.horizonDays() * cost / GIGABYTE),
                misestimatedShareBefore, misestimatedShareAfter);
    }

    /**
     * With the share of the filtered scans in scope whose rows the planner misestimated (could not estimate, or off by more
     * than a factor), now and after the fix: what statistics move.
     */
    public Estimate withMisestimatedShare(double before, double after)
    {
        return new Estimate(scope, queriesPerDay, filesPerQueryBefore, filesPerQueryAfter, bytesPerQueryBefore, bytesPerQueryAfter, filesSavedPerDay,
                bytesSavedPerDay, secondsSavedPerDay, costFilesPerDay, costBytesPerDay, rewriteBytes, rewriteFiles, readBytesOnce, targetP95Ms, assumptions, netSavingPerDay,
                priority, round(before), round(after));
    }

    @JsonIgnore
    public boolean isKnown()
    {
        return !scope.equals("unknown");
    }

    /** The estimate in one sentence, as {@code recommendations show} says it. */
    public String sentence()
    {
        if (!isKnown()) {
            return "No estimate: " + assumptions;
        }
        StringBuilder text = new StringBuilder("Helps %s (about %s a day)".formatted(scope, count(queriesPerDay)));
        if (filesSavedPerDay != 0 || bytesSavedPerDay != 0) {
            text.append(": each reads %s and %s now, about %s and %s after; %s a day".formatted(
                    files(filesPerQueryBefore), bytes(bytesPerQueryBefore), files(filesPerQueryAfter), bytes(bytesPerQueryAfter), change()));
        }
        if (secondsSavedPerDay != 0) {
            text.append("; about %s of query time saved a day".formatted(seconds(secondsSavedPerDay)));
        }
        if (targetP95Ms != null) {
            text.append("; aims at a p95 of %.0f ms".formatted(targetP95Ms));
        }
        if (misestimatedShareBefore != null) {
            text.append(": the planner misestimates the rows of %.0f%% of them now, about %.0f%% after".formatted(100 * misestimatedShareBefore, 100 * misestimatedShareAfter));
        }
        text.append(". ");
        if (costFilesPerDay > 0 || costBytesPerDay > 0) {
            text.append("It keeps costing %s a day. ".formatted(upkeep()));
        }
        if (rewriteBytes > 0 || readBytesOnce > 0) {
            text.append("Applying it %s%s once. ".formatted(rewriteBytes > 0 ? "rewrites %s, %s".formatted(files(rewriteFiles), bytes(rewriteBytes)) : "",
                    readBytesOnce > 0 ? (rewriteBytes > 0 ? " and reads " : "reads ") + bytes(readBytesOnce) : ""));
        }
        return text.append("Assuming ").append(assumptions).append(" Priority %.1f.".formatted(priority)).toString();
    }

    /**
     * Where a net saving comes from, in one clause: the queries helped, their reads now and after, what applying and keeping it cost;
     * and, where a query's reads would not change at all, the assumptions that say why (met from outside: a bloom filter held back as
     * "about 80 files and 34.1 MB after", its files each alone in its partition, which Trino's optimize leaves as they are).
     */
    public String basis()
    {
        String queries = count(queriesPerDay);
        StringBuilder text = new StringBuilder("%s %s a day, each reading %s and %s now, about %s and %s after".formatted(queries, queries.equals("1") ? "query" : "queries",
                files(filesPerQueryBefore), bytes(bytesPerQueryBefore), files(filesPerQueryAfter), bytes(bytesPerQueryAfter)));
        if (rewriteBytes > 0) {
            text.append("; applying it rewrites %s, %s".formatted(files(rewriteFiles), bytes(rewriteBytes)));
        }
        if (costFilesPerDay > 0 || costBytesPerDay > 0) {
            text.append("; it keeps costing %s a day".formatted(upkeep()));
        }
        if (filesPerQueryAfter == filesPerQueryBefore && bytesPerQueryAfter == bytesPerQueryBefore && secondsSavedPerDay == 0) {
            text.append("; a query reads as much after, assuming ").append(assumptions.endsWith(".") ? assumptions.substring(0, assumptions.length() - 1) : assumptions);
        }
        return text.toString();
    }

    /** The saving a day in a few words, for a table of recommendations. */
    public String saving()
    {
        if (!isKnown()) {
            return "-";
        }
        List<String> parts = new ArrayList<>();
        if (Math.round(filesSavedPerDay) != 0) {
            parts.add(files(filesSavedPerDay));
        }
        if (Math.abs(bytesSavedPerDay) >= 1) {
            parts.add(bytesSavedPerDay < 0 ? bytes(-bytesSavedPerDay) + " more" : bytes(bytesSavedPerDay));
        }
        if (secondsSavedPerDay >= 1) {
            parts.add(seconds(secondsSavedPerDay));
        }
        if (costFilesPerDay > 0 || costBytesPerDay > 0) {
            parts.add("costs " + upkeep());
        }
        if (misestimatedShareBefore != null) {
            parts.add("misestimates %.0f%% -> %.0f%%".formatted(100 * misestimatedShareBefore, 100 * misestimatedShareAfter));
        }
        return parts.isEmpty() ? "nothing measurable" : String.join(", ", parts);
    }

    /** The files and bytes saved a day: "300 files and 1.2 MB fewer", or where the fix reads more of one, "300 files fewer and 1.2 MB more". */
    private String change()
    {
        if (filesSavedPerDay >= 0 && bytesSavedPerDay >= 0) {
            return "%s and %s fewer".formatted(files(filesSavedPerDay), bytes(bytesSavedPerDay));
        }
        return "%s %s and %s %s".formatted(files(Math.abs(filesSavedPerDay)), filesSavedPerDay < 0 ? "more" : "fewer",
                bytes(Math.abs(bytesSavedPerDay)), bytesSavedPerDay < 0 ? "more" : "fewer");
    }

    /** What the fix keeps costing a day: "1,440 files, 3.9 MB". */
    private String upkeep()
    {
        return costFilesPerDay > 0 ? files(costFilesPerDay) + ", " + bytes(costBytesPerDay) : bytes(costBytesPerDay);
    }

    /** A number of files as a person reads it: "1 file", "2.5 files", "1,200 files". */
    public static String files(double files)
    {
        return count(files, "file");
    }

    /** A number of things as a person reads it: "1 delete file", "3 delete files". */
    public static String count(double count, String noun)
    {
        String number = count(count);
        return number + " " + noun + (number.equals("1") ? "" : "s");
    }

    public static String bytes(double bytes)
    {
        double absolute = Math.abs(bytes);
        if (absolute >= GIGABYTE) {
            return "%.1f GB".formatted(bytes / GIGABYTE);
        }
        if (absolute >= 1 << 20) {
            return "%.1f MB".formatted(bytes / (1 << 20));
        }
        return absolute >= 1 << 10 ? "%.1f kB".formatted(bytes / (1 << 10)) : "%.0f B".formatted(bytes);
    }

    private static String count(double value)
    {
        return Math.abs(value) >= 100 || value == Math.rint(value) ? "%,.0f".formatted(value) : "%.1f".formatted(value);
    }

    private static String seconds(double seconds)
    {
        return seconds >= 3600 ? "%.1f h".formatted(seconds / 3600) : seconds >= 60 ? "%.0f min".formatted(seconds / 60) : "%.0f s".formatted(seconds);
    }

    private static double round(double value)
    {
        return Math.round(value * 1000) / 1000.0;
    }
}
