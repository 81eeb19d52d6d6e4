package dev.icetune.listener;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * Reads a connector's input info (for Iceberg, {@code IcebergInputInfo}) by record component. The class belongs
 * to the connector's plugin class loader, so a cast would pass in a flat test classpath and fail in a real
 * server: the record's public accessors, looked up reflectively, work in both. They are looked up once per class,
 * for the components icetune stores, so that reading an event costs no lookups by name.
 */
final class ConnectorInfo
{
    /** The components icetune stores, by the names Iceberg gives them. */
    enum Component
    {
        SNAPSHOT_ID("snapshotId"),
        FORMAT_VERSION("formatVersion"),
        PARTITION_FIELDS("partitionFields"),
        FILE_FORMAT("tableDefaultFileFormat"),
        TOTAL_DATA_FILES("totalDataFiles"),
        TOTAL_RECORDS("totalRecords"),
        TOTAL_DELETE_FILES("totalDeleteFiles");

        private final String recordName;

        Component(String recordName)
        {
            this.recordName = recordName;
        }
    }

    private static final ConnectorInfo NONE = new ConnectorInfo(null, new MethodHandle[Component.values().length]);

    private static final ClassValue<MethodHandle[]> ACCESSORS = new ClassValue<>()
    {
        @Override
        protected MethodHandle[] computeValue(Class<?> type)
        {
            MethodHandle[] accessors = new MethodHandle[Component.values().length];
            RecordComponent[] components = type.getRecordComponents();
            if (components == null) {
                return accessors;
            }
            for (RecordComponent component : components) {
                for (Component wanted : Component.values()) {
                    if (wanted.recordName.equals(component.getName())) {
                        try {
                            accessors[wanted.ordinal()] = MethodHandles.publicLookup().unreflect(component.getAccessor())
                                    .asType(MethodType.methodType(Object.class, Object.class));
                        }
                        catch (IllegalAccessException | RuntimeException ignored) {
                            // a component we cannot read is a component we do not store
                        }
                    }
                }
            }
            return accessors;
        }
    };

    private final Object info;
    private final MethodHandle[] accessors;

    private ConnectorInfo(Object info, MethodHandle[] accessors)
    {
        this.info = info;
        this.accessors = accessors;
    }

    /** The connector info of an input; reads nothing for anything but a record. */
    static ConnectorInfo of(Optional<Object> info)
    {
        return info.map(value -> new ConnectorInfo(value, ACCESSORS.get(value.getClass()))).orElse(NONE);
    }

    boolean has(Component component)
    {
        return accessors[component.ordinal()] != null;
    }

    /** The component's value with Optional and OptionalLong unwrapped; null when absent or unreadable. */
    Object get(Component component)
    {
        MethodHandle accessor = accessors[component.ordinal()];
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

    /** An if-chain, not a switch on the type: a switch's type test bootstraps a search that cost the capture stage a twentieth of its time. */
    private static Object unwrap(Object value)
    {
        if (value instanceof Optional<?> optional) {
            return optional.orElse(null);
        }
        if (value instanceof OptionalLong optional) {
            return optional.isPresent() ? optional.getAsLong() : null;
        }
        if (value instanceof OptionalInt optional) {
            return optional.isPresent() ? optional.getAsInt() : null;
        }
        if (value instanceof OptionalDouble optional) {
            return optional.isPresent() ? optional.getAsDouble() : null;
        }
        return value;
    }

    /** A whole number, also from its text form (the connector reports some counts as strings); null otherwise. */
    Long getLong(Component component)
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

    List<String> getStrings(Component component)
    {
        if (!(get(component) instanceof List<?> list)) {
            return null;
        }
        List<String> strings = new ArrayList<>(list.size());
        for (Object element : list) {
            strings.add(String.valueOf(element));
        }
        return strings;
    }
}
