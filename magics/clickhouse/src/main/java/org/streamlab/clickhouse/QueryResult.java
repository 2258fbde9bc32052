package org.streamlab.clickhouse;

import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.streamlab.kernel.display.HtmlTable;
import tech.tablesaw.api.BooleanColumn;
import tech.tablesaw.api.DateColumn;
import tech.tablesaw.api.DateTimeColumn;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;

/**
 * The rows of one query: the first rows as ClickHouse prints them, the total row count, and (when asked) every
 * row as typed values (from ClickHouse's column types), turned into a Tablesaw table on demand. Charts draw
 * from the typed values directly: Tablesaw's first {@code Table} scans the class path (1.7 s on this module's,
 * 4.6 s on the distribution's), which a chart should not wait for.
 */
public final class QueryResult {
    private final List<String> columns;
    private final List<String> types;
    private final List<Kind> kinds;
    private final List<List<String>> shown;
    private final long rowCount;
    private final List<Object[]> values;
    private final String tableName;
    private Table table;

    private QueryResult(List<String> columns, List<String> types, List<Kind> kinds, List<List<String>> shown, long rowCount,
                        List<Object[]> values, String tableName) {
        this.columns = columns;
        this.types = types;
        this.kinds = kinds;
        this.shown = shown;
        this.rowCount = rowCount;
        this.values = values;
        this.tableName = tableName;
    }

    public List<String> columns() { return columns; }

    /** ClickHouse type names, e.g. {@code UInt64}, {@code Nullable(DateTime)}. */
    public List<String> types() { return types; }

    List<Kind> kinds() { return kinds; }

    public long rowCount() { return rowCount; }

    /** Typed values of every row (Integer, Long, Double, Boolean, LocalDate, LocalDateTime, String or null), or null. */
    List<Object[]> values() { return values; }

    /** The whole result as a Tablesaw table (built on first call), or null when the rows were not collected. */
    public synchronized Table table() {
        if (table == null && values != null) {
            List<Column<?>> cols = new ArrayList<>(columns.size());
            Set<String> used = new HashSet<>();
            for (int i = 0; i < columns.size(); i++) {
                String name = columns.get(i);
                String unique = name;
                for (int k = 2; !used.add(unique.toLowerCase(Locale.ROOT)); k++) {
                    unique = name + "_" + k; // Tablesaw needs unique column names; SELECT 1, 1 has two "1"
                }
                cols.add(kinds.get(i).column(unique));
            }
            for (Object[] row : values) {
                for (int i = 0; i < row.length; i++) {
                    kinds.get(i).appendTo(cols.get(i), row[i]);
                }
            }
            table = Table.create(tableName, cols);
        }
        return table;
    }

    public HtmlTable toHtmlTable() {
        HtmlTable t = new HtmlTable(columns);
        for (List<String> r : shown) {
            t.addRow(r);
        }
        return t.totalRows(rowCount);
    }

    /**
     * Reads {@code rs} to the end: keeps {@code maxShown} rows as text, counts all, and keeps every row's typed
     * values when {@code collect}. {@code interrupted} is checked every 1024 rows.
     */
    static QueryResult read(ResultSet rs, int maxShown, boolean collect, String tableName, BooleanSupplier interrupted)
            throws SQLException {
        ResultSetMetaData md = rs.getMetaData();
        int n = md.getColumnCount();
        List<String> names = new ArrayList<>(n);
        List<String> types = new ArrayList<>(n);
        Kind[] kinds = new Kind[n];
        for (int i = 1; i <= n; i++) {
            String name = md.getColumnLabel(i);
            if (name == null || name.isEmpty()) {
                name = md.getColumnName(i);
            }
            names.add(name);
            String type = md.getColumnTypeName(i);
            types.add(type);
            kinds[i - 1] = Kind.of(type, md.getColumnType(i));
        }
        List<List<String>> shown = new ArrayList<>();
        List<Object[]> values = collect ? new ArrayList<>() : null;
        long count = 0;
        while (rs.next()) {
            if ((count & 1023) == 0 && interrupted.getAsBoolean()) {
                throw new SQLException("interrupted");
            }
            if (count < maxShown || collect) {
                List<String> row = count < maxShown ? new ArrayList<>(n) : null;
                Object[] typed = collect ? new Object[n] : null;
                for (int i = 1; i <= n; i++) {
                    String s = rs.getString(i);
                    if (row != null) {
                        row.add(s == null ? "NULL" : s);
                    }
                    if (typed != null) {
                        typed[i - 1] = kinds[i - 1].parse(s, rs, i);
                    }
                }
                if (row != null) {
                    shown.add(row);
                }
                if (typed != null) {
                    values.add(typed);
                }
            }
            count++;
        }
        return new QueryResult(List.copyOf(names), List.copyOf(types), List.of(kinds), shown, count, values, tableName);
    }

