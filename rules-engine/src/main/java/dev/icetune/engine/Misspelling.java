package dev.icetune.engine;

import org.apache.commons.text.similarity.LevenshteinDistance;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;

/** What a name a person wrote was likely meant to be: a configuration key, a threshold's name. */
public final class Misspelling
{
    /** At most this many letters added, dropped or changed: a misspelling, not another name. */
    private static final LevenshteinDistance MISSPELT = new LevenshteinDistance(3);

    private Misspelling() {}

    /** The name of {@code known} that {@code name} is most likely a misspelling of, if any (icetune.windw, like.min_scanz). */
    public static Optional<String> nearest(String name, Collection<String> known)
    {
        // each distance once: -1 past the limit
        return known.stream()
                .map(each -> Map.entry(each, MISSPELT.apply(name, each)))
                .filter(distance -> distance.getValue() >= 0)
                .min(Map.Entry.<String, Integer>comparingByValue().thenComparing(Map.Entry.comparingByKey()))
                .map(Map.Entry::getKey);
    }
}
