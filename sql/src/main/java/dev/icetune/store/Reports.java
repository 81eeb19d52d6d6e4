package dev.icetune.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The reports of {@code sql/reports}, shipped in this jar: the same SQL a person runs with {@code psql -f}.
 * Names are the file names without {@code .sql}; {@link #NAMES} lists them (the build writes the index).
 */
public final class Reports
{
    private static final String FOLDER = "dev/icetune/store/reports/";
    private static final Pattern NAME = Pattern.compile("[a-z0-9-]+");

    /** Every report, in the order of the index. */
    public static final List<String> NAMES = read("index.txt").map(text -> text.lines().map(String::strip).filter(line -> !line.isEmpty()).toList())
            .orElse(List.of());

    private Reports() {}

    /** The report's SQL without its trailing semicolon, if there is a report of that name. */
    public static Optional<String> sql(String name)
    {
        if (!NAME.matcher(name).matches()) {
            return Optional.empty();
        }
        return read(name + ".sql").map(text -> text.strip().replaceAll(";$", ""));
    }

    private static Optional<String> read(String file)
    {
        try (InputStream in = Reports.class.getClassLoader().getResourceAsStream(FOLDER + file)) {
            return in == null ? Optional.empty() : Optional.of(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
