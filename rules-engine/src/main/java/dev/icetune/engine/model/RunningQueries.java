package dev.icetune.engine.model;

import dev.icetune.engine.facts.RunningQueryFact;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/** What a rule says of queries still running: their ids (longest running first), their users, and how to end them. */
public final class RunningQueries
{
    private RunningQueries() {}

    public static List<String> ids(Collection<?> running)
    {
        return sorted(running).stream().map(RunningQueryFact::queryId).toList();
    }

    public static List<String> users(Collection<?> running)
    {
        return sorted(running).stream().map(RunningQueryFact::user).distinct().toList();
    }

    public static long longestMs(Collection<?> running)
    {
        return sorted(running).stream().mapToLong(RunningQueryFact::runningMs).max().orElse(0);
    }

    /** The subject of a sentence about them: "1 query of 'p' (user a) has", "2 queries of 'p' (users a, b) have". */
    public static String subject(Collection<?> running, String pattern)
    {
        List<String> users = users(running);
        return "%s of '%s' (%s %s) %s".formatted(running.size() == 1 ? "1 query" : running.size() + " queries", pattern, users.size() == 1 ? "user" : "users",
                String.join(", ", users), running.size() == 1 ? "has" : "have");
    }

    /** Trino's own procedure, one call a query: to run by hand once someone has looked at them. */
    public static KillQueries kill(Collection<?> running)
    {
        return new KillQueries(ids(running));
    }

    /** Drools hands a collected list as raw objects. */
    private static List<RunningQueryFact> sorted(Collection<?> running)
    {
        return running.stream().map(RunningQueryFact.class::cast).sorted(Comparator.comparingLong(RunningQueryFact::runningMs).reversed()).toList();
    }
}
