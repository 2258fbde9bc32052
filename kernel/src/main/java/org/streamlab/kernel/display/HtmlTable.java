package org.streamlab.kernel.display;

import java.util.ArrayList;
import java.util.List;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;

/**
 * A table shown as HTML (first rows only, with the total row count) and as aligned plain text.
 * Every tabular renderer (Tablesaw, JDBC result sets, Spark, Flink, Kafka records) builds one of these.
 */
public final class HtmlTable {
    private final List<String> columns;
    private final List<List<String>> rows = new ArrayList<>();
    private long totalRows = -1;
    private String caption;

    public HtmlTable(List<String> columns) {
        this.columns = List.copyOf(columns);
    }

    public HtmlTable addRow(List<?> cells) {
        List<String> row = new ArrayList<>(cells.size());
        for (Object c : cells) {
            row.add(c == null ? "null" : String.valueOf(c));
        }
        rows.add(row);
        return this;
    }

    /** The row count of the whole result when only the first rows were added. */
    public HtmlTable totalRows(long total) {
        this.totalRows = total;
        return this;
    }

    public HtmlTable caption(String text) {
        this.caption = text;
        return this;
    }

    public int shownRows() { return rows.size(); }

    private String footer() {
        long total = totalRows < 0 ? rows.size() : totalRows;
        String count = total == 1 ? "1 row" : total + " rows";
        return total > rows.size() ? count + " (first " + rows.size() + " shown)" : count;
    }

    public String toHtml() {
        StringBuilder sb = new StringBuilder("<div class=\"streamlab-table\"><table>");
        if (caption != null) {
            sb.append("<caption>").append(escape(caption)).append("</caption>");
        }
        sb.append("<thead><tr>");
        for (String c : columns) {
            sb.append("<th>").append(escape(c)).append("</th>");
        }
        sb.append("</tr></thead><tbody>");
        for (List<String> row : rows) {
            sb.append("<tr>");
            for (String cell : row) {
                sb.append("<td>").append(escape(cell)).append("</td>");
            }
            sb.append("</tr>");
        }
        sb.append("</tbody></table><p><small>").append(footer()).append("</small></p></div>");
        return sb.toString();
    }

    public String toText() {
        int[] widths = new int[columns.size()];
        for (int i = 0; i < columns.size(); i++) {
            widths[i] = Math.min(40, columns.get(i).length());
        }
        for (List<String> row : rows) {
            for (int i = 0; i < Math.min(row.size(), widths.length); i++) {
                widths[i] = Math.min(40, Math.max(widths[i], row.get(i).length()));
            }
        }
        StringBuilder sb = new StringBuilder();
        if (caption != null) {
            sb.append(caption).append('\n');
        }
        appendLine(sb, columns, widths);
        for (int i = 0; i < widths.length; i++) {
            sb.append(i == 0 ? "" : "-+-").append("-".repeat(widths[i]));
        }
        sb.append('\n');
        for (List<String> row : rows) {
            appendLine(sb, row, widths);
        }
        return sb.append(footer()).toString();
    }

    private static void appendLine(StringBuilder sb, List<String> cells, int[] widths) {
        for (int i = 0; i < widths.length; i++) {
            String cell = i < cells.size() ? cells.get(i) : "";
            if (cell.length() > widths[i]) {
                cell = cell.substring(0, Math.max(0, widths[i] - 1)) + "…";
            }
            sb.append(i == 0 ? "" : " | ").append(cell).append(" ".repeat(widths[i] - cell.length()));
        }
        sb.append('\n');
    }

    public DisplayData toDisplayData() {
        DisplayData d = new DisplayData(toText());
        d.putHTML(toHtml());
        return d;
    }

    public static String escape(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }
}
