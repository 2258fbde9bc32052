package org.streamlab.clickhouse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import org.dflib.jjava.jupyter.kernel.display.mime.MIMEType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamlab.kernel.testkit.CellOutcome;
import org.streamlab.kernel.testkit.KernelTestKit;

/** %%clickhouse through the kernel, against the real embedded clickhouse-server (Debian's 18.16 here). */
class ClickHouseMagicTest {
    @TempDir
    static Path workspace;
    static KernelTestKit kit;

    @BeforeAll
    static void startKernel() {
        kit = KernelTestKit.start(workspace);
        // 600 events over 10 minutes: minute m has 10 + m*... rows, user ids cycle
        kit.execSuccess("""
                %%clickhouse
                CREATE TABLE IF NOT EXISTS events (ts DateTime, user UInt32, kind String, amount Float64)
                  ENGINE = MergeTree() PARTITION BY toYYYYMM(ts) ORDER BY (kind, ts);
                INSERT INTO events SELECT toDateTime('2024-03-01 12:00:00') + number, number % 7,
                  if(number % 3 = 0, 'buy', 'view'), number / 10 FROM system.numbers LIMIT 600
                """);
    }

    @AfterAll
    static void stopKernel() {
        if (kit != null) {
            kit.close();
        }
    }

    @Test
    void mergeTreeInsertAndMinuteAggregate() {
        CellOutcome o = kit.execSuccess("""
                %%clickhouse
                SELECT toStartOfMinute(ts) AS minute, count() AS n, sum(kind = 'buy') AS buys
                FROM events GROUP BY minute ORDER BY minute
                """);
        String html = o.html();
        assertNotNull(html, o.toString());
        assertTrue(html.contains("<th>minute</th><th>n</th><th>buys</th>"), html);
        assertTrue(html.contains("<td>2024-03-01 12:00:00</td><td>60</td><td>20</td>"), html);
        assertTrue(html.contains("<td>2024-03-01 12:09:00</td><td>60</td><td>20</td>"), html);
        assertTrue(o.text().contains("10 rows"), o.text());
    }

    @Test
    void maxRowsShowsTheFirstRowsAndTheFullCount() {
        CellOutcome o = kit.execSuccess("""
                %%clickhouse --max-rows 3
                SELECT number FROM system.numbers LIMIT 1000
                """);
        assertTrue(o.text().contains("1000 rows (first 3 shown)"), o.text());
        assertTrue(o.html().contains("<td>2</td>") && !o.html().contains("<td>3</td>"), o.html());
    }

    @Test
    void materializedViewRollsUpInserts() {
        kit.execSuccess("""
                %%clickhouse
                CREATE TABLE clicks (ts DateTime, page String) ENGINE = MergeTree() ORDER BY ts;
                CREATE MATERIALIZED VIEW clicks_per_minute
                  ENGINE = SummingMergeTree() ORDER BY (minute, page) POPULATE
                  AS SELECT toStartOfMinute(ts) AS minute, page, count() AS views FROM clicks GROUP BY minute, page;
                INSERT INTO clicks VALUES ('2024-03-01 10:00:05', 'home'), ('2024-03-01 10:00:40', 'home'),
                  ('2024-03-01 10:01:10', 'cart');
                INSERT INTO clicks VALUES ('2024-03-01 10:00:59', 'home')
                """);
        // two inserts: two parts in the view until merged; sum() over the view gives the rolled-up counts
        String html = kit.execHtml("""
                %%clickhouse
                SELECT minute, page, sum(views) AS views FROM clicks_per_minute GROUP BY minute, page ORDER BY minute, page
                """);
        assertTrue(html.contains("<td>2024-03-01 10:00:00</td><td>home</td><td>3</td>"), html);
        assertTrue(html.contains("<td>2024-03-01 10:01:00</td><td>cart</td><td>1</td>"), html);
        // OPTIMIZE ... FINAL merges the parts: the SummingMergeTree then holds one row per key
        String merged = kit.execHtml("""
                %%clickhouse
                OPTIMIZE TABLE clicks_per_minute FINAL;
                SELECT minute, page, views FROM clicks_per_minute ORDER BY minute, page
                """);
        assertTrue(merged.contains("<td>2024-03-01 10:00:00</td><td>home</td><td>3</td>"), merged);
        assertTrue(merged.contains("2 rows"), merged);
    }

