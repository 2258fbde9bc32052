package org.streamlab.kernel.display;

import java.util.ArrayList;
import java.util.List;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import tech.tablesaw.api.Table;

/** A Tablesaw table as an HTML table: first rows and the row count. */
final class TablesawRenderer {
    private TablesawRenderer() {}

    static DisplayData render(Object value) {
        return toHtmlTable((Table) value, BuiltinRenderers.MAX_ROWS).toDisplayData();
    }

    static HtmlTable toHtmlTable(Table t, int maxRows) {
        HtmlTable table = new HtmlTable(t.columnNames()).totalRows(t.rowCount());
        if (t.name() != null && !t.name().isBlank()) {
            table.caption(t.name());
        }
        for (int r = 0; r < Math.min(maxRows, t.rowCount()); r++) {
            List<Object> row = new ArrayList<>();
            for (int c = 0; c < t.columnCount(); c++) {
                row.add(t.column(c).getString(r));
            }
            table.addRow(row);
        }
        return table;
    }
}
