package dev.icetune.engine.model;

import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * A recommendation's lifecycle. {@link #canBecome} is the one table of allowed transitions: the store refuses
 * any other, whoever asks.
 *
 * <pre>
 * open ──approve──> approved ──apply──> applied ──measured──> verified | regressed
 *  │ │                 │                  ^  │                     │
 *  │ └─reject──────────┴─> rejected       │  └──────rollback───────┴──> open
 *  ├─condition gone──> resolved ──fires again──> open
 * approved (a person's fix: a rewrite, advice, delivered, never applied) ──condition gone──> resolved
 *  └─another fix made it moot──> superseded (from open or approved)
 * approved ──its columns renamed or dropped since──> open (to be proposed anew and approved again)
 * approved | rejected ──reopen (a person takes back the decision)──> open
 * applied, measured to have no effect (or its apply changed nothing): stays applied, measured no more (its measured effect says so)
 * </pre>
 */
public enum Status
{
    OPEN, APPROVED, REJECTED, APPLIED, VERIFIED, REGRESSED, RESOLVED, SUPERSEDED;

    /** As stored and shown: lower case. */
    @JsonValue
    public String value()
    {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Status of(String value)
    {
        return Arrays.stream(values()).filter(status -> status.value().equals(value)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no status '" + value + "' (one of " + Arrays.toString(values()).toLowerCase(Locale.ROOT) + ")"));
    }

    public boolean canBecome(Status next)
    {
        return successors().contains(next);
    }

    public Set<Status> successors()
    {
        return switch (this) {
            case OPEN -> EnumSet.of(APPROVED, REJECTED, RESOLVED, SUPERSEDED);
            case APPROVED -> EnumSet.of(APPLIED, REJECTED, SUPERSEDED, OPEN, RESOLVED);
            case APPLIED -> EnumSet.of(VERIFIED, REGRESSED, OPEN);
            case VERIFIED, REGRESSED -> EnumSet.of(OPEN);
            case RESOLVED -> EnumSet.of(OPEN);
            case REJECTED -> EnumSet.of(OPEN);
            case SUPERSEDED -> EnumSet.noneOf(Status.class);
        };
    }

    /** A fix of this status has changed the table: it can be rolled back. */
    public boolean isApplied()
    {
        return this == APPLIED || this == VERIFIED || this == REGRESSED;
    }

    @Override
    public String toString()
    {
        return value();
    }
}
