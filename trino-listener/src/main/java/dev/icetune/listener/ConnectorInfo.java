package dev.icetune.listener;

import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * Reads a connector's input info (for Iceberg, {@code IcebergInputInfo}) as a map of its record
 * components. The class belongs to the connector's plugin class loader, so a cast would pass in a flat
 * test classpath and fail in a real server: reflection over the record's public accessors works in both.
 */
final class ConnectorInfo
{
    private static final ClassValue<List<Method>> ACCESSORS = new ClassValue<>()
    {
        @Override
        protected List<Method> computeValue(Class<?> type)
        {
            RecordComponent[] components = type.getRecordComponents();
            if (components == null) {
                return List.of();
            }
            return java.util.Arrays.stream(components).map(RecordComponent::getAccessor).toList();
        }
    };

    private ConnectorInfo() {}

    /** Component name to value, with Optional and OptionalLong unwrapped; empty for anything but a record. */
    static Map<String, Object> components(Object info)
    {
        Map<String, Object> values = new LinkedHashMap<>();
        for (Method accessor : ACCESSORS.get(info.getClass())) {
            try {
                Object value = unwrap(accessor.invoke(info));
                if (value != null) {
                    values.put(accessor.getName(), value);
                }
            }
            catch (ReflectiveOperationException | RuntimeException ignored) {
                // a component we cannot read is a component we do not store
            }
        }
        return values;
    }

    private static Object unwrap(Object value)
    {
        return switch (value) {
            case Optional<?> optional -> optional.orElse(null);
            case OptionalLong optional -> optional.isPresent() ? optional.getAsLong() : null;
            case OptionalInt optional -> optional.isPresent() ? optional.getAsInt() : null;
            case OptionalDouble optional -> optional.isPresent() ? optional.getAsDouble() : null;
            case null, default -> value;
        };
    }

    static Long asLong(Object value)
    {
        return switch (value) {
            case Number number -> number.longValue();
            case String text -> {
                try {
                    yield Long.parseLong(text.trim());
                }
                catch (NumberFormatException e) {
                    yield null;
                }
            }
            case null, default -> null;
        };
    }

    static List<String> asStrings(Object value)
    {
        if (value instanceof List<?> list) {
            return list.stream().map(String::valueOf).toList();
        }
        return null;
    }
}
