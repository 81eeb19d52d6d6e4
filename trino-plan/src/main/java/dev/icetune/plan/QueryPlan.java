package dev.icetune.plan;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * What Trino's structured plan ({@code QueryMetadata.getJsonPlan()}, or {@code EXPLAIN (TYPE DISTRIBUTED,
 * FORMAT JSON)}) says about a query: for each table scan, which columns had a constraint pushed into the
 * scan ({@code TableScan} with {@code table = "iceberg:demo.events$data@1 constraint on [ts]"}) and which
 * filter stayed above it ({@code ScanFilterProject} with {@code filterPredicate}). That is what tells
 * missing pruning (nothing pushed, nothing filtered on the column) from a non-sargable predicate.
 *
 * <p>The plan is a map of fragment id to a tree of nodes, each with a {@code name}, a {@code descriptor}
 * of named strings and {@code children}; a single tree (a logical plan) is read the same way.
 */
public record QueryPlan(Map<String, Scan> scans, Shape shape)
{
    /**
     * What the plan's operators say of the query as a whole: whether it joins ({@code InnerJoin}, {@code LeftJoin}, ...),
     * whether a join has no equality condition ({@code CrossJoin}: a cross join, or a join on inequalities only, both
     * run as a nested loop), and whether it sorts without a LIMIT ({@code Sort}, {@code PartialSort} or a merge of
     * sorted streams, and no {@code TopN} or {@code Limit}). With them, what the planner estimated, for a review before the
     * query runs: {@code crossJoinRows}, the most rows a cross join returns of those estimated to return more rows than each
     * of their inputs (a scalar subquery is planned as a cross join with a one-row side, which multiplies nothing), 0 when
     * there is none or the planner could not estimate one; {@code resultRows}, the rows the query returns (NaN: unknown).
     */
    public record Shape(boolean joins, boolean crossJoin, boolean sortWithoutLimit, double crossJoinRows, double resultRows)
    {
        static final Shape NONE = new Shape(false, false, false, 0, Double.NaN);
    }

    /**
     * One table's scans: pushed-down columns and the filter left above them (several scans of a table are merged), and for
     * each scan node with a filter the rows the planner estimated it returns ({@code NaN}: it could not, for want of
     * statistics), by plan node id, when it estimated them; not of a scan a dynamic filter narrows, whose rows depend on
     * the join, not the estimate.
     */
    public record Scan(String table, List<String> constraintColumns, Optional<String> filterPredicate, Map<String, Double> estimatedRows)
    {
        public Scan
        {
            requireNonNull(table, "table is null");
            constraintColumns = List.copyOf(constraintColumns);
            requireNonNull(filterPredicate, "filterPredicate is null");
            estimatedRows = Map.copyOf(estimatedRows);
        }

        /** A table scanned twice (a self-join) keeps every pushed column and every residual filter. */
        Scan merge(Scan other)
        {
            List<String> columns = new ArrayList<>(constraintColumns);
            other.constraintColumns.stream().filter(column -> !columns.contains(column)).forEach(columns::add);
            // once each: TPC-H's q21 scans lineitem three times, twice with one filter, and read "A OR A"
            Optional<String> filter = filterPredicate.isEmpty() ? other.filterPredicate
                    : other.filterPredicate.isEmpty() || (" OR " + filterPredicate.get() + " OR ").contains(" OR " + other.filterPredicate.get() + " OR ") ? filterPredicate
                    : Optional.of(filterPredicate.get() + " OR " + other.filterPredicate.get());
            Map<String, Double> estimates = new LinkedHashMap<>(estimatedRows);
            estimates.putAll(other.estimatedRows);
            return new Scan(table, columns, filter, estimates);
        }
    }

    public static final QueryPlan EMPTY = new QueryPlan(Map.of(), Shape.NONE);