    /** How a ClickHouse column becomes a Tablesaw column. Values are parsed from ClickHouse's text form. */
    enum Kind {
        INT, LONG, DOUBLE, BOOLEAN, DATE, DATETIME, STRING;

        static Kind of(String clickHouseType, int jdbcType) {
            String t = base(clickHouseType == null ? "" : clickHouseType);
            switch (t) {
                case "Int8", "Int16", "Int32", "UInt8", "UInt16" -> { return INT; }
                case "Int64", "UInt32", "UInt64" -> { return LONG; }
                case "Float32", "Float64" -> { return DOUBLE; }
                case "Bool", "Boolean" -> { return BOOLEAN; }
                case "Date", "Date32" -> { return DATE; }
                default -> { }
            }
            if (t.startsWith("Decimal")) {
                return DOUBLE;
            }
            if (t.startsWith("DateTime")) {
                return DATETIME;
            }
            if (!t.isEmpty()) {
                return STRING; // String, FixedString, Enum, UUID, Array(...), Tuple(...), ...
            }
            return switch (jdbcType) {
                case Types.TINYINT, Types.SMALLINT, Types.INTEGER -> INT;
                case Types.BIGINT -> LONG;
                case Types.FLOAT, Types.REAL, Types.DOUBLE, Types.DECIMAL, Types.NUMERIC -> DOUBLE;
                case Types.BOOLEAN, Types.BIT -> BOOLEAN;
                case Types.DATE -> DATE;
                case Types.TIMESTAMP, Types.TIMESTAMP_WITH_TIMEZONE -> DATETIME;
                default -> STRING;
            };
        }

        /** {@code Nullable(LowCardinality(String))} → {@code String}. */
        static String base(String type) {
            String t = type.strip();
            boolean changed = true;
            while (changed) {
                changed = false;
                for (String wrapper : new String[] {"Nullable(", "LowCardinality(", "SimpleAggregateFunction("}) {
                    if (t.startsWith(wrapper) && t.endsWith(")")) {
                        t = t.substring(wrapper.length(), t.length() - 1).strip();
                        if (wrapper.startsWith("Simple")) {
                            int comma = t.indexOf(',');
                            t = comma < 0 ? t : t.substring(comma + 1).strip();
                        }
                        changed = true;
                    }
                }
            }
            return t;
        }

        Column<?> column(String name) {
            return switch (this) {
                case INT -> IntColumn.create(name);
                case LONG -> LongColumn.create(name);
                case DOUBLE -> DoubleColumn.create(name);
                case BOOLEAN -> BooleanColumn.create(name);
                case DATE -> DateColumn.create(name);
                case DATETIME -> DateTimeColumn.create(name);
                case STRING -> StringColumn.create(name);
            };
        }

        boolean numeric() {
            return this == INT || this == LONG || this == DOUBLE;
        }

