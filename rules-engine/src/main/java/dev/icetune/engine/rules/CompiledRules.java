package dev.icetune.engine.rules;

import org.drools.base.common.DroolsObjectInputStream;
import org.drools.base.common.DroolsObjectOutputStream;
import org.kie.api.definition.KiePackage;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

/**
 * Rules compiled before, kept on disk between commands: compiling the shipped rules takes 2-3 s of every one-off command that
 * runs them ({@code evaluate}, {@code rules validate}, {@code rules test}), reading them back about half a second. Each is kept
 * under a key of the rule files' names and bytes and of the code they were compiled against (every jar of the class path, as
 * installed), so that an edit, an added or removed file, or an upgrade compiles again; only rules that compiled are kept. A
 * file that cannot be read back (cut short, written by another version) is compiled again and replaced; a directory that
 * cannot be written leaves every command compiling, as without it. The directory is the user's own (the launcher's cache,
 * where it keeps its class-data archive): what it holds is code that runs.
 */
public final class CompiledRules
{
    /** Compiles every time. */
    public static final CompiledRules NONE = new CompiledRules(Optional.empty());

    /** Rule sets kept: a team switching between its own rules and the shipped ones, and the versions before an edit. */
    private static final int KEPT = 8;
    private static final String SUFFIX = ".rules";

    private final Optional<Path> directory;

    private CompiledRules(Optional<Path> directory)
    {
        this.directory = requireNonNull(directory, "directory is null");
    }

    public static CompiledRules in(Path directory)
    {
        return new CompiledRules(Optional.of(directory));
    }

    /** The user's cache, as the launcher finds it: {@code $XDG_CACHE_HOME/icetune/rules}, or {@code ~/.cache/icetune/rules}. */
    public static CompiledRules userCache(Map<String, String> environment)
    {
        String cache = environment.get("XDG_CACHE_HOME");
        Path base = cache == null || cache.isBlank() ? Path.of(System.getProperty("user.home"), ".cache") : Path.of(cache);
        return in(base.resolve("icetune").resolve("rules"));
    }

    /**
     * The key of rule files, by name and content (in the order compiled), compiled by this code; none where nothing is kept
     * ({@link #NONE}), which then spends nothing on the class path.
     */
    Optional<String> key(Map<String, String> files)
    {
        if (directory.isEmpty()) {
            return Optional.empty();
        }
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            // the code the rules were compiled against: the facts and fixes they name (in several of icetune's jars) and Drools
            for (String entry : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
                digest.update(identity(entry).getBytes(UTF_8));
                digest.update((byte) 0);
            }
            files.forEach((name, text) -> {
                digest.update(name.getBytes(UTF_8));
                digest.update((byte) 0);
                digest.update(text.getBytes(UTF_8));
                digest.update((byte) 0);
            });
            return Optional.of(HexFormat.of().formatHex(digest.digest(), 0, 16));
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e); // every JDK has SHA-256
        }
    }

    /**
     * A class path entry: a jar by path, size and time (one replaced by another version changes them); a directory of classes (a
     * build's own, as tests run them) by its newest file, so that a rebuilt fact class compiles the rules again.
     */
    private static String identity(String entry)
    {
        try {
            Path location = Path.of(entry);
            if (Files.isDirectory(location)) {
                try (Stream<Path> files = Files.walk(location)) {
                    return entry + "@" + files.filter(Files::isRegularFile).mapToLong(CompiledRules::modified).max().orElse(0);
                }
            }
            return entry + "@" + Files.size(location) + "@" + modified(location);
        }
        catch (IOException | RuntimeException e) {
            return entry;
        }
    }

    private static long modified(Path file)
    {
        try {
            return Files.getLastModifiedTime(file).toMillis();
        }
        catch (IOException e) {
            return 0;
        }
    }

    /** The packages compiled under {@link #key} before; none when there are none or they cannot be read back (then removed). */
    Optional<Collection<KiePackage>> read(String key)
    {
        Path file = directory.orElseThrow().resolve(key + SUFFIX);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        Collection<KiePackage> packages;
        try (ObjectInputStream in = new DroolsObjectInputStream(new BufferedInputStream(Files.newInputStream(file)), CompiledRules.class.getClassLoader())) {
            @SuppressWarnings("unchecked")
            Collection<KiePackage> read = (Collection<KiePackage>) in.readObject();
            packages = read;
        }
        catch (Exception | LinkageError e) {
            // cut short by a full disk, or written by code this key did not tell apart: compiled again and replaced
            try {
                Files.deleteIfExists(file);
            }
            catch (IOException ignored) {
                // compiled again all the same; the write replaces it
            }
            return Optional.empty();
        }
        try {
            Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis())); // kept as recently used
        }
        catch (IOException e) {
            // a file this user may read and not touch (another's cache) is read all the same; it may be the first pruned
        }
        return Optional.of(packages);
    }

    /** Keeps {@code packages} under {@code key}, quietly not where the directory cannot be written. */
    void write(String key, Collection<KiePackage> packages)
    {
        Path cache = directory.orElseThrow();
        try {
            if (!Files.isDirectory(cache)) {
                Files.createDirectories(cache);
                try {
                    Files.setPosixFilePermissions(cache, PosixFilePermissions.fromString("rwx------"));
                }
                catch (UnsupportedOperationException ignored) {
                    // not a POSIX file system: its own default
                }
            }
            // written aside, then moved in whole: two commands compiling at once, or one stopped midway, leave no partial file
            Path written = Files.createTempFile(cache, key, ".tmp");
            try {
                try (ObjectOutputStream out = new DroolsObjectOutputStream(new BufferedOutputStream(Files.newOutputStream(written)))) {
                    out.writeObject(new ArrayList<>(packages));
                }
                Files.move(written, cache.resolve(key + SUFFIX), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
            finally {
                Files.deleteIfExists(written);
            }
            try (Stream<Path> kept = Files.list(cache)) {
                List<Path> oldestLast = kept.filter(file -> file.getFileName().toString().endsWith(SUFFIX))
                        .sorted(Comparator.comparingLong(CompiledRules::modified).reversed()).toList();
                for (Path old : oldestLast.subList(Math.min(KEPT, oldestLast.size()), oldestLast.size())) {
                    Files.deleteIfExists(old);
                }
            }
        }
        catch (IOException | RuntimeException e) {
            // no cache: the next command compiles again, as it did before there was one
        }
    }
}
