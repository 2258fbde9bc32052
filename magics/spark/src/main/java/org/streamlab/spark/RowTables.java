package org.streamlab.spark;

import java.math.BigDecimal;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.ByteType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DateType;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.ShortType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.types.TimestampNTZType;
import org.apache.spark.sql.types.TimestampType;
import org.streamlab.kernel.display.HtmlTable;
import tech.tablesaw.api.BooleanColumn;
import tech.tablesaw.api.DateColumn;
import tech.tablesaw.api.DateTimeColumn;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.FloatColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.ShortColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;

/** Spark rows as an {@link HtmlTable} (first rows and the total) or as a Tablesaw {@link Table}. */
final class RowTables {
    private RowTables() {}

    /** The first {@code maxRows} rows of a result, and how many it has in total. */
    record Result(StructType schema, List<Row> rows, long total) {
        HtmlTable toHtml(String caption) {
            return RowTables.toHtml(schema, rows, total, caption);
        }
    }

    /** Collects the first {@code maxRows} rows; counts the rest only when there are more. */
    static Result firstRows(Dataset<Row> ds, int maxRows) {
        List<Row> rows = new ArrayList<>(ds.limit(maxRows + 1).collectAsList());
        long total = rows.size();
        if (rows.size() > maxRows) {
            rows = new ArrayList<>(rows.subList(0, maxRows));
            total = ds.count();
        }
        return new Result(ds.schema(), rows, total);
    }

    static HtmlTable toHtml(StructType schema, List<Row> rows, long total, String caption) {
        List<String> names = new ArrayList<>();
        for (StructField f : schema.fields()) {
            names.add(f.name());
        }
        HtmlTable table = new HtmlTable(names);
        for (Row r : rows) {
            List<Object> cells = new ArrayList<>(r.length());
            for (int i = 0; i < r.length(); i++) {
                cells.add(format(r.get(i)));
            }
            table.addRow(cells);
        }
        table.totalRows(total);
        if (caption != null) {
            table.caption(caption);
        }
        return table;
    }

    /** A cell as text: nulls as "null", arrays as [a, b], maps as {k -> v}, structs as {a, b}. */
    static String format(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof Row row) {
            StringBuilder sb = new StringBuilder("{");
            for (int i = 0; i < row.length(); i++) {
                if (i > 0) {
                    sb.append(", ");
                }
                if (row.schema() != null) {
                    sb.append(row.schema().fields()[i].name()).append(": ");
                }
                sb.append(format(row.get(i)));
            }
            return sb.append('}').toString();
        }
        if (v instanceof scala.collection.Map<?, ?> map) {
            StringBuilder sb = new StringBuilder("{");
            scala.collection.Iterator<? extends scala.Tuple2<?, ?>> it = map.iterator();
            boolean first = true;
            while (it.hasNext()) {
                scala.Tuple2<?, ?> kv = it.next();
                sb.append(first ? "" : ", ").append(format(kv._1())).append(" -> ").append(format(kv._2()));
                first = false;
            }
            return sb.append('}').toString();
        }
        if (v instanceof scala.collection.Iterable<?> seq) {
            StringBuilder sb = new StringBuilder("[");
            scala.collection.Iterator<?> it = seq.iterator();
            boolean first = true;
            while (it.hasNext()) {
                sb.append(first ? "" : ", ").append(format(it.next()));
                first = false;
            }
            return sb.append(']').toString();
        }
        if (v instanceof byte[] bytes) {
            return "0x" + java.util.HexFormat.of().formatHex(bytes);
        }
        if (v instanceof BigDecimal bd) {
            return bd.toPlainString();
        }
        return String.valueOf(v);
    }

    /** All {@code rows} as a Tablesaw table named {@code name}; types Tablesaw lacks become text columns. */
    static Table toTablesaw(String name, StructType schema, List<Row> rows) {
        Table table = Table.create(name);
        StructField[] fields = schema.fields();
        for (int c = 0; c < fields.length; c++) {
            table.addColumns(column(fields[c].name(), fields[c].dataType(), rows, c));
        }
        return table;
    }

    private static Column<?> column(String name, DataType type, List<Row> rows, int c) {
        if (type instanceof IntegerType) {
            IntColumn col = IntColumn.create(name);
            rows.forEach(r -> { if (r.isNullAt(c)) col.appendMissing(); else col.append(r.getInt(c)); });
            return col;
        }
        if (type instanceof ShortType || type instanceof ByteType) {
            ShortColumn col = ShortColumn.create(name);
            rows.forEach(r -> { if (r.isNullAt(c)) col.appendMissing(); else col.append(((Number) r.get(c)).shortValue()); });
            return col;
        }
        if (type instanceof LongType) {
            LongColumn col = LongColumn.create(name);
            rows.forEach(r -> { if (r.isNullAt(c)) col.appendMissing(); else col.append(r.getLong(c)); });
            return col;
        }
        if (type instanceof FloatType) {
            FloatColumn col = FloatColumn.create(name);
            rows.forEach(r -> { if (r.isNullAt(c)) col.appendMissing(); else col.append(r.getFloat(c)); });
            return col;
        }
        if (type instanceof DoubleType || type instanceof DecimalType) {
            DoubleColumn col = DoubleColumn.create(name);
            rows.forEach(r -> { if (r.isNullAt(c)) col.appendMissing(); else col.append(((Number) r.get(c)).doubleValue()); });
            return col;
        }
        if (type instanceof BooleanType) {
            BooleanColumn col = BooleanColumn.create(name);
            rows.forEach(r -> { if (r.isNullAt(c)) col.appendMissing(); else col.append(r.getBoolean(c)); });
            return col;
        }
        if (type instanceof DateType) {
            DateColumn col = DateColumn.create(name);
            rows.forEach(r -> {
                Object v = r.get(c);
                if (v == null) col.appendMissing();
                else col.append(v instanceof Date d ? d.toLocalDate() : (LocalDate) v);
            });
            return col;
        }
        if (type instanceof TimestampType || type instanceof TimestampNTZType) {
            DateTimeColumn col = DateTimeColumn.create(name);
            rows.forEach(r -> {
                Object v = r.get(c);
                if (v == null) col.appendMissing();
                else if (v instanceof Timestamp ts) col.append(ts.toLocalDateTime());
                else if (v instanceof Instant in) col.append(LocalDateTime.ofInstant(in, ZoneId.systemDefault()));
                else col.append((LocalDateTime) v);
            });
            return col;
        }
        StringColumn col = StringColumn.create(name);
        boolean plain = type instanceof StringType;
        rows.forEach(r -> {
            Object v = r.get(c);
            if (v == null) col.appendMissing();
            else col.append(plain ? (String) v : format(v));
        });
        return col;
    }
}
