package dev.icetune.fixes;

import dev.icetune.engine.model.Sql;
import org.apache.iceberg.PartitionField;
import org.apache.iceberg.Schema;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.expressions.Term;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Partition fields between Trino's syntax ({@code day(ts)}, {@code bucket(id, 16)}, {@code region}) and Iceberg's terms. */
final class IcebergTerms
{
    private static final Pattern FIELD = Pattern.compile("(\\w+)\\(\\s*(" + Sql.PROPERTY_COLUMN + ")\\s*(?:,\\s*(\\d+)\\s*)?\\)");

    private IcebergTerms() {}

    static Term term(String trinoField)
    {
        Matcher matcher = FIELD.matcher(trinoField.strip());
        if (!matcher.matches()) {
            return Expressions.ref(Sql.propertyColumnName(trinoField.strip()));
        }
        String column = Sql.propertyColumnName(matcher.group(2));
        return switch (matcher.group(1)) {
            case "year" -> Expressions.year(column);
            case "month" -> Expressions.month(column);
            case "day" -> Expressions.day(column);
            case "hour" -> Expressions.hour(column);
            case "bucket" -> Expressions.bucket(column, Integer.parseInt(matcher.group(3)));
            case "truncate" -> Expressions.truncate(column, Integer.parseInt(matcher.group(3)));
            default -> throw new IllegalArgumentException("unsupported partition transform: " + trinoField);
        };
    }

    static String trinoField(PartitionField field, Schema schema)
    {
        String column = Sql.propertyColumn(schema.findColumnName(field.sourceId()));
        String transform = field.transform().toString();
        if (transform.equals("identity")) {
            return column;
        }
        Matcher argument = Pattern.compile("(\\w+)\\[(\\d+)]").matcher(transform);
        return argument.matches() ? argument.group(1) + "(" + column + ", " + argument.group(2) + ")" : transform + "(" + column + ")";
    }
}
