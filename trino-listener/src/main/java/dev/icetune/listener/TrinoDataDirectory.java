package dev.icetune.listener;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Trino's {@code node.data-dir}, against which the plugin resolves its relative paths. Trino does not hand it
 * to plugins; its launcher passes node.properties as system properties ({@code -Dnode.data-dir=...}) and runs
 * the server in that directory, so it is the system property, else the working directory.
 */
final class TrinoDataDirectory
{
    static final String PROPERTY = "node.data-dir";

    private TrinoDataDirectory() {}

    static Path get()
    {
        return Optional.ofNullable(System.getProperty(PROPERTY)).filter(value -> !value.isBlank())
                .map(Path::of)
                .orElseGet(() -> Path.of(""))
                .toAbsolutePath();
    }
}
