package dev.icetune.engine.facts;

import java.time.Duration;
import java.time.Instant;

import static java.util.Objects.requireNonNull;

/** The oldest and newest value of a table's date or timestamp column, from the lower and upper bounds of its data files. */
public record TimeSpan(Instant from, Instant to)
{
    public TimeSpan
    {
        requireNonNull(from, "from is null");
        requireNonNull(to, "to is null");
        if (to.isBefore(from)) {
            throw new IllegalArgumentException("a time span ends before it starts: " + from + " .. " + to);
        }
    }

    public Duration length()
    {
        return Duration.between(from, to);
    }

    /** The share of the span at or after {@code instant}: the data a rewrite from there touches, if it is spread evenly. */
    public double shareFrom(Instant instant)
    {
        if (!instant.isAfter(from)) {
            return 1;
        }
        if (!instant.isBefore(to) || length().isZero()) {
            return 0;
        }
        return (double) Duration.between(instant, to).toSeconds() / length().toSeconds();
    }
}
