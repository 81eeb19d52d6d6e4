package dev.icetune.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Airlift's configuration errors (Guice's format) as the lines a person needs: which key, what is wrong, what would do. */
final class ConfigurationErrors
{
    private static final Pattern PROBLEM = Pattern.compile("(?m)^\\d+\\) (.*)$");
    private static final Pattern INVALID_VALUE = Pattern.compile("Invalid value '(.*)' for type (\\w+) \\(property '([^']+)'\\).*");
    private static final Pattern INVALID_PROPERTY = Pattern.compile("Invalid configuration property (?:with prefix '[^']*': )?(.*?)(?: \\(for class .*\\))?");
    private static final Map<String, String> EXAMPLES = Map.of(
            "Duration", "a duration such as 500ms, 30s, 5m, 1h or 7d",
            "DataSize", "a size such as 512MB or 1GB",
            "int", "a whole number",
            "long", "a whole number",
            "boolean", "true or false");

    private ConfigurationErrors() {}

    static String message(Throwable error)
    {
        Matcher matcher = PROBLEM.matcher(String.valueOf(error.getMessage()));
        List<String> problems = new ArrayList<>();
        while (matcher.find()) {
            problems.add(readable(matcher.group(1).strip()));
        }
        return problems.isEmpty() ? String.valueOf(error.getMessage()) : "invalid configuration: " + String.join("; ", problems);
    }

    private static String readable(String problem)
    {
        Matcher value = INVALID_VALUE.matcher(problem);
        if (value.matches()) {
            return "%s = '%s' is not %s".formatted(value.group(3), value.group(1), EXAMPLES.getOrDefault(value.group(2), "a " + value.group(2)));
        }
        Matcher property = INVALID_PROPERTY.matcher(problem);
        return property.matches() ? property.group(1) : problem;
    }
}
