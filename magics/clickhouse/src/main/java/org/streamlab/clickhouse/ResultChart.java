package org.streamlab.clickhouse;

import java.io.IOException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import org.dflib.jjava.jupyter.kernel.display.mime.MIMEType;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.streamlab.kernel.UserError;
import tech.tablesaw.api.ColumnType;
import tech.tablesaw.api.NumericColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;

/** {@code --chart line|bar --x COL --y COL}: the result drawn with XChart, as a PNG plus a text description. */
final class ResultChart {
    static final int WIDTH = 800;
    static final int HEIGHT = 450;

    private ResultChart() {}

    static DisplayData render(Table table, String type, String xName, String yName) throws IOException {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
        Column<?> x = column(table, xName, "--x");
        Column<?> y = column(table, yName, "--y");
        if (!(y instanceof NumericColumn<?> ny)) {
            throw new UserError("--y " + yName + " is not a numeric column (ClickHouse text column)",
                    "choose a numeric column, or cast it: toFloat64(" + yName + ") AS " + yName);
        }
        if (table.rowCount() == 0) {
            throw new UserError("the query returned no rows: nothing to chart", "check the WHERE clause");
        }
        List<Object> xs = new ArrayList<>();
        List<Number> ys = new ArrayList<>();
        for (int i = 0; i < table.rowCount(); i++) {
            if (x.isMissing(i) || ny.isMissing(i)) {
                continue;
            }
            xs.add(x.get(i));
            ys.add(ny.getDouble(i));
        }
        String title = yName + " by " + xName;
        byte[] png;
        ColumnType xt = x.type();
        boolean numericX = x instanceof NumericColumn<?>;
        boolean timeX = xt == ColumnType.LOCAL_DATE_TIME || xt == ColumnType.LOCAL_DATE;
        if (type.equals("line") && (numericX || timeX)) {
            XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(xName).yAxisTitle(yName).build();
            chart.getStyler().setLegendVisible(false);
            chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
            List<Object> xv = new ArrayList<>(xs.size());
            for (Object o : xs) {
                xv.add(timeX ? toDate(o) : (Number) o);
            }
            if (timeX) {
                chart.getStyler().setDatePattern(xt == ColumnType.LOCAL_DATE ? "yyyy-MM-dd" : "MM-dd HH:mm");
                chart.getStyler().setTimezone(java.util.TimeZone.getTimeZone("UTC"));
            }
            chart.addSeries(yName, xv, ys).setMarker(SeriesMarkers.NONE);
            png = BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
        } else {
            CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(xName).yAxisTitle(yName).build();
            chart.getStyler().setLegendVisible(false);
            chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
            chart.getStyler().setXAxisLabelRotation(xs.size() > 8 ? 45 : 0);
            if (type.equals("line")) {
                chart.getStyler().setDefaultSeriesRenderStyle(org.knowm.xchart.CategorySeries.CategorySeriesRenderStyle.Line);
            }
            List<String> labels = new ArrayList<>(xs.size());
            for (Object o : xs) {
                labels.add(String.valueOf(o).replace('T', ' '));
            }
            chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
            chart.addSeries(yName, labels, ys);
            png = BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
        }
        double min = ys.stream().mapToDouble(Number::doubleValue).min().orElse(Double.NaN);
        double max = ys.stream().mapToDouble(Number::doubleValue).max().orElse(Double.NaN);
        String text = type + " chart of " + yName + " by " + xName + ": " + ys.size() + " points"
                + (xs.isEmpty() ? "" : ", " + xName + " from " + fmt(xs.get(0)) + " to " + fmt(xs.get(xs.size() - 1)))
                + ", " + yName + " from " + num(min) + " to " + num(max);
        DisplayData d = new DisplayData(text);
        d.putData(MIMEType.IMAGE_PNG, Base64.getEncoder().encodeToString(png));
        return d;
    }

    private static Column<?> column(Table t, String name, String option) {
        for (Column<?> c : t.columns()) {
            if (c.name().equals(name)) {
                return c;
            }
        }
        for (Column<?> c : t.columns()) {
            if (c.name().equalsIgnoreCase(name)) {
                return c;
            }
        }
        throw new UserError(option + " " + name + ": no such column in the result",
                "columns: " + String.join(", ", t.columnNames()));
    }

    private static Date toDate(Object o) {
        if (o instanceof LocalDateTime ldt) {
            return Date.from(ldt.toInstant(ZoneOffset.UTC));
        }
        if (o instanceof LocalDate ld) {
            return Date.from(ld.atStartOfDay().toInstant(ZoneOffset.UTC));
        }
        throw new IllegalArgumentException("not a date: " + o);
    }

    private static String fmt(Object o) {
        return String.valueOf(o).replace('T', ' ');
    }

    private static String num(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? String.valueOf((long) d) : String.valueOf(d);
    }
}
