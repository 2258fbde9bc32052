package org.streamlab.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamlab.kernel.testkit.CellOutcome;
import org.streamlab.kernel.testkit.KernelTestKit;

class RenderersTest {
    @TempDir
    static Path workspace;
    static KernelTestKit kit;

    @BeforeAll
    static void start() {
        System.setProperty("java.awt.headless", "true");
        kit = KernelTestKit.start(workspace);
    }

    @AfterAll
    static void stop() {
        kit.close();
    }

    @Test
    void tablesawTableShowsFirstRowsAndCount() {
        CellOutcome o = kit.execSuccess("""
                import tech.tablesaw.api.*;
                IntColumn n = IntColumn.create("n");
                for (int i = 0; i < 120; i++) n.append(i);
                Table.create("numbers", n)
                """);
        assertTrue(o.html().contains("<th>n</th>"), o.html());
        assertTrue(o.html().contains("120 rows (first 50 shown)"), o.html());
        assertTrue(o.text().contains("120 rows"), o.text());
    }

    @Test
    void listOfRecordsIsATable() {
        CellOutcome o = kit.execSuccess("record Trade(String symbol, int qty) {}\nList.of(new Trade(\"ACME\", 3), new Trade(\"INIT\", 5))");
        assertTrue(o.html().contains("<th>symbol</th><th>qty</th>"), o.html());
        assertTrue(o.html().contains("<td>INIT</td><td>5</td>"), o.html());
        assertTrue(o.html().contains("2 rows"));
    }

    @Test
    void resultSetIsATable() {
        CellOutcome o = kit.execSuccess("""
                var rs = new javax.sql.rowset.RowSetProvider().newFactory().createCachedRowSet();
                var md = new javax.sql.rowset.RowSetMetaDataImpl();
                md.setColumnCount(1); md.setColumnName(1, "city"); md.setColumnType(1, java.sql.Types.VARCHAR);
                rs.setMetaData(md);
                rs.moveToInsertRow(); rs.updateString(1, "Lyon"); rs.insertRow(); rs.moveToCurrentRow();
                rs.beforeFirst();
                rs
                """.replace("new javax.sql.rowset.RowSetProvider().newFactory()", "javax.sql.rowset.RowSetProvider.newFactory()"));
        assertTrue(o.html() != null && o.html().contains("<th>city</th>"), o.text());
        assertTrue(o.html().contains("<td>Lyon</td>"), o.html());
    }

    @Test
    void xchartIsPngAndSvg() {
        CellOutcome o = kit.execSuccess("""
                var chart = new org.knowm.xchart.XYChartBuilder().width(300).height(200).title("squares").build();
                chart.addSeries("y", new double[] {1, 2, 3}, new double[] {1, 4, 9});
                chart
                """);
        assertTrue(o.resultHas("image/png"));
        assertTrue(o.resultHas("image/svg+xml"));
        assertTrue(o.text().contains("chart: squares"), o.text());
    }

    @Test
    void bufferedImageIsPng() {
        CellOutcome o = kit.execSuccess("new java.awt.image.BufferedImage(4, 3, java.awt.image.BufferedImage.TYPE_INT_RGB)");
        assertTrue(o.resultHas("image/png"));
        assertTrue(o.text().contains("4x3"));
    }

    @Test
    void markdownAndHtmlHelpers() {
        assertEquals("**bold**", kit.execSuccess("markdown(\"**bold**\")").result().getData(
                org.dflib.jjava.jupyter.kernel.display.mime.MIMEType.parse("text/markdown")));
        assertTrue(kit.execSuccess("html(\"<b>x</b>\")").html().contains("<b>x</b>"));
    }

    @Test
    void displayAndUpdateDisplay() {
        CellOutcome o = kit.execSuccess("String id = display(\"one\");\nupdateDisplay(id, \"two\");");
        assertEquals(1, o.displays().size());
        assertNotNull(o.displays().get(0).getDisplayId());
        assertEquals("\"two\"", o.latestDisplays().get(0).getData(org.dflib.jjava.jupyter.kernel.display.mime.MIMEType.TEXT_PLAIN));
    }

    @Test
    void aRendererThatThrowsFallsBackToText() {
        kit.session().renderers().register(java.time.Duration.class, d -> {
            throw new IllegalStateException("renderer bug");
        });
        CellOutcome o = kit.execSuccess("java.time.Duration.ofSeconds(3)");
        assertTrue(o.text().contains("PT3S"), o.text());
        assertTrue(o.text().contains("renderer for Duration failed"), o.text());
        assertEquals(5, kit.eval("2 + 3"));
    }

    @Test
    void textPlainIsAlwaysPresent() {
        assertEquals("\"quoted\"", kit.execSuccess("\"quoted\"").text());
        assertEquals("[1, 2]", kit.execSuccess("new int[] {1, 2}").text());
    }
}
