package dev.icetune.engine.iceberg;

import org.apache.iceberg.types.Conversions;
import org.apache.iceberg.types.Type;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;

/** A date or timestamp bound of a data file's column statistics as an instant; timestamps without a zone read as UTC. */
public final class TimeBounds
{
    private TimeBounds() {}

    public static boolean isTime(Type type)
    {
        return type.typeId() == Type.TypeID.DATE || type.typeId() == Type.TypeID.TIMESTAMP || type.typeId() == Type.TypeID.TIMESTAMP_NANO;
    }

    /** The instant of a bound, or null when there is none or the column is not a date or timestamp. */
    public static Instant instant(Type type, ByteBuffer bound)
    {
        if (bound == null || !isTime(type)) {
            return null;
        }
        Object value = Conversions.fromByteBuffer(type, bound);
        return switch (type.typeId()) {
            case DATE -> Instant.EPOCH.plus(Duration.ofDays((Integer) value));
            case TIMESTAMP -> Instant.EPOCH.plus(Duration.ofNanos(Math.multiplyExact((Long) value, 1000L)));
            default -> Instant.EPOCH.plus(Duration.ofNanos((Long) value));
        };
    }
}
