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

/** {@code --chart line|bar --x COL --y COL}: the result drawn with XChart, as a PNG plus a text description. */
final class ResultChart {
    static final int WIDTH = 800;
    static final int HEIGHT = 450;

    private ResultChart() {}

    static DisplayData render(QueryResult result, String type, String xName, String yName) throws IOException {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
        int x = column(result, xName, "--x");
        int y = column(result, yName, "--y");
        QueryResult.Kind xk = result.kinds().get(x);
        QueryResult.Kind yk = result.kinds().get(y);
        if (!yk.numeric()) {
            throw new UserError("--y " + yName + " is not a numeric column (ClickHouse type " + result.types().get(y) + ")",
                    "choose a numeric column, or cast it: toFloat64(" + yName + ") AS " + yName);
        }
        if (result.values().isEmpty()) {
            throw new UserError("the query returned no rows: nothing to chart", "check the WHERE clause");
        }
        List<Object> xs = new ArrayList<>();
        List<Number> ys = new ArrayList<>();
        for (Object[] row : result.values()) {
            if (row[x] == null || row[y] == null) {
                continue;
            }
            xs.add(row[x]);
            ys.add(((Number) row[y]).doubleValue());
        }
        String title = yName + " by " + xName;
        byte[] png;
        boolean numericX = xk.numeric();
        boolean timeX = xk == QueryResult.Kind.DATE || xk == QueryResult.Kind.DATETIME;
        if (type.equals("line") && (numericX || timeX)) {
            XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(xName).yAxisTitle(yName).build();
            chart.getStyler().setLegendVisible(false);
            chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
            List<Object> xv = new ArrayList<>(xs.size());
            for (Object o : xs) {
                xv.add(timeX ? toDate(o) : (Number) o);
            }
            if (timeX) {
                chart.getStyler().setDatePattern(xk == QueryResult.Kind.DATE ? "yyyy-MM-dd" : "MM-dd HH:mm");
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
                labels.add(fmt(o));
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

    private static int column(QueryResult r, String name, String option) {
        List<String> cols = r.columns();
        for (int i = 0; i < cols.size(); i++) {
            if (cols.get(i).equals(name)) {
                return i;
            }
        }
        for (int i = 0; i < cols.size(); i++) {
            if (cols.get(i).equalsIgnoreCase(name)) {
                return i;
            }
        }
        throw new UserError(option + " " + name + ": no such column in the result", "columns: " + String.join(", ", cols));
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
        return o instanceof LocalDateTime ldt ? ldt.toString().replace('T', ' ') : String.valueOf(o);
    }

    private static String num(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? String.valueOf((long) d) : String.valueOf(d);
    }
}
