package dev.icetune.engine.model;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The grain of a time partition transform: what one of its partitions spans, a month counted as 30 days and a year as 365,
 * as the estimates count them.
 */
public enum TimeGrain
{
    HOUR(Duration.ofHours(1)),
    DAY(Duration.ofDays(1)),
    MONTH(Duration.ofDays(30)),
    YEAR(Duration.ofDays(365));

    private final Duration unit;

    TimeGrain(Duration unit)
    {
        this.unit = unit;
    }

    /** The grain of Iceberg's and Trino's transform {@code year}, {@code month}, {@code day} or {@code hour}. */
    public static Optional<TimeGrain> of(String transform)
    {
        return Arrays.stream(values()).filter(grain -> grain.transform().equals(transform)).findFirst();
    }

    public String transform()
    {
        return name().toLowerCase(Locale.ROOT);
    }

    public Duration unit()
    {
        return unit;
    }

    public double hours()
    {
        return unit.toSeconds() / 3600.0;
    }

    /** The grains coarser than this one, the finest first. */
    public List<TimeGrain> coarser()
    {
        return Arrays.stream(values()).filter(grain -> grain.compareTo(this) > 0).toList();
    }
}