        /** ClickHouse's text of one value as a Java value; null for NULL or text that does not parse. */
        Object parse(String s, ResultSet rs, int index) throws SQLException {
            if (s == null) {
                return null;
            }
            try {
                return switch (this) {
                    case INT -> Integer.parseInt(s.strip());
                    case LONG -> parseLong(s.strip());
                    case DOUBLE -> parseDouble(s.strip());
                    case BOOLEAN -> s.equals("1") || s.equalsIgnoreCase("true");
                    case DATE -> parseDate(s.strip(), rs, index);
                    case DATETIME -> parseDateTime(s.strip(), rs, index);
                    case STRING -> s;
                };
            } catch (NumberFormatException | DateTimeParseException e) {
                return null;
            }
        }

        void appendTo(Column<?> col, Object v) {
            if (v == null) {
                col.appendMissing();
                return;
            }
            switch (this) {
                case INT -> ((IntColumn) col).append((Integer) v);
                case LONG -> ((LongColumn) col).append((Long) v);
                case DOUBLE -> ((DoubleColumn) col).append((Double) v);
                case BOOLEAN -> ((BooleanColumn) col).append((Boolean) v);
                case DATE -> ((DateColumn) col).append((LocalDate) v);
                case DATETIME -> ((DateTimeColumn) col).append((LocalDateTime) v);
                case STRING -> ((StringColumn) col).append((String) v);
            }
        }

        private static long parseLong(String s) {
            try {
                return Long.parseLong(s);
            } catch (NumberFormatException e) {
                return Long.parseUnsignedLong(s); // UInt64 above Long.MAX_VALUE wraps, like Java's unsigned longs
            }
        }

        private static double parseDouble(String s) {
            return switch (s) {
                case "inf", "+inf" -> Double.POSITIVE_INFINITY;
                case "-inf" -> Double.NEGATIVE_INFINITY;
                case "nan", "-nan" -> Double.NaN;
                default -> Double.parseDouble(s);
            };
        }

        private static LocalDate parseDate(String s, ResultSet rs, int index) throws SQLException {
            try {
                return LocalDate.parse(s.length() > 10 ? s.substring(0, 10) : s);
            } catch (DateTimeParseException e) {
                java.sql.Date d = rs.getDate(index);
                if (d == null) {
                    throw e;
                }
                return d.toLocalDate();
            }
        }

        private static int digits(String s, int from, int to) {
            int v = 0;
            for (int i = from; i < to; i++) {
                char c = s.charAt(i);
                if (c < '0' || c > '9') {
                    throw new NumberFormatException(s);
                }
                v = v * 10 + (c - '0');
            }
            return v;
        }

        private static final DateTimeFormatter CH = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss[.SSSSSSSSS][.SSSSSS][.SSS]");

        /** ClickHouse's wall-clock text ("2024-01-01 12:00:00"), as the server shows it, whatever the JVM's zone. */
        private static LocalDateTime parseDateTime(String s, ResultSet rs, int index) throws SQLException {
            if (s.length() == 19 && s.charAt(4) == '-' && s.charAt(7) == '-' && s.charAt(13) == ':' && s.charAt(16) == ':') {
                try { // the common case, without the formatter's cost: yyyy-MM-dd HH:mm:ss
                    return LocalDateTime.of(digits(s, 0, 4), digits(s, 5, 7), digits(s, 8, 10), digits(s, 11, 13),
                            digits(s, 14, 16), digits(s, 17, 19));
                } catch (RuntimeException e) {
                    // fall through to the general parsers
                }
            }
            try {
                return LocalDateTime.parse(s.replace('T', ' '), CH);
            } catch (DateTimeParseException e) {
                try {
                    return OffsetDateTime.parse(s).toLocalDateTime();
                } catch (DateTimeParseException e2) {
                    try {
                        return ZonedDateTime.parse(s).toLocalDateTime();
                    } catch (DateTimeParseException e3) {
                        java.sql.Timestamp ts = rs.getTimestamp(index);
                        if (ts == null) {
                            throw e;
                        }
                        return ts.toLocalDateTime();
                    }
                }
            }
        }
    }
}
