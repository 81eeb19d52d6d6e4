package dev.icetune.cli.command;

import dev.icetune.engine.model.Status;
import picocli.CommandLine;

import java.util.Arrays;
import java.util.Iterator;
import java.util.Locale;

/** {@code --status open}: the lower-case names the store shows, in any case as typed ({@code OPEN}, as the table's headings are). */
final class StatusConverter
        implements CommandLine.ITypeConverter<Status>
{
    @Override
    public Status convert(String value)
    {
        try {
            return Status.of(value.toLowerCase(Locale.ROOT));
        }
        catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }

    static final class Candidates
            implements Iterable<String>
    {
        @Override
        public Iterator<String> iterator()
        {
            return Arrays.stream(Status.values()).map(Status::value).iterator();
        }
    }
}