    /** Each of a plan's nodes has its estimates, numbers with fractions: Jackson's own parser of them is the faster. */
    private static final JsonFactory JSON = JsonFactory.builder().enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER).build();
    /** {@code catalog:schema.table$data@snapshot constraint on [a, b]}: the table handle as Trino prints it. */
    private static final Pattern TABLE = Pattern.compile("([^:]+):([^.]+)\\.(.+?)(?:\\$[a-z_]+)?(?:@\\d+)?(?: constraint on \\[(.*)])?", Pattern.DOTALL);
    /** A scan's assignment of a symbol to an Iceberg column, {@code event_time := 1:event time:timestamp(6)}: field id, name, type. */
    private static final Pattern ASSIGNMENT = Pattern.compile("(\\S+) := \\d+:(.*):[^:]*", Pattern.DOTALL);
    private static final Pattern PLAIN_COLUMN = Pattern.compile("[a-z_][a-z0-9_]*");
    /** The number the planner appends to a symbol to tell it from others of the same name: {@code user_id_2}. */
    private static final Pattern SYMBOL_NUMBER = Pattern.compile("_\\d+$");
    private static final Pattern NOT_IN_SYMBOL = Pattern.compile("[^a-z0-9_]");
    private static final Pattern LEADING_UNDERSCORES = Pattern.compile("^_+");

    public QueryPlan
    {
        scans = Map.copyOf(scans);
        requireNonNull(shape, "shape is null");
    }

    /** Whether the plan was there to read: without it the shape is unknown, not "none". */
    public boolean known()
    {
        return this != EMPTY;
    }

    /** The scan of {@code catalog.schema.table} (any case), if the plan has one. */
    public Optional<Scan> scan(String catalog, String schema, String table)
    {
        // most queries' plans scan a table or two: no key is built for a plan that has none
        return scans.isEmpty() ? Optional.empty() : Optional.ofNullable(scans.get(key(catalog, schema, table)));
    }

    /** Reads a JSON plan; a missing or unreadable plan reads as {@link #EMPTY}: plans are evidence, never a reason to lose a query. */
    public static QueryPlan parse(String json)
    {
        if (json == null || json.isBlank()) {
            return EMPTY;
        }
        Node root;
        Map<String, Node> fragments = new LinkedHashMap<>();
        // from UTF-8 bytes: Jackson's byte parser is the faster, and a plan's text is ASCII, which the JDK copies as it is
        try (JsonParser parser = JSON.createParser(json.getBytes(StandardCharsets.UTF_8))) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return EMPTY;
            }
            root = Node.read(parser, fragments, false);
        }
        catch (IOException e) {
            return EMPTY;
        }
        Map<String, Scan> scans = new LinkedHashMap<>();
        Set<String> names = new HashSet<>();
        Estimates estimates = new Estimates();
        List<Node> trees = root.name() != null ? List.of(root) : List.copyOf(fragments.values());
        Map<Node, String> joinFilters = new IdentityHashMap<>();
        trees.forEach(tree -> joinFilters(tree, fragments, joinFilters));
        for (Node tree : trees) {
            visit(tree, null, scans, names, estimates, joinFilters);
        }
        boolean sorts = names.contains("Sort") || names.contains("PartialSort") || names.contains("RemoteMerge") || names.contains("LocalMerge");
        boolean limits = names.stream().anyMatch(name -> name.startsWith("TopN") || name.startsWith("Limit"));
        Shape shape = new Shape(names.stream().anyMatch(name -> name.endsWith("Join")), names.contains("CrossJoin"), sorts && !limits, estimates.crossJoinRows, estimates.resultRows);
        return new QueryPlan(scans, shape);
    }

    /**
     * A plan node, of which only what icetune looks at is kept: Trino's JSON plan of a three-table join is 9 kB, most of it
     * the nodes' outputs and costs. {@code name} is null when the object had none (a map of fragments); {@code rowEstimates}
     * holds each estimate's output rows, NaN where the planner could not estimate them.
     */
    private record Node(String id, String name, Map<String, String> descriptor, List<String> outputs, List<String> details, List<Double> rowEstimates, List<Node> children)
    {
        /**
         * Reads the object the parser is at the start of, streaming: a tree of the whole text took half as long again
         * (29 us against 20 for a three-table join's plan, on the listener's capture thread). {@code fragments}, when given,
         * gets the objects among its fields that are not a node's: the fragments of a distributed plan. The symbols a node
         * outputs are read only when {@code outputs} says so: the inputs of a join with a filter, to tell which input it filters.
         */
        static Node read(JsonParser parser, Map<String, Node> fragments, boolean outputs)
                throws IOException
        {
            String id = null;
            String name = null;
            Map<String, String> descriptor = Map.of();
            List<String> symbols = List.of();
            List<String> details = List.of();
            List<Double> rowEstimates = List.of();
            List<Node> children = List.of();
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                switch (field) {
                    case "id" -> id = parser.getValueAsString();
                    case "name" -> name = parser.getValueAsString("");
                    case "descriptor" -> descriptor = value == JsonToken.START_OBJECT ? strings(parser) : skip(parser, Map.of());
                    case "outputs" -> symbols = !outputs ? skip(parser, List.of()) : elements(parser, value, element -> element == JsonToken.START_OBJECT ? symbol(parser) : null);
                    case "details" -> details = elements(parser, value, element -> parser.getValueAsString(""));
                    case "estimates" -> rowEstimates = elements(parser, value, element -> element == JsonToken.START_OBJECT ? outputRows(parser) : Double.NaN);
                    case "children" -> {
                        // Trino writes a node's name and descriptor before its children
                        boolean filteredJoin = name != null && name.endsWith("Join") && descriptor.containsKey("filter");
                        children = elements(parser, value, element -> element == JsonToken.START_OBJECT ? read(parser, null, filteredJoin) : null);
                    }
                    default -> {
                        if (fragments != null && value == JsonToken.START_OBJECT) {
                            fragments.put(field, read(parser, null, false));
                        }
                        else {
                            parser.skipChildren();
                        }
                    }
                }
            }
            return new Node(id, name, descriptor, symbols, details, rowEstimates, children);
        }

        /** An output's {@code name}: the planner's symbol. */
        private static String symbol(JsonParser parser)
                throws IOException
        {
            String symbol = null;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                boolean name = parser.currentName().equals("name");
                parser.nextToken();
                if (name) {
                    symbol = parser.getValueAsString();
                }
                parser.skipChildren();
            }
            return symbol;
        }

        /** An object's fields with their values as text; a value that is an object or an array reads as empty. */
        private static Map<String, String> strings(JsonParser parser)
                throws IOException
        {
            Map<String, String> strings = new HashMap<>();
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                parser.nextToken();
                strings.put(field, parser.getValueAsString(""));
                parser.skipChildren();
            }
            return strings;
        }

        /**
         * The elements of the array {@code value} starts, each read by {@code element} from its first token (a null one left
         * out); empty for a value that is not an array. A text cut off inside the array ends it.
         */
        private static <T> List<T> elements(JsonParser parser, JsonToken value, Element<T> element)
                throws IOException
        {
            if (value != JsonToken.START_ARRAY) {
                return skip(parser, List.of());
            }
            List<T> elements = new ArrayList<>();
            for (JsonToken token = parser.nextToken(); token != JsonToken.END_ARRAY && token != null; token = parser.nextToken()) {
                T read = element.read(token);
                parser.skipChildren(); // what the element did not read of itself
                if (read != null) {
                    elements.add(read);
                }
            }
            return elements;
        }

        @FunctionalInterface
        private interface Element<T>
        {
            T read(JsonToken first)
                    throws IOException;
        }

        /** An estimate's {@code outputRowCount}; NaN where Trino could not make it (it writes the text "NaN"). */
        private static double outputRows(JsonParser parser)
                throws IOException
        {
            double rows = Double.NaN;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                boolean outputRows = parser.currentName().equals("outputRowCount");
                JsonToken value = parser.nextToken();
                if (outputRows && (value == JsonToken.VALUE_NUMBER_INT || value == JsonToken.VALUE_NUMBER_FLOAT)) {
                    rows = parser.getDoubleValue();
                }
                parser.skipChildren();
            }
            return rows;
        }

        private static <T> T skip(JsonParser parser, T empty)
                throws IOException
        {
            parser.skipChildren();
            return empty;
        }

        String nameOrEmpty()
        {
            return name == null ? "" : name;
        }

        /** A descriptor's value, stripped, if it has text. */
        Optional<String> describes(String key)
        {
            return Optional.ofNullable(descriptor.get(key)).map(String::strip).filter(text -> !text.isEmpty());
        }
    }

    /** The planner's estimates of the shape, gathered over the fragments. */
    private static final class Estimates
    {
        double crossJoinRows;
        double resultRows = Double.NaN;
    }

    /** {@code joinFilters}: the conjuncts of joins' filters that filter one scan alone, by the scan's node. */
    private static void visit(Node node, Node parent, Map<String, Scan> scans, Set<String> names, Estimates estimates, Map<Node, String> joinFilters)
    {
        String name = node.nameOrEmpty();
        names.add(name);
        switch (name) {
            case "Output" -> estimates.resultRows = estimatedRows(node).orElse(Double.NaN);
            case "CrossJoin" -> estimates.crossJoinRows = Math.max(estimates.crossJoinRows, multipliedRows(node));
            default -> {}
        }
        String table = node.descriptor().get("table");
        if (table != null && name.contains("Scan")) {
            Matcher matcher = TABLE.matcher(table.strip());
            if (matcher.matches()) {
                List<String> constraint = matcher.group(4) == null ? List.of() : splitColumns(matcher.group(4));
                // a filter fused into the scan node, or a separate filter right above the scan
                Optional<String> above = node.describes("filterPredicate")
                        .or(() -> parent == null || !parent.nameOrEmpty().startsWith("Filter") ? Optional.empty() : parent.describes("filterPredicate"));
                Optional<String> inJoin = Optional.ofNullable(joinFilters.get(node));
                Optional<String> filter = (above.isPresent() && inJoin.isPresent() ? Optional.of(above.get() + " AND " + inJoin.get()) : above.or(() -> inJoin))
                        .map(text -> inColumnNames(text, node.details()));
                String key = key(matcher.group(1), matcher.group(2), matcher.group(3));
                Map<String, Double> estimated = node.describes("filterPredicate").isEmpty() || node.descriptor().containsKey("dynamicFilters") || node.id() == null
                        ? Map.of() : estimatedRows(node).map(rows -> Map.of(node.id(), rows)).orElse(Map.of());
                scans.merge(key, new Scan(key, constraint, filter, estimated), Scan::merge);
            }
        }
        for (Node child : node.children()) {
            visit(child, node, scans, names, estimates, joinFilters);
        }
    }

    /** Nodes that hand a scan's rows on with the scan's symbols unchanged (a RemoteSource those of another fragment). */
    private static final Set<String> PASSING_ON = Set.of("Project", "Filter", "LocalExchange", "RemoteSource");
    private static final Pattern ONE_FRAGMENT = Pattern.compile("\\[(\\d+)]");

    /** The scan a join's input is, or hands on unchanged (into the fragment a RemoteSource reads, too); null if none within a plan's depth. */
    private static Node scanOf(Node input, Map<String, Node> fragments)
    {
        Node node = input;
        for (int depth = 0; node != null && depth < 32; depth++) {
            if (node.nameOrEmpty().contains("Scan") && node.descriptor().containsKey("table")) {
                return node;
            }
            if (!PASSING_ON.contains(node.nameOrEmpty())) {
                return null;
            }
            if (node.nameOrEmpty().equals("RemoteSource")) {
                Matcher source = ONE_FRAGMENT.matcher(node.descriptor().getOrDefault("sourceFragmentIds", ""));
                node = source.matches() ? fragments.get(source.group(1)) : null;
            }
            else {
                node = node.children().size() == 1 ? node.children().getFirst() : null;
            }
        }
        return null;
    }

    private static void joinFilters(Node node, Map<String, Node> fragments, Map<Node, String> joinFilters)
    {
        if (node.nameOrEmpty().endsWith("Join")) {
            node.describes("filter").ifPresent(filter -> scanFilters(node, filter, fragments, joinFilters));
        }
        for (Node child : node.children()) {
            joinFilters(child, fragments, joinFilters);
        }
    }

    /**
     * Trino 483 leaves some filters of one input of an inner join in the join's own filter rather than above that input's scan:
     * {@code date_format(l.shipdate, '%Y-%m') = '1995-03'} in a join of lineitem with part reads every file of lineitem, and the
     * join's filter is the only place the plan says why. Each conjunct that names outputs of one input only, all of them columns
     * of the scan that input is (or passes on through projections and exchanges), is recorded as that scan's filter.
     */
    private static void scanFilters(Node join, String filter, Map<String, Node> fragments, Map<Node, String> joinFilters)
    {
        List<Node> inputs = join.children();
        for (String conjunct : FilterPredicates.conjuncts(filter)) {
            Set<String> symbols = symbols(conjunct);
            Node only = null;
            int named = 0;
            for (Node input : inputs) {
                if (input.outputs().stream().anyMatch(symbols::contains)) {
                    only = input;
                    named++;
                }
            }
            if (named != 1) {
                continue;
            }
            Node scan = scanOf(only, fragments);
            if (scan != null && only.outputs().stream().filter(symbols::contains).allMatch(assignments(scan.details()).keySet()::contains)) {
                joinFilters.merge(scan, "(" + conjunct + ")", (left, right) -> left + " AND " + right);
            }
        }
    }

    /** A cross join's estimated rows when they exceed those of each of its inputs; 0 when they do not, or are not known. */
    private static double multipliedRows(Node crossJoin)
    {
        double output = estimatedRows(crossJoin).orElse(Double.NaN);
        for (Node input : crossJoin.children()) {
            if (!(output > estimatedRows(input).orElse(Double.NaN))) {
                return 0;
            }
        }
        return Double.isNaN(output) ? 0 : output;
    }

    /**
     * The rows the node's last estimate (a ScanFilterProject has the scan's, the filter's and the projection's) says it
     * returns; empty when the planner did not estimate the scan at all (Trino estimates when a choice depends on it, as
     * a join's order does), NaN when it estimated the table but not the filter.
     */
    private static Optional<Double> estimatedRows(Node node)
    {
        List<Double> rows = node.rowEstimates();
        if (rows.isEmpty() || rows.getFirst().isNaN()) {
            return Optional.empty();
        }
        return Optional.of(rows.getLast());
    }

    /**
     * The filter with each symbol the scan assigns to a column of another name written as that column, double-quoted
     * when it is not a plain identifier ({@code "event time"}); the filter as it is when every symbol is its column's name.
     */
    static String inColumnNames(String filter, List<String> scanDetails)
    {
        Map<String, String> columns = new HashMap<>();
        assignments(scanDetails).forEach((symbol, column) -> {
            if (!symbol.equals(column)) {
                columns.put(symbol, PLAIN_COLUMN.matcher(column).matches() ? column : '"' + column.replace("\"", "\"\"") + '"');
            }
        });
        if (columns.isEmpty()) {
            return filter;
        }
        StringBuilder named = new StringBuilder(filter.length() + 16);
        int[] copied = {0};
        forEachSymbol(filter, (start, end) -> {
            String column = columns.get(filter.substring(start, end));
            if (column != null) {
                named.append(filter, copied[0], start).append(column);
                copied[0] = end;
            }
        });
        return named.append(filter, copied[0], filter.length()).toString();
    }

    /** A scan's symbols with the names of the columns they are assigned ({@code event_time := 1:event time:timestamp(6)}). */
    private static Map<String, String> assignments(List<String> scanDetails)
    {
        Map<String, String> columns = new HashMap<>();
        for (String detail : scanDetails) {
            Matcher assignment = ASSIGNMENT.matcher(detail);
            if (assignment.matches()) {
                columns.put(assignment.group(1), column(assignment.group(1), assignment.group(2)));
            }
        }
        return columns;
    }

    /**
     * The column a scan's symbol is assigned. The handle of a field of a row column names the field alone: {@code payload.user_id} is
     * {@code payload_user_id := 4:user_id:bigint} beside a top-level user_id's {@code user_id_2 := 2:user_id:bigint}. Such a field is
     * named after its symbol, the field's own name after a dot ({@code payload.user_id}, {@code a_c.d} for a.c.d): never the name of
     * a top-level column, whose symbol is its name as a symbol (lower case, other characters than letters, digits and _ as _).
     */
    private static String column(String symbol, String name)
    {
        if (symbol.equals(name)) {
            return name;
        }
        String base = SYMBOL_NUMBER.matcher(symbol).replaceFirst("");
        String field = asSymbol(name);
        if (!base.equals(field) && !field.isEmpty() && base.endsWith("_" + field)) {
            return base.substring(0, base.length() - field.length() - 1) + "." + name;
        }
        return name;
    }

    /** A name as Trino's symbols spell it: {@code event time} is {@code event_time}, {@code ÄÖ x} is {@code x}. */
    private static String asSymbol(String name)
    {
        return LEADING_UNDERSCORES.matcher(NOT_IN_SYMBOL.matcher(name.toLowerCase(Locale.ROOT)).replaceAll("_")).replaceFirst("");
    }

    /** The words of an expression that may be symbols (those the planner's outputs name are). */
    private static Set<String> symbols(String expression)
    {
        Set<String> symbols = new HashSet<>();
        forEachSymbol(expression, (start, end) -> symbols.add(expression.substring(start, end)));
        return symbols;
    }

    @FunctionalInterface
    private interface SymbolVisitor
    {
        void visit(int start, int end);
    }

    /** Each word of an expression outside literals and quoted names, not followed by '(' (a function's or a type's), from start to end. */
    private static void forEachSymbol(String expression, SymbolVisitor visitor)
    {
        int at = 0;
        while (at < expression.length()) {
            char c = expression.charAt(at);
            int end = at + 1;
            if (c == '\'' || c == '"') {
                // a literal or a quoted name: none of its text is a symbol
                end = ExecutedStatement.closingQuote(expression, at) + 1;
            }
            else if (Character.isLetterOrDigit(c) || c == '_') {
                while (end < expression.length() && (Character.isLetterOrDigit(expression.charAt(end)) || expression.charAt(end) == '_' || expression.charAt(end) == '$')) {
                    end++;
                }
                int next = end;
                while (next < expression.length() && Character.isWhitespace(expression.charAt(next))) {
                    next++;
                }
                if (!Character.isDigit(c) && (next == expression.length() || expression.charAt(next) != '(')) {
                    visitor.visit(at, end);
                }
            }
            at = end;
        }
    }

    private static List<String> splitColumns(String columns)
    {
        return List.of(columns.split(",")).stream().map(String::strip).filter(column -> !column.isEmpty()).toList();
    }

    private static String key(String catalog, String schema, String table)
    {
        return (catalog + "." + schema + "." + table).toLowerCase(Locale.ROOT);
    }
}
