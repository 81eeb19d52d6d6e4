package dev.icetune.cli.command;

import dev.icetune.store.TableName;
import picocli.CommandLine;

/** {@code --table iceberg.sales.orders}, or with a part in double quotes, {@code iceberg."eu.sales".orders}: as recommendations name tables. */
final class TableNameConverter
        implements CommandLine.ITypeConverter<TableName>
{
    @Override
    public TableName convert(String value)
    {
        return TableName.tryParse(value.strip()).orElseThrow(() -> new CommandLine.TypeConversionException(
                "'%s' is not a table as catalog.schema.table (a part with a dot in double quotes: iceberg.\"eu.sales\".orders)".formatted(value)));
    }
}
