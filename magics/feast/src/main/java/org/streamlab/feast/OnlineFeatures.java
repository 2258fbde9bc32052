package org.streamlab.feast;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.streamlab.kernel.display.HtmlTable;

/**
 * Online feature values as the feature server returned them: one row per entity row, one column per join key and
 * feature, with each value's status ({@code PRESENT}, {@code NOT_FOUND}, {@code OUTSIDE_MAX_AGE}, ...) and event
 * time. Shown as a table in the notebook.
 */
public final class OnlineFeatures {
    private final List<String> columns;
    private final List<List<Object>> values;      // per column, per row
    private final List<List<String>> statuses;    // per column, per row
    private final List<List<String>> eventTimes;  // per column, per row

    OnlineFeatures(List<String> columns, List<List<Object>> values, List<List<String>> statuses, List<List<String>> eventTimes) {
        this.columns = List.copyOf(columns);
        this.values = values;
        this.statuses = statuses;
        this.eventTimes = eventTimes;
    }

    /** Join keys first, then the features, in the server's order. */
    public List<String> columns() { return columns; }

    public int rowCount() { return values.isEmpty() ? 0 : values.get(0).size(); }

    /** The value of {@code column} in entity row {@code row} (Long, Double, String, Boolean or null). */
    public Object value(int row, String column) { return values.get(index(column)).get(row); }

    /** The status of that value, e.g. PRESENT or NOT_FOUND. */
    public String status(int row, String column) { return statuses.get(index(column)).get(row); }

    /** The event time of that value (ISO-8601), as materialized. */
    public String eventTime(int row, String column) { return eventTimes.get(index(column)).get(row); }

    /** Entity row {@code row} as column to value. */
    public Map<String, Object> row(int row) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int c = 0; c < columns.size(); c++) {
            m.put(columns.get(c), values.get(c).get(row));
        }
        return Collections.unmodifiableMap(m);
    }

    public List<Map<String, Object>> rows() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (int r = 0; r < rowCount(); r++) {
            out.add(row(r));
        }
        return out;
    }

    private int index(String column) {
        int i = columns.indexOf(column);
        if (i < 0) {
            throw new IllegalArgumentException("no column " + column + "; columns: " + String.join(", ", columns));
        }
        return i;
    }

    /** Values, with a value's status after it when it is not PRESENT (join keys have none to show). */
    public HtmlTable toHtmlTable() {
        HtmlTable t = new HtmlTable(columns);
        for (int r = 0; r < rowCount(); r++) {
            List<Object> cells = new ArrayList<>();
            for (int c = 0; c < columns.size(); c++) {
                Object v = values.get(c).get(r);
                String s = statuses.get(c).get(r);
                cells.add(s == null || s.equals("PRESENT") ? v : (v == null ? "" : v + " ") + "(" + s + ")");
            }
            t.addRow(cells);
        }
        return t;
    }

    @Override
    public String toString() { return toHtmlTable().toText(); }
}
