package dev.icetune.listener;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.RecordComponent;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * Reads a connector's input info (for Iceberg, {@code IcebergInputInfo}) by record component name. The
 * class belongs to the connector's plugin class loader, so a cast would pass in a flat test classpath and
 * fail in a real server: the record's public accessors, looked up reflectively, work in both.
 */
final class ConnectorInfo
{
    private static final ClassValue<Map<String, MethodHandle>> ACCESSORS = new ClassValue<>()
    {
        @Override
        protected Map<String, MethodHandle> computeValue(Class<?> type)
        {
            RecordComponent[] components = type.getRecordComponents();
            if (components == null) {
                return Map.of();
            }
            Map<String, MethodHandle> accessors = new HashMap<>();
            for (RecordComponent component : components) {
                try {
                    // unreflected once per class: Method.invoke checks access on every call, on the capture hot path
                    accessors.put(component.getName(), MethodHandles.publicLookup().unreflect(component.getAccessor())
                            .asType(MethodType.methodType(Object.class, Object.class)));
                }
                catch (IllegalAccessException | RuntimeException ignored) {
                    // a component we cannot read is a component we do not store
                }
            }
            return Map.copyOf(accessors);
        }
    };

    private final Object info;
    private final Map<String, MethodHandle> accessors;

    private ConnectorInfo(Object info)
    {
        this.info = info;
        this.accessors = info == null ? Map.of() : ACCESSORS.get(info.getClass());
    }

    /** The connector info of an input; reads nothing for anything but a record. */
    static ConnectorInfo of(Optional<Object> info)
    {
        return new ConnectorInfo(info.orElse(null));
    }

    boolean has(String component)
    {
        return accessors.containsKey(component);
    }

    /** The component's value with Optional and OptionalLong unwrapped; null when absent or unreadable. */
    Object get(String component)
    {
        MethodHandle accessor = accessors.get(component);
        if (accessor == null) {
            return null;
        }
        try {
            return unwrap(accessor.invokeExact(info));
        }
        catch (Error e) {
            throw e;
        }
        catch (Throwable e) {
            return null; // a component that fails to read is a component we do not store
        }
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

    /** A whole number, also from its text form (the connector reports some counts as strings); null otherwise. */
    Long getLong(String component)
    {
        return switch (get(component)) {
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

    List<String> getStrings(String component)
    {
        if (get(component) instanceof List<?> list) {
            return list.stream().map(String::valueOf).toList();
        }
        return null;
    }
}
