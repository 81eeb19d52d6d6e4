package dev.icetune.cli.command;

import dev.icetune.store.TableName;
import picocli.CommandLine;

import java.util.Locale;

/**
 * {@code --table iceberg.sales.orders}, or with a part in double quotes, {@code iceberg."eu.sales".orders}: as recommendations name
 * tables. Each part lower-cased, as Trino names every table it reports, so that a name copied from a query
 * ({@code iceberg."Sales Dept".Orders}) finds the same table.
 */
final class TableNameConverter
        implements CommandLine.ITypeConverter<TableName>
{
    @Override
    public TableName convert(String value)
    {
        TableName name = TableName.tryParse(value.strip()).orElseThrow(() -> new CommandLine.TypeConversionException(
                "'%s' is not a table as catalog.schema.table (a part with a dot in double quotes: iceberg.\"eu.sales\".orders)".formatted(value)));
        return new TableName(lower(name.catalog()), lower(name.schema()), lower(name.table()));
    }

    private static String lower(String part)
    {
        return part.toLowerCase(Locale.ENGLISH);
    }
}