    @Test
    void multiStatementCellRunsAllAndShowsTheLastQuery() {
        CellOutcome o = kit.execSuccess("""
                %%clickhouse
                -- a comment; with a semicolon
                DROP TABLE IF EXISTS notes;
                CREATE TABLE notes (id UInt8, body String) ENGINE = Memory;
                INSERT INTO notes VALUES (1, 'semi;colon'), (2, 'it''s');
                /* the result: */ SELECT id, body FROM notes ORDER BY id
                """);
        assertTrue(o.html().contains("<td>1</td><td>semi;colon</td>"), o.html());
        assertTrue(o.html().contains("<td>2</td><td>it&#39;s</td>") || o.html().contains("<td>2</td><td>it's</td>"), o.html());
        CellOutcome ddl = kit.execSuccess("""
                %%clickhouse
                CREATE TABLE IF NOT EXISTS notes2 (id UInt8) ENGINE = Memory; INSERT INTO notes2 VALUES (7)
                """);
        assertEquals("OK: 2 statements ran", ddl.text());
        assertTrue(kit.execHtml("%%clickhouse\nSELECT sum(id) AS s FROM notes2").contains("<td>7</td>"));
    }

    @Test
    void jsonEachRowWithIsoTimestamps() {
        // Java's Instant.toString() form parses (date_time_input_format=best_effort in the generated profile)
        String html = kit.execHtml("""
                %%clickhouse
                CREATE TABLE iso_events (ts DateTime, page String) ENGINE = MergeTree() ORDER BY ts;
                INSERT INTO iso_events FORMAT JSONEachRow {"ts":"2024-03-01T10:00:05Z","page":"a"} {"ts":"2024-03-01 10:00:06","page":"b"};
                SELECT ts, page FROM iso_events ORDER BY ts
                """);
        assertTrue(html.contains("<td>2024-03-01 10:00:05</td><td>a</td>") && html.contains("<td>2024-03-01 10:00:06</td><td>b</td>"), html);
    }

    @Test
    void showDescribeAndWithQueriesReturnRows() {
        assertTrue(kit.execHtml("%%clickhouse\nSHOW TABLES").contains("<td>events</td>"));
        String describe = kit.execHtml("%%clickhouse\nDESCRIBE TABLE events");
        assertTrue(describe.contains("<td>ts</td><td>DateTime</td>") && describe.contains("<td>amount</td><td>Float64</td>"), describe);
        String with = kit.execHtml("%%clickhouse\nWITH 2 AS k SELECT count() * k AS doubled FROM events");
        assertTrue(with.contains("<td>1200</td>"), with);
    }

    @Test
    void intoBindsATypedTablesawTable() {
        CellOutcome o = kit.execSuccess("""
                %%clickhouse --into perMinute
                SELECT toStartOfMinute(ts) AS minute, count() AS n, avg(amount) AS avg_amount, any(kind) AS k
                FROM events GROUP BY minute ORDER BY minute
                """);
        assertTrue(o.stdout().contains("perMinute: Table of 10 rows, 4 columns"), o.stdout());
        assertEquals(10, kit.eval("perMinute.rowCount()"));
        assertEquals("LOCAL_DATE_TIME", kit.eval("perMinute.column(\"minute\").type().name()"));
        assertEquals("LONG", kit.eval("perMinute.column(\"n\").type().name()"));
        assertEquals("DOUBLE", kit.eval("perMinute.column(\"avg_amount\").type().name()"));
        assertEquals(600L, kit.eval("perMinute.longColumn(\"n\").sum()") instanceof Number n ? n.longValue() : -1L);
        assertEquals("2024-03-01T12:09", kit.eval("perMinute.dateTimeColumn(\"minute\").max().toString()"));
    }

