package org.streamlab.feast;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.streamlab.kernel.display.HtmlTable;

/**
 * A training set Feast built: the entity rows in their original order, each with the feature values as of its
 * timestamp (null where no value was valid then). Also written as one Parquet file ({@link #path()}), which Spark
 * reads with {@code spark.read().parquet(path)}. Timestamps are ISO-8601 UTC strings here.
 */
public final class TrainingSet {
    static final int SHOWN_ROWS = 20;

    private final Path path;
    private final List<String> columns;
    private final List<String> types;
    private final List<List<Object>> rows;
    private final long rowCount;

    TrainingSet(Path path, List<String> columns, List<String> types, List<List<Object>> rows, long rowCount) {
        this.path = path;
        this.columns = List.copyOf(columns);
        this.types = List.copyOf(types);
        this.rows = rows;
        this.rowCount = rowCount;
    }

    /** The Parquet file holding the whole training set. */
    public Path path() { return path; }

    public List<String> columns() { return columns; }

    /** pandas' dtype of each column, e.g. int64, float64, datetime64[us, UTC]. */
    public List<String> types() { return types; }

    public long rowCount() { return rowCount; }

    /** The rows (all of them up to 100,000): values are Long, Double, String, Boolean or null. */
    public List<List<Object>> rows() { return Collections.unmodifiableList(rows); }

    public Object value(int row, String column) {
        int i = columns.indexOf(column);
        if (i < 0) {
            throw new IllegalArgumentException("no column " + column + "; columns: " + String.join(", ", columns));
        }
        return rows.get(row).get(i);
    }

    public Map<String, Object> row(int row) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int c = 0; c < columns.size(); c++) {
            m.put(columns.get(c), rows.get(row).get(c));
        }
        return Collections.unmodifiableMap(m);
    }

    public HtmlTable toHtmlTable() {
        HtmlTable t = new HtmlTable(columns);
        for (List<Object> r : rows.subList(0, Math.min(SHOWN_ROWS, rows.size()))) {
            t.addRow(new ArrayList<>(r));
        }
        return t.totalRows(rowCount).caption("training set: " + path);
    }

    @Override
    public String toString() { return toHtmlTable().toText(); }
}
