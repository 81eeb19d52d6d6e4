package dev.icetune.cli.command;

import picocli.CommandLine;

/** A recommendation's id as typed: its number in {@code recommendations list}, {@code #12} as the CLI prints it taken too. */
final class RecommendationIdConverter
        implements CommandLine.ITypeConverter<Long>
{
    @Override
    public Long convert(String value)
    {
        String number = value.startsWith("#") ? value.substring(1) : value;
        try {
            long id = Long.parseLong(number);
            if (id > 0) {
                return id;
            }
        }
        catch (NumberFormatException e) {
            // said below
        }
        throw new CommandLine.TypeConversionException("'%s' is not a recommendation id: the ids are the numbers recommendations list shows".formatted(value));
    }
}