    @Test
    void lineChartIsAPng() {
        CellOutcome o = kit.execSuccess("""
                %%clickhouse --chart line --x minute --y n
                SELECT toStartOfMinute(ts) AS minute, count() AS n FROM events GROUP BY minute ORDER BY minute
                """);
        assertTrue(o.resultHas("image/png"), o.toString());
        byte[] png = Base64.getDecoder().decode((String) o.result().getData(MIMEType.IMAGE_PNG));
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, Arrays.copyOf(png, 4));
        assertTrue(png.length > 2000, "png of " + png.length + " bytes");
        assertTrue(o.text().contains("line chart of n by minute: 10 points"), o.text());
        assertTrue(o.text().contains("n from 60 to 60"), o.text());
    }

    @Test
    void barChartOfCategories() {
        CellOutcome o = kit.execSuccess("""
                %%clickhouse --chart bar --x kind --y total --into byKind
                SELECT kind, sum(amount) AS total FROM events GROUP BY kind ORDER BY kind
                """);
        assertTrue(o.resultHas("image/png"), o.toString());
        assertTrue(o.text().contains("bar chart of total by kind: 2 points, kind from buy to view"), o.text());
        assertEquals(2, kit.eval("byKind.rowCount()"));
        CellOutcome cities = kit.execSuccess("""
                %%clickhouse --chart bar --x city --y n
                SELECT city, n FROM (SELECT 'Tokyo' AS city, 3 AS n UNION ALL SELECT 'Turin' AS city, 5 AS n) ORDER BY city
                """);
        assertTrue(cities.text().contains("bar chart of n by city: 2 points, city from Tokyo to Turin, n from 3 to 5"), cities.text());
    }

    @Test
    void javaCellsReachTheSameServer() {
        Object n = kit.eval("org.streamlab.clickhouse.ClickHouse.query(\"SELECT count() AS n FROM events\").longColumn(\"n\").get(0)");
        assertEquals(600L, ((Number) n).longValue());
        String url = (String) kit.eval("org.streamlab.clickhouse.ClickHouse.url()");
        assertTrue(url.startsWith("jdbc:clickhouse://127.0.0.1:") && url.endsWith("?compress=false"), url);
        kit.execSuccess("""
                try (var c = org.streamlab.clickhouse.ClickHouse.connection(); var st = c.createStatement()) {
                    st.execute("CREATE TABLE IF NOT EXISTS from_java (x UInt8) ENGINE = Memory");
                    st.execute("INSERT INTO from_java VALUES (41)");
                }
                """);
        assertTrue(kit.execHtml("%%clickhouse\nSELECT x + 1 AS y FROM from_java").contains("<td>42</td>"));
    }

    @Test
    void syntaxErrorShowsClickHousesMessageAndPosition() {
        CellOutcome bad = kit.execError("""
                %%clickhouse
                CREATE TABLE IF NOT EXISTS ok_before (x UInt8) ENGINE = Memory;
                SELECT * FORM events
                """);
        String m = bad.errorMessage();
        assertTrue(m.contains("ClickHouse in statement 2 of 2 (the one before it ran): Syntax error: failed at position"), m);
        assertTrue(m.contains("FORM events"), m);
        assertFalse(m.contains("\tat "), "no stack trace: " + m);
        assertAlive();
    }

    @Test
    void unknownTableAndUnknownFunction() {
        String m = kit.execError("%%clickhouse\nSELECT * FROM no_such_table").errorMessage();
        assertTrue(m.contains("Table default.no_such_table doesn't exist"), m);
        assertTrue(m.contains("SHOW TABLES"), m);
        String f = kit.execError("%%clickhouse\nSELECT toStartOfInterval(now(), INTERVAL 5 MINUTE)").errorMessage();
        assertTrue(f.contains("Unknown function toStartOfInterval"), f);
        assertAlive();
    }

    @Test
    void badOptionsAreUsageErrors() {
        String noAxes = kit.execError("%%clickhouse --chart line\nSELECT 1 AS a").errorMessage();
        assertTrue(noAxes.contains("--chart line needs --x COL and --y COL"), noAxes);
        String pie = kit.execError("%%clickhouse --chart pie --x a --y b\nSELECT 1 AS a, 2 AS b").errorMessage();
        assertTrue(pie.contains("--chart must be one of line|bar, got: pie"), pie);
        String axesAlone = kit.execError("%%clickhouse --x a\nSELECT 1 AS a").errorMessage();
        assertTrue(axesAlone.contains("--x and --y go with --chart"), axesAlone);
        String unknown = kit.execError("%%clickhouse --rows 5\nSELECT 1").errorMessage();
        assertTrue(unknown.contains("unknown option --rows"), unknown);
        String var = kit.execError("%%clickhouse --into 1abc\nSELECT 1").errorMessage();
        assertTrue(var.contains("--into needs a Java variable name"), var);
        String empty = kit.execError("%%clickhouse\n-- nothing here\n").errorMessage();
        assertTrue(empty.contains("the cell has no SQL"), empty);
        String missingColumn = kit.execError("%%clickhouse --chart bar --x kind --y nope\nSELECT kind, count() AS n FROM events GROUP BY kind")
                .errorMessage();
        assertTrue(missingColumn.contains("--y nope: no such column in the result") && missingColumn.contains("columns: kind, n"), missingColumn);
        String textY = kit.execError("%%clickhouse --chart bar --x n --y kind\nSELECT kind, count() AS n FROM events GROUP BY kind")
                .errorMessage();
        assertTrue(textY.contains("--y kind is not a numeric column"), textY);
        String intoDdl = kit.execError("%%clickhouse --into t\nCREATE TABLE IF NOT EXISTS t_into (x UInt8) ENGINE = Memory")
                .errorMessage();
        assertTrue(intoDdl.contains("--into needs rows"), intoDdl);
        assertAlive();
    }

    @Test
    void interruptCancelsTheRunningQuery() throws Exception {
        CellOutcome o = kit.execInterrupted("""
                %%clickhouse
                SELECT count() FROM (SELECT number FROM system.numbers LIMIT 20000000000) WHERE sipHash64(number) % 1000 = 1
                """, java.time.Duration.ofMillis(1500));
        assertFalse(o.ok(), o.toString());
        assertTrue(o.errorMessage().contains("interrupted"), o.errorMessage());
        // the query was killed on the server, not just abandoned by the client
        String running = "";
        for (int i = 0; i < 150; i++) { // KILL QUERY is asynchronous: allow a loaded machine some seconds
            running = kit.execSuccess("%%clickhouse\nSELECT count() AS n FROM system.processes WHERE query LIKE '%sipHash64(number) % 1000%'"
                    + " AND query NOT LIKE '%system.processes%'").html();
            if (running.contains("<td>0</td>")) {
                break;
            }
            Thread.sleep(100);
        }
        assertTrue(running.contains("<td>0</td>"), running);
        assertAlive();
    }

    @Test
    void helpShowsTheFullUsage() {
        CellOutcome o = kit.execSuccess("%help clickhouse");
        String all = o.allText();
        for (String option : new String[] {"--max-rows N", "--into VAR", "--chart line|bar", "--x COL", "--y COL", "CLICKHOUSE_URL",
                "--panel NAME", "%clickhouse dashboard [--port N] [--refresh SECONDS]", "dashboard stop", "dashboard remove NAME"}) {
            assertTrue(all.contains(option), option + " missing from help: " + all);
        }
    }

    @Test
    void queryLogRecordsRowsReadAndReturned() throws InterruptedException {
        // the embedded server logs queries (log_queries=1, <query_log>): the MergeTree notebook measures with it
        long rows = (Long) kit.eval("((Number) org.streamlab.clickhouse.ClickHouse.query(\"SELECT count() FROM events\").column(0).get(0)).longValue()");
        kit.execSuccess("%%clickhouse\nSELECT 'qlog-probe' AS probe, count() AS n FROM events WHERE amount > 10");
        String html = "";
        for (int i = 0; i < 50 && !html.contains("<td>"); i++) { // finished queries are logged just after the answer
            html = kit.execSuccess("""
                    %%clickhouse
                    SYSTEM FLUSH LOGS;
                    SELECT read_rows, result_rows FROM system.query_log
                    WHERE type = 2 AND query LIKE '%qlog-probe%' AND query NOT LIKE '%query_log%'
                    """).html();
            Thread.sleep(100);
        }
        // a filter on a column outside the key reads every row; one row comes back
        assertTrue(html.contains("<td>" + rows + "</td><td>1</td>"), rows + " rows read, 1 returned: " + html);
    }

    private static void assertAlive() {
        assertTrue(kit.execHtml("%%clickhouse\nSELECT 1 + 1 AS two").contains("<td>2</td>"));
    }
}
