package dev.icetune.engine.rules;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The facts a rule can match, read from the facts themselves: what a rule author who has the installation and not the source
 * looks up. Each is one kind of a scenario's facts ({@link Scenarios.Facts}), under its key there, with the fields a condition
 * compares and the methods it may call ({@code hasColumn($column)}); a rule reads numbers from {@code Thresholds} by name.
 */
public final class FactCatalog
{
    /**
     * A field or method, its type as a rule author writes it ({@code List<String>}, not {@code java.util.List<java.lang.String>}); an enum's
     * {@code values} ({@code kind == PredicateKind.RANGE}).
     */
    public record Member(String name, String type, List<String> values) {}

    /** A fact type: its name in DRL, its key in a scenario's facts, its fields and its methods with their parameters. */
    public record FactType(String name, String scenarioKey, List<Member> fields, List<Member> methods) {}

    private static final Set<String> OBJECT_METHODS = Set.of("equals", "hashCode", "toString");

    private FactCatalog() {}

    public static List<FactType> facts()
    {
        return Arrays.stream(Scenarios.Facts.class.getRecordComponents())
                .map(kind -> describe((Class<?>) ((ParameterizedType) kind.getGenericType()).getActualTypeArguments()[0], kind.getName()))
                .toList();
    }

    private static FactType describe(Class<?> fact, String scenarioKey)
    {
        List<Member> fields = Arrays.stream(fact.getRecordComponents()).map(field -> new Member(field.getName(), typeName(field.getGenericType()), values(field.getType()))).toList();
        Set<String> accessors = fields.stream().map(Member::name).collect(Collectors.toSet());
        List<Member> methods = Arrays.stream(fact.getDeclaredMethods())
                .filter(method -> Modifier.isPublic(method.getModifiers()) && !Modifier.isStatic(method.getModifiers()) && !method.isSynthetic())
                .filter(method -> !(accessors.contains(method.getName()) && method.getParameterCount() == 0) && !OBJECT_METHODS.contains(method.getName()))
                .map(method -> new Member(signature(method), typeName(method.getGenericReturnType()), values(method.getReturnType())))
                .sorted(Comparator.comparing(Member::name))
                .toList();
        return new FactType(fact.getSimpleName(), scenarioKey, fields, methods);
    }

    private static List<String> values(Class<?> type)
    {
        return type.isEnum() ? Arrays.stream(type.getEnumConstants()).map(constant -> ((Enum<?>) constant).name()).toList() : List.of();
    }

    private static String signature(Method method)
    {
        return method.getName() + Arrays.stream(method.getGenericParameterTypes()).map(FactCatalog::typeName).collect(Collectors.joining(", ", "(", ")"));
    }

    /** {@code java.util.List<dev.icetune.engine.facts.PredicateFact>} as {@code List<PredicateFact>}; a nested type by its own name. */
    private static String typeName(Type type)
    {
        return type.getTypeName().replaceAll("\\b[a-z][a-z0-9_]*\\.", "").replaceAll("\\b[A-Z]\\w*\\$", "");
    }
}
