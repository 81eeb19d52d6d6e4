package dev.icetune.engine.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The DRL global {@code recommendations}: what the rules of one evaluation concluded, one per rule and target. */
public final class RecommendationSink
{
    private final Map<String, Recommendation> byKey = new LinkedHashMap<>();

    public void add(Recommendation recommendation)
    {
        byKey.putIfAbsent(recommendation.dedupeKey(), recommendation);
    }

    public List<Recommendation> all()
    {
        return new ArrayList<>(byKey.values());
    }
}
