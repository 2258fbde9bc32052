package org.streamlab.kernel.display;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.RecordComponent;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.imageio.ImageIO;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;

/**
 * Renderers for the kernel's own types: tables (Tablesaw, JDBC result sets, lists of records), charts
 * (XChart), images, Markdown and HTML. Each class is referenced lazily so the kernel starts without
 * loading Tablesaw, XChart or AWT.
 */
public final class BuiltinRenderers {
    /** Rows shown for a table before "first N shown"; the row count is always given. */
    public static final int MAX_ROWS = 50;

    private BuiltinRenderers() {}

    public static void registerAll(RendererRegistry registry) {
        registry.register(HtmlTable.class, HtmlTable::toDisplayData);
        registry.register(Html.class, h -> {
            DisplayData d = new DisplayData(h.text());
            d.putHTML(h.html());
            return d;
        });
        registry.register(Markdown.class, m -> {
            DisplayData d = new DisplayData(m.markdown());
            d.putMarkdown(m.markdown());
            return d;
        });
        registry.register(ResultSet.class, rs -> resultSetTable(rs, MAX_ROWS).toDisplayData());
        registry.register(List.class, BuiltinRenderers::renderList);
        registerIfPresent(registry, "tech.tablesaw.api.Table", () -> TablesawRenderer::render);
        registerIfPresent(registry, "org.knowm.xchart.internal.chartpart.Chart", () -> ChartRenderer::render);
        registerIfPresent(registry, "java.awt.image.BufferedImage", () -> v -> png((BufferedImage) v, "image"));
    }

    private static void registerIfPresent(RendererRegistry registry, String className,
                                          java.util.function.Supplier<Renderer<Object>> renderer) {
        try {
            Class<?> c = Class.forName(className, false, BuiltinRenderers.class.getClassLoader());
            registry.register(c, renderer.get());
        } catch (ClassNotFoundException | LinkageError e) {
            // optional library absent: values of that type render as text
        }
    }

    /** Lists of records become tables; other lists render as text. */
    static DisplayData renderList(List<?> list) {
        if (list.isEmpty() || !list.get(0).getClass().isRecord()) {
            return new DisplayData(TextForm.of(list));
        }
        Class<?> type = list.get(0).getClass();
        RecordComponent[] components = type.getRecordComponents();
        List<String> columns = new ArrayList<>();
        for (RecordComponent c : components) {
            columns.add(c.getName());
        }
        HtmlTable table = new HtmlTable(columns).totalRows(list.size());
        for (Object row : list.subList(0, Math.min(MAX_ROWS, list.size()))) {
            List<Object> cells = new ArrayList<>();
            for (RecordComponent c : components) {
                try {
                    cells.add(row.getClass() == type ? c.getAccessor().invoke(row) : "?");
                } catch (ReflectiveOperationException e) {
                    cells.add("?");
                }
            }
            table.addRow(cells);
        }
        return table.toDisplayData();
    }

    /** Reads up to {@code maxRows} rows, then counts the rest without keeping them. */
    public static HtmlTable resultSetTable(ResultSet rs, int maxRows) throws Exception {
        ResultSetMetaData meta = rs.getMetaData();
        List<String> columns = new ArrayList<>();
        for (int i = 1; i <= meta.getColumnCount(); i++) {
            String label = meta.getColumnLabel(i);
            columns.add(label == null || label.isBlank() ? String.valueOf(meta.getColumnName(i)) : label);
        }
        HtmlTable table = new HtmlTable(columns);
        long count = 0;
        while (rs.next()) {
            if (count < maxRows) {
                List<Object> row = new ArrayList<>();
                for (int i = 1; i <= columns.size(); i++) {
                    row.add(rs.getObject(i));
                }
                table.addRow(row);
            }
            count++;
        }
        return table.totalRows(count);
    }

    public static DisplayData png(BufferedImage image, String description) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        DisplayData d = new DisplayData(description + " (" + image.getWidth() + "x" + image.getHeight() + " PNG)");
        d.putData("image/png", Base64.getEncoder().encodeToString(out.toByteArray()));
        return d;
    }

    /** An HTML fragment to show; {@code Html.of("<b>hi</b>")}. */
    public record Html(String html, String text) {
        public static Html of(String html) {
            return new Html(html, html.replaceAll("<[^>]*>", ""));
        }
    }

    /** Markdown to show; {@code Markdown.of("**bold**")}. */
    public record Markdown(String markdown) {
        public static Markdown of(String markdown) {
            return new Markdown(markdown);
        }
    }
}
