package org.streamlab.flink;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.JobID;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.logical.LogicalTypeRoot;
import org.streamlab.kernel.display.HtmlTable;
import tech.tablesaw.api.BooleanColumn;
import tech.tablesaw.api.DateColumn;
import tech.tablesaw.api.DateTimeColumn;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.InstantColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.api.TimeColumn;
import tech.tablesaw.columns.Column;

/** The rows of a finished statement, as an HTML table for display and as a Tablesaw table for --into. */
record QueryResult(ChangelogResult result, List<DataType> types, String caption, JobID job) {

    HtmlTable table() {
        return html(result, caption);
    }

    static HtmlTable html(ChangelogResult result, String caption) {
        HtmlTable t = new HtmlTable(result.columns());
        List<List<Object>> rows = result.rows();
        int shown = Math.min(rows.size(), SqlCell.SHOWN_ROWS);
        for (int i = 0; i < shown; i++) {
            List<Object> row = rows.get(i);
            List<Object> cells = new ArrayList<>(row.size());
            for (Object v : row) {
                cells.add(format(v));
            }
            t.addRow(cells);
        }
        t.totalRows(rows.size());
        if (caption != null) {
            t.caption(caption);
        }
        return t;
    }

    static String format(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof LocalDateTime ldt) {
            return ldt.toLocalDate() + " " + ldt.toLocalTime();
        }
        if (v instanceof byte[] b) {
            return "x'" + java.util.HexFormat.of().formatHex(b) + "'";
        }
        if (v instanceof Object[] arr) {
            return java.util.Arrays.deepToString(arr);
        }
        return String.valueOf(v);
    }

    /** A Tablesaw table with one typed column per result column (unknown types become strings). */
    Table toTablesaw() {
        List<String> names = result.columns();
        List<Column<?>> columns = new ArrayList<>();
        for (int c = 0; c < names.size(); c++) {
            LogicalTypeRoot root = types == null ? LogicalTypeRoot.VARCHAR : types.get(c).getLogicalType().getTypeRoot();
            columns.add(column(uniqueName(names, c), root));
        }
        for (List<Object> row : result.rows()) {
            for (int c = 0; c < columns.size(); c++) {
                append(columns.get(c), row.get(c));
            }
        }
        return Table.create("flinksql", columns);
    }

    private static String uniqueName(List<String> names, int c) {
        String n = names.get(c);
        for (int i = 0; i < c; i++) {
            if (names.get(i).equalsIgnoreCase(n)) {
                return n + "_" + (c + 1);
            }
        }
        return n;
    }

    private static Column<?> column(String name, LogicalTypeRoot root) {
        return switch (root) {
            case TINYINT, SMALLINT, INTEGER -> IntColumn.create(name);
            case BIGINT -> LongColumn.create(name);
            case FLOAT, DOUBLE, DECIMAL -> DoubleColumn.create(name);
            case BOOLEAN -> BooleanColumn.create(name);
            case DATE -> DateColumn.create(name);
            case TIME_WITHOUT_TIME_ZONE -> TimeColumn.create(name);
            case TIMESTAMP_WITHOUT_TIME_ZONE -> DateTimeColumn.create(name);
            case TIMESTAMP_WITH_LOCAL_TIME_ZONE -> InstantColumn.create(name);
            default -> StringColumn.create(name);
        };
    }

    private static void append(Column<?> column, Object v) {
        if (v == null) {
            column.appendMissing();
            return;
        }
        if (column instanceof IntColumn ic) {
            ic.append(((Number) v).intValue());
        } else if (column instanceof LongColumn lc) {
            lc.append(((Number) v).longValue());
        } else if (column instanceof DoubleColumn dc) {
            dc.append(((Number) v).doubleValue());
        } else if (column instanceof BooleanColumn bc) {
            bc.append((Boolean) v);
        } else if (column instanceof DateColumn dc) {
            dc.append((LocalDate) v);
        } else if (column instanceof TimeColumn tc) {
            tc.append((LocalTime) v);
        } else if (column instanceof DateTimeColumn dtc) {
            dtc.append((LocalDateTime) v);
        } else if (column instanceof InstantColumn ic) {
            ic.append((Instant) v);
        } else {
            ((StringColumn) column).append(format(v));
        }
    }
}
