package org.streamlab.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import org.dflib.jjava.jupyter.kernel.display.mime.MIMEType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.streamlab.kernel.testkit.CellOutcome;
import org.streamlab.kernel.testkit.KernelTestKit;

/** %%sparksql and %delta against a real embedded Spark with Delta, one session for the whole class. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SparkSqlMagicTest {
    @TempDir
    static Path workspace;

    KernelTestKit kit;

    @BeforeAll
    void start() {
        kit = KernelTestKit.start(workspace);
    }

    @AfterAll
    void stop() {
        if (kit != null) {
            kit.close();
        }
    }

    /** The data rows of an HtmlTable's HTML, cells joined by '|'. */
    static List<String> rows(String html) {
        Matcher body = Pattern.compile("<tbody>(.*)</tbody>", Pattern.DOTALL).matcher(html);
        assertTrue(body.find(), html);
        return Pattern.compile("<tr>(.*?)</tr>").matcher(body.group(1)).results()
                .map(m -> m.group(1).replace("</td><td>", "|").replace("<td>", "").replace("</td>", ""))
                .toList();
    }

    @Test
    void deltaLifecycle_update_merge_history_timeTravel_diff() {
        String created = kit.execSuccess("""
                %%sparksql
                CREATE TABLE orders (id INT, customer STRING, amount DOUBLE) USING DELTA;
                INSERT INTO orders VALUES (1, 'ann', 10.0), (2, 'bob', 20.0), (3, 'cy', 30.0);
                SELECT count(*) AS n, sum(amount) AS total FROM orders
                """).html();
        assertEquals(List.of("3|60.0"), rows(created));
        assertTrue(created.contains("<th>n</th><th>total</th>"), created);

        String updated = kit.execHtml("%%sparksql\nUPDATE orders SET amount = amount * 2 WHERE id = 2");
        assertEquals(List.of("1"), rows(updated), "num_affected_rows of the UPDATE");

        String merged = kit.execHtml("""
                %%sparksql
                MERGE INTO orders t
                USING (SELECT * FROM VALUES (2, 'bob', 99.0), (4, 'dee', 40.0) AS s(id, customer, amount)) s
                ON t.id = s.id
                WHEN MATCHED THEN UPDATE SET amount = s.amount
                WHEN NOT MATCHED THEN INSERT *
                """);
        assertTrue(merged.contains("num_updated_rows") && merged.contains("num_inserted_rows"), merged);
        assertTrue(rows(merged).get(0).startsWith("2|1|0|1"), merged); // affected, updated, deleted, inserted

        assertEquals(List.of("1|ann|10.0", "2|bob|99.0", "3|cy|30.0", "4|dee|40.0"),
                rows(kit.execHtml("%%sparksql\nSELECT * FROM orders ORDER BY id")));

        // history: newest first, one row per commit
        List<String> history = rows(kit.execHtml("%delta history orders"));
        assertEquals(4, history.size(), history.toString());
        assertTrue(history.get(0).startsWith("3|") && history.get(0).contains("|MERGE|"), history.get(0));
        assertTrue(history.get(1).startsWith("2|") && history.get(1).contains("|UPDATE|"), history.get(1));
        assertTrue(history.get(2).startsWith("1|") && history.get(2).contains("|WRITE|"), history.get(2));
        assertTrue(history.get(3).startsWith("0|") && history.get(3).contains("|CREATE TABLE|"), history.get(3));

        // time travel by version
        assertEquals(List.of("1|ann|10.0", "2|bob|20.0", "3|cy|30.0"),
                rows(kit.execHtml("%delta timetravel orders --version 1")).stream().sorted().toList());
        List<String> v2 = rows(kit.execHtml("%delta timetravel orders --version 2"));
        assertTrue(v2.contains("2|bob|40.0"), v2.toString());
        assertEquals(3, v2.size());

        // time travel by timestamp: the commit time of version 2, read through the Java facade
        String ts = (String) kit.eval("org.streamlab.spark.Spark.sql(\"DESCRIBE HISTORY orders\")"
                + ".where(\"version = 2\").select(\"timestamp\").first().getTimestamp(0).toString()");
        List<String> atTs = rows(kit.execHtml("%delta timetravel orders --timestamp \"" + ts + "\""));
        assertEquals(v2.stream().sorted().toList(), atTs.stream().sorted().toList());

        // diff: the MERGE changed bob (removed old, added new) and added dee; v1 -> v3 also sees the UPDATE folded in
        String diff = kit.execHtml("%delta diff orders 1 3");
        List<String> changes = rows(diff).stream().sorted().toList();
        assertEquals(List.of("added|2|bob|99.0", "added|4|dee|40.0", "removed|2|bob|20.0"), changes);
        assertTrue(diff.contains("2 added, 1 removed"), diff);
        assertEquals(List.of("added|2|bob|99.0", "added|4|dee|40.0", "removed|2|bob|40.0"),
                rows(kit.execHtml("%delta diff orders 2 3")).stream().sorted().toList());
        assertTrue(rows(kit.execHtml("%delta diff orders 3 3")).isEmpty());

        // --into binds a Tablesaw table of the whole result
        kit.execSuccess("%delta timetravel orders --version 1 --into v1 --max-rows 1");
        assertEquals(3, kit.eval("v1.rowCount()"));
        assertEquals(60.0, (Double) kit.eval("v1.doubleColumn(\"amount\").sum()"), 1e-9);
    }

    @Test
    void sqlTimestampsAreUtcWhateverTheMachinesZone() {
        String html = kit.execHtml("%%sparksql\nSELECT current_timezone() AS tz, unix_timestamp(TIMESTAMP '1970-01-01 01:00:00') AS s");
        assertTrue(html.contains("<td>UTC</td>") && html.contains("<td>3600</td>"), html);
    }

    @Test
    void multiStatementCellsRespectQuotesCommentsAndOrder() {
        String html = kit.execHtml("""
                %%sparksql
                CREATE TABLE notes (id INT, txt STRING) USING DELTA;
                INSERT INTO notes VALUES (1, 'a;b'), (2, "it's; fine"), (3, 'plain'); -- a comment; with a semicolon
                /* a block comment; also with one */
                SELECT id, txt FROM notes WHERE txt LIKE '%;%' ORDER BY id
                """);
        assertEquals(List.of("1|a;b", "2|it's; fine"), rows(html).stream().map(r -> r.replace("&#39;", "'")).toList());

        // the last query is shown as it was when it ran, before the INSERT that follows it
        String before = kit.execHtml("%%sparksql\nSELECT count(*) AS c FROM notes;\nINSERT INTO notes VALUES (4, 'x')");
        assertEquals(List.of("3"), rows(before));
        assertEquals(List.of("4"), rows(kit.execHtml("%%sparksql\nSELECT count(*) AS c FROM notes")));

        // only DDL: a short confirmation
        CellOutcome ddl = kit.execSuccess("%%sparksql\nCREATE TABLE empty_t (i INT) USING DELTA; CREATE TABLE empty_u (i INT) USING DELTA");
        assertTrue(ddl.text().contains("2 statements"), ddl.text());

        // SHOW TABLES is a command with rows: shown
        String tables = kit.execHtml("%%sparksql\nSHOW TABLES");
        assertTrue(tables.contains("notes") && tables.contains("empty_u"), tables);
    }

    @Test
    void firstUseShowsThatSparkIsStarting() {
        kit.execSuccess("%services stop spark");
        CellOutcome o = kit.execSuccess("%%sparksql\nSELECT 1 AS one");
        String shown = String.valueOf(o.latestDisplays().get(0).getData(MIMEType.TEXT_PLAIN));
        assertTrue(shown.matches("Spark 4\\.\\d+\\.\\d+ started in \\d+\\.\\d s \\(local\\[\\*\\]\\)"), shown);
        // a running Spark shows nothing extra
        assertTrue(kit.execSuccess("%%sparksql\nSELECT 2 AS two").displays().isEmpty());
    }

    @Test
    void helpShowsTheCompleteUsage() {
        String delta = kit.execSuccess("%help delta").allText();
        for (String part : List.of("%delta history", "%delta timetravel", "--version N", "--timestamp TS", "%delta diff",
                "--max-rows N", "--into VAR", "TABLE_OR_PATH")) {
            assertTrue(delta.contains(part), part + " missing from:\n" + delta);
        }
        String sql = kit.execSuccess("%help sparksql").allText();
        for (String part : List.of("%%sparksql [--max-rows N] [--into VAR]", "SPARK_MASTER", "SPARK_CONF", "Spark.session()")) {
            assertTrue(sql.contains(part), part + " missing from:\n" + sql);
        }
    }

    @Test
    void maxRowsShowsFirstRowsAndTheCount() {
        CellOutcome o = kit.execSuccess("%%sparksql --max-rows 5\nSELECT id FROM range(0, 120) ORDER BY id");
        assertEquals(List.of("0", "1", "2", "3", "4"), rows(o.html()));
        assertTrue(o.text().contains("120 rows (first 5 shown)"), o.text());
    }

    @Test
    void intoBindsATablesawTable() {
        kit.execSuccess("""
                %%sparksql --into people --max-rows 2
                SELECT * FROM VALUES (1, 'ann', DATE'2024-01-02', 1.5, true), (2, 'bob', NULL, NULL, false), (3, 'cy', DATE'2024-03-04', 3.0, NULL)
                  AS p(id, name, born, score, active)
                ORDER BY id
                """);
        assertEquals(3, kit.eval("people.rowCount()"));
        assertEquals("tech.tablesaw.api.Table", kit.eval("people.getClass().getName()"));
        assertEquals("cy", kit.eval("people.stringColumn(\"name\").get(2)"));
        assertEquals("INTEGER", kit.eval("people.column(\"id\").type().name()"));
        assertEquals("LOCAL_DATE", kit.eval("people.column(\"born\").type().name()"));
        assertEquals(1, kit.eval("people.column(\"score\").countMissing()"));
        assertEquals(4.5, (Double) kit.eval("people.doubleColumn(\"score\").sum()"), 1e-9);
    }

    @Test
    void datasetFromAJavaCellRendersAsATable() {
        String html = kit.execHtml("org.streamlab.spark.Spark.sql(\"SELECT 6 * 7 AS answer\")");
        assertEquals(List.of("42"), rows(html));
        assertTrue(html.contains("<th>answer</th>"), html);
        // the facade's session is the one the magics use
        kit.execSuccess("%%sparksql\nCREATE OR REPLACE TEMP VIEW shared_v AS SELECT 'from magic' AS src");
        assertEquals("from magic", kit.eval("org.streamlab.spark.Spark.session().table(\"shared_v\").first().getString(0)"));
    }

    @Test
    void badInputGivesOneClearMessageAndKeepsState() throws Exception {
        String syntax = kit.execError("%%sparksql\nSELEC 1").errorMessage();
        assertTrue(syntax.contains("PARSE_SYNTAX_ERROR") && syntax.contains("'SELEC'") && syntax.contains("pos 0"), syntax);
        assertFalse(syntax.contains("Internal error"), syntax);

        String second = kit.execError("%%sparksql\nCREATE TABLE kept (i INT) USING DELTA;\n\nSELECT FROM WHERE").errorMessage();
        assertTrue(second.contains("statement 2 of 2 (cell line 3)"), second);
        assertTrue(second.contains("statement 1 ran"), second);
        assertTrue(kit.execHtml("%%sparksql\nSHOW TABLES").contains("kept"), "state kept after the failing statement");

        String missing = kit.execError("%%sparksql\nSELECT * FROM nope_table").errorMessage();
        assertTrue(missing.contains("TABLE_OR_VIEW_NOT_FOUND") && missing.contains("nope_table"), missing);
        assertTrue(missing.contains("SHOW TABLES"), missing);

        assertTrue(kit.execError("%delta history no_such").errorMessage().contains("no table named no_such"));
        Path absent = workspace.resolve("absent/folder");
        assertTrue(kit.execError("%delta history " + absent).errorMessage().contains("the folder does not exist"));
        Path plain = Files.createDirectories(workspace.resolve("plain-folder"));
        assertTrue(kit.execError("%delta history " + plain).errorMessage().contains("no _delta_log"));

        kit.execSuccess("%%sparksql\nCREATE TABLE small (i INT) USING DELTA; INSERT INTO small VALUES (1)");
        String version = kit.execError("%delta timetravel small --version 99").errorMessage();
        assertTrue(version.contains("99") && version.contains("%delta history"), version);
        String tooEarly = kit.execError("%delta timetravel small --timestamp \"2000-01-01 00:00:00\"").errorMessage();
        assertTrue(tooEarly.contains("2000-01-01") && tooEarly.contains("%delta history"), tooEarly);
        String diffVersion = kit.execError("%delta diff small 0 7").errorMessage();
        assertTrue(diffVersion.contains("7"), diffVersion);

        String unknown = kit.execError("%delta frobnicate small").errorMessage();
        assertTrue(unknown.contains("unknown subcommand 'frobnicate'") && unknown.contains("%delta timetravel"), unknown);
        assertTrue(kit.execError("%delta").errorMessage().contains("missing a subcommand"));
        assertTrue(kit.execError("%delta timetravel small --version 1 --timestamp 2024-01-01").errorMessage()
                .contains("--version and --timestamp exclude each other"));
        assertTrue(kit.execError("%delta timetravel small").errorMessage().contains("missing --version N or --timestamp TS"));
        assertTrue(kit.execError("%delta timetravel small --version abc").errorMessage().contains("must be a table version"));
        assertTrue(kit.execError("%delta timetravel small --versoin 1").errorMessage().contains("unknown option --versoin"));
        assertTrue(kit.execError("%delta diff small 0").errorMessage().contains("missing V2"));
        assertTrue(kit.execError("%%sparksql --into 1abc\nSELECT 1").errorMessage().contains("Java variable name"));
        assertTrue(kit.execError("%%sparksql --max-rows 0\nSELECT 1").errorMessage().contains("--max-rows must be at least 1"));
        assertTrue(kit.execError("%%sparksql\n-- nothing\n").errorMessage().contains("no SQL statement"));

        // still alive, data intact
        assertEquals(List.of("1"), rows(kit.execHtml("%%sparksql\nSELECT * FROM small")));
        assertEquals(2, kit.eval("1 + 1"));
    }

    @Test
    void longQueryShowsProgressAndAnInterruptCancelsIt() {
        long start = System.nanoTime();
        CellOutcome o = kit.execInterrupted(
                "%%sparksql\nSELECT sum(hash(a.id, b.id)) FROM range(0, 200000, 1, 4) a CROSS JOIN range(0, 200000, 1, 4) b",
                Duration.ofSeconds(4));
        long seconds = (System.nanoTime() - start) / 1_000_000_000L;
        assertFalse(o.ok(), "the 40-billion-row query cannot have finished: " + o);
        assertTrue(o.errorMessage().contains("interrupted"), o.errorMessage());
        assertTrue(seconds < 30, "interrupt took " + seconds + " s");
        // the progress display (after a possible "Starting Spark" one): first shown running, finally cancelled
        int index = -1;
        for (int i = 0; i < o.displays().size(); i++) {
            if (String.valueOf(o.displays().get(i).getData(MIMEType.TEXT_PLAIN)).startsWith("Spark running")) {
                index = i;
            }
        }
        assertTrue(index >= 0, "a progress display was shown: " + o.displays());
        String first = String.valueOf(o.displays().get(index).getData(MIMEType.TEXT_PLAIN));
        assertTrue(first.matches("Spark running: \\d+/\\d+ jobs?, stages \\d+/\\d+, tasks \\d+/\\d+.*"), first);
        String last = String.valueOf(o.latestDisplays().get(index).getData(MIMEType.TEXT_PLAIN));
        assertTrue(last.startsWith("Spark cancelled"), last);
        // no job of the group keeps running, and the next cell works
        assertNotNull(kit.execHtml("%%sparksql\nSELECT 1 AS ok"));
        assertEquals(0, ((int[]) kit.eval("org.streamlab.spark.Spark.session().sparkContext().statusTracker().getActiveJobIds()")).length);
    }

    @Test
    void interruptCancelsAJobStartedFromAJavaCell() throws Exception {
        kit.execSuccess("%%sparksql\nSELECT 1");
        var outcome = kit.execInterrupted(
                "org.streamlab.spark.Spark.session().range(0L, 1L << 40).selectExpr(\"sum(id * id)\").collect()",
                java.time.Duration.ofSeconds(4));
        org.junit.jupiter.api.Assertions.assertFalse(outcome.ok(), "the endless job finished?");
        var tracker = SparkService.current().session().sparkContext().statusTracker();
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (tracker.getActiveJobIds().length > 0 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        org.junit.jupiter.api.Assertions.assertEquals(0, tracker.getActiveJobIds().length, "the job is still running");
        org.junit.jupiter.api.Assertions.assertEquals(2, kit.eval("1 + 1"));
    }
}
