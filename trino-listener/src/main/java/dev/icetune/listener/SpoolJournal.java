package dev.icetune.listener;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static java.util.Objects.requireNonNull;

/**
 * The on-disk journal that keeps batches while PostgreSQL is unavailable: one file a batch, one JSON
 * event a line, named by a sequence number so that replay follows arrival order. A file appears only
 * once fully written (written aside, then renamed), so a crash never leaves half a batch to replay.
 * Used by the writer thread alone.
 */
final class SpoolJournal
{
    private static final String SUFFIX = ".jsonl";

    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
    @JsonSubTypes({
            @JsonSubTypes.Type(value = CapturedQuery.class, name = "query"),
            @JsonSubTypes.Type(value = CapturedStart.class, name = "start")})
    private interface EventMixIn {}

    private final Path directory;
    private final long maxBytes;
    private final ObjectWriter writer;
    private final ObjectReader reader;
    private final AtomicLong bytes = new AtomicLong();
    private long nextSequence;

    SpoolJournal(Path directory, long maxBytes)
            throws IOException
    {
        this.directory = requireNonNull(directory, "directory is null");
        this.maxBytes = maxBytes;
        ObjectMapper mapper = JsonMapper.builder()
                .addModule(new JavaTimeModule())
                .addMixIn(CapturedEvent.class, EventMixIn.class)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .build();
        this.writer = mapper.writerFor(CapturedEvent.class);
        this.reader = mapper.readerFor(CapturedEvent.class);
        Files.createDirectories(directory);
        for (Path file : files()) {
            bytes.addAndGet(Files.size(file));
            nextSequence = Math.max(nextSequence, sequence(file) + 1);
        }
    }

    long bytes()
    {
        return bytes.get();
    }

    Path directory()
    {
        return directory;
    }

    long maxBytes()
    {
        return maxBytes;
    }

    boolean isEmpty()
    {
        return bytes.get() == 0;
    }

    /** Appends a batch; false when it would pass the size limit (the caller counts the loss). */
    boolean append(List<CapturedEvent> batch)
            throws IOException
    {
        StringBuilder content = new StringBuilder();
        for (CapturedEvent event : batch) {
            content.append(writer.writeValueAsString(event)).append('\n');
        }
        byte[] data = content.toString().getBytes(StandardCharsets.UTF_8);
        if (bytes.get() + data.length > maxBytes) {
            return false;
        }
        String name = "%020d".formatted(nextSequence++);
        Path temporary = directory.resolve(name + ".tmp");
        try {
            // again at each batch: a directory removed while Trino runs (by hand, a cleaner of temporary files) is made anew
            Files.createDirectories(directory);
            Files.write(temporary, data);
        }
        catch (IOException e) {
            // a full disk: what was written of it goes, so that freeing space is all it takes to journal again
            Files.deleteIfExists(temporary);
            throw e;
        }
        try {
            Files.move(temporary, directory.resolve(name + SUFFIX), StandardCopyOption.ATOMIC_MOVE);
        }
        catch (AtomicMoveNotSupportedException e) {
            Files.move(temporary, directory.resolve(name + SUFFIX));
        }
        bytes.addAndGet(data.length);
        return true;
    }

    /** The oldest batch files, at most {@code count}, oldest first. */
    List<Path> oldest(int count)
    {
        List<Path> files = files();
        if (files.isEmpty()) {
            bytes.set(0); // its files, or the directory, removed by hand: nothing is left to replay, and live writing goes on
        }
        return files.subList(0, Math.min(count, files.size()));
    }

    List<CapturedEvent> read(Path file)
            throws IOException
    {
        List<CapturedEvent> events = new ArrayList<>();
        try (BufferedReader lines = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            while ((line = lines.readLine()) != null) {
                if (!line.isBlank()) {
                    events.add(reader.readValue(line));
                }
            }
        }
        return events;
    }

    void remove(Path file)
            throws IOException
    {
        long size = Files.size(file);
        Files.delete(file);
        bytes.addAndGet(-size);
    }

    /** Sets aside a file that cannot be read, so that it neither blocks the replay nor is lost. */
    Path quarantine(Path file)
            throws IOException
    {
        long size = Files.size(file);
        Path target = file.resolveSibling(file.getFileName() + ".unreadable");
        Files.move(file, target, StandardCopyOption.REPLACE_EXISTING);
        bytes.addAndGet(-size);
        return target;
    }

    private List<Path> files()
    {
        try (Stream<Path> entries = Files.list(directory)) {
            return entries.filter(path -> path.getFileName().toString().endsWith(SUFFIX)).sorted().toList();
        }
        catch (IOException e) {
            return List.of();
        }
    }

    private static long sequence(Path file)
    {
        String name = file.getFileName().toString();
        try {
            return Long.parseLong(name.substring(0, name.length() - SUFFIX.length()));
        }
        catch (NumberFormatException e) {
            return 0;
        }
    }
}
