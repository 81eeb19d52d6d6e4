package dev.icetune.engine.iceberg;

import org.apache.iceberg.exceptions.NotFoundException;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.io.InputFile;
import org.apache.iceberg.io.OutputFile;
import org.apache.iceberg.io.PositionOutputStream;
import org.apache.iceberg.io.SeekableInputStream;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/**
 * A FileIO for a warehouse on the local disk, without Hadoop: reads what Trino's local file system
 * ({@code fs.local.enabled}, {@code local.location}) writes, where locations look like {@code local:///schema/table/...}.
 * Property {@code local.location} is the root those locations are relative to; {@code file:} locations are used as they are.
 */
public final class LocalFileIO
        implements FileIO
{
    public static final String ROOT_PROPERTY = "local.location";

    private Path root = Path.of("/");

    @Override
    public void initialize(Map<String, String> properties)
    {
        String configured = properties.get(ROOT_PROPERTY);
        if (configured != null) {
            root = Path.of(configured);
        }
    }

    Path resolve(String location)
    {
        if (location.startsWith("local://")) {
            String relative = location.substring("local://".length()).replaceFirst("^/+", "");
            return root.resolve(relative);
        }
        if (location.startsWith("file:")) {
            return Path.of(java.net.URI.create(location.startsWith("file:/") && !location.startsWith("file://") ? "file://" + location.substring(5) : location));
        }
        return Path.of(location);
    }

    @Override
    public InputFile newInputFile(String location)
    {
        Path path = resolve(location);
        return new InputFile()
        {
            @Override
            public long getLength()
            {
                try {
                    return Files.size(path);
                }
                catch (NoSuchFileException e) {
                    throw notFound(location, e);
                }
                catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }

            @Override
            public SeekableInputStream newStream()
            {
                try {
                    return new ChannelInputStream(FileChannel.open(path, StandardOpenOption.READ));
                }
                catch (NoSuchFileException e) {
                    throw notFound(location, e);
                }
                catch (IOException e) {
                    throw new UncheckedIOException("cannot open " + location, e);
                }
            }

            @Override
            public String location()
            {
                return location;
            }

            @Override
            public boolean exists()
            {
                return Files.exists(path);
            }
        };
    }

    /**
     * Iceberg's own exception for a missing file, as its other FileIOs throw it: a table whose metadata file is gone fails at
     * once, where any other failure to read it is retried for minutes (BaseMetastoreTableOperations).
     */
    private static NotFoundException notFound(String location, NoSuchFileException cause)
    {
        return new NotFoundException(cause, "file does not exist: %s (%s)", location, cause.getMessage());
    }

    @Override
    public OutputFile newOutputFile(String location)
    {
        Path path = resolve(location);
        return new OutputFile()
        {
            @Override
            public PositionOutputStream create()
            {
                if (Files.exists(path)) {
                    throw new UncheckedIOException(new FileAlreadyExistsException(location));
                }
                return createOrOverwrite();
            }

            @Override
            public PositionOutputStream createOrOverwrite()
            {
                try {
                    Files.createDirectories(path.getParent());
                    return new CountingOutputStream(Files.newOutputStream(path));
                }
                catch (IOException e) {
                    throw new UncheckedIOException("cannot write " + location, e);
                }
            }

            @Override
            public String location()
            {
                return location;
            }

            @Override
            public InputFile toInputFile()
            {
                return newInputFile(location);
            }
        };
    }

    @Override
    public void deleteFile(String location)
    {
        try {
            Files.deleteIfExists(resolve(location));
        }
        catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + location, e);
        }
    }

    private static final class ChannelInputStream
            extends SeekableInputStream
    {
        private final FileChannel channel;
        private final java.io.InputStream stream;

        ChannelInputStream(FileChannel channel)
        {
            this.channel = channel;
            this.stream = Channels.newInputStream(channel);
        }

        @Override
        public long getPos()
                throws IOException
        {
            return channel.position();
        }

        @Override
        public void seek(long position)
                throws IOException
        {
            channel.position(position);
        }

        @Override
        public int read()
                throws IOException
        {
            return stream.read();
        }

        @Override
        public int read(byte[] buffer, int offset, int length)
                throws IOException
        {
            return channel.read(ByteBuffer.wrap(buffer, offset, length));
        }

        @Override
        public void close()
                throws IOException
        {
            channel.close();
        }
    }

    private static final class CountingOutputStream
            extends PositionOutputStream
    {
        private final OutputStream out;
        private long position;

        CountingOutputStream(OutputStream out)
        {
            this.out = out;
        }

        @Override
        public long getPos()
        {
            return position;
        }

        @Override
        public void write(int b)
                throws IOException
        {
            out.write(b);
            position++;
        }

        @Override
        public void write(byte[] buffer, int offset, int length)
                throws IOException
        {
            out.write(buffer, offset, length);
            position += length;
        }

        @Override
        public void flush()
                throws IOException
        {
            out.flush();
        }

        @Override
        public void close()
                throws IOException
        {
            out.close();
        }
    }
}
