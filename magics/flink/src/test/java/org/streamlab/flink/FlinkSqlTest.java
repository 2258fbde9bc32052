package org.streamlab.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamlab.kernel.testkit.CellOutcome;
import org.streamlab.kernel.testkit.KernelTestKit;

/** %%flinksql and %flink through the kernel, against the real embedded MiniCluster (one for the class). */
class FlinkSqlTest {
    @TempDir
    static Path workspace;
    static KernelTestKit kit;

    @BeforeAll
    static void start() {
        kit = KernelTestKit.start(workspace);
    }

    @AfterAll
    static void stop() {
        if (kit != null) {
            kit.close();
        }
    }

    @Test
    void batchSelectOverValues() {
        CellOutcome o = kit.execSuccess("""
                %%flinksql --mode batch
                SELECT id, UPPER(name) AS name, id * 10 AS tens
                FROM (VALUES (1, 'ada'), (2, 'bob'), (3, 'cy')) AS t(id, name)
                """);
        String html = o.html();
        assertTrue(html.contains("<th>name</th>"), html);
        assertTrue(html.contains("<td>ADA</td>") && html.contains("<td>BOB</td>") && html.contains("<td>CY</td>"), html);
        assertTrue(html.contains("<td>30</td>"), html);
        assertTrue(o.text().contains("3 rows"), o.text());
    }

    @Test
    void ddlInsertAndSelectThroughFilesystemTable() throws Exception {
        Path dir = Files.createDirectories(workspace.resolve("people"));
        CellOutcome o = kit.execSuccess("""
                %%flinksql --mode batch
                CREATE TABLE people (name STRING, age INT) WITH (
                  'connector' = 'filesystem', 'path' = 'DIR', 'format' = 'json');
                INSERT INTO people VALUES ('ann', 31), ('ben', 25), ('cat', 47);
                SELECT name, age FROM people WHERE age > 30 ORDER BY age
                """.replace("DIR", dir.toUri().toString()));
        assertTrue(o.stdout().contains("OK  CREATE TABLE people"), o.stdout());
        String text = o.text();
        assertTrue(text.contains("ann") && text.contains("cat") && !text.contains("ben"), text);
        assertTrue(text.indexOf("ann") < text.indexOf("cat"), "ordered by age: " + text);
        assertTrue(text.contains("2 rows"), text);
        // the INSERT was a job that finished (batch mode waits for it), shown in place
        assertTrue(o.latestDisplays().stream().anyMatch(d -> String.valueOf(d.getData(
                org.dflib.jjava.jupyter.kernel.display.mime.MIMEType.TEXT_PLAIN)).contains("FINISHED")), o.allText());
        // the table lives in the shared catalog: a later cell in streaming mode sees it
        String again = kit.execSuccess("%%flinksql\nSELECT COUNT(*) AS n FROM people").text();
        assertTrue(again.matches("(?s).*\\b3\\b.*"), again);
    }

    @Test
    void streamingGroupByAppliesChangelogUpdates() {
        CellOutcome o = kit.execSuccess("""
                %%flinksql --mode streaming
                SELECT word, COUNT(*) AS n
                FROM (VALUES ('a'), ('b'), ('a'), ('c'), ('a'), ('b')) AS t(word)
                GROUP BY word
                """);
        String text = o.text();
        assertRow(text, "a", "3");
        assertRow(text, "b", "2");
        assertRow(text, "c", "1");
        assertTrue(text.contains("3 rows"), text);
        // updates happened: more changes than rows (-U/+U pairs applied in place)
        Matcher m = Pattern.compile("(\\d+) rows, (\\d+) changes").matcher(text);
        assertTrue(m.find(), text);
        assertTrue(Integer.parseInt(m.group(2)) > Integer.parseInt(m.group(1)), text);
        assertTrue(text.contains("FINISHED"), text);
    }

    @Test
    void tumblingEventTimeWindowWithWatermarkOverJsonFiles() throws Exception {
        Path dir = Files.createDirectories(workspace.resolve("clicks"));
        Files.writeString(dir.resolve("part-0.json"), """
                {"user_id":"u1","ts":"2024-01-01 10:00:05"}
                {"user_id":"u2","ts":"2024-01-01 10:00:30"}
                {"user_id":"u1","ts":"2024-01-01 10:00:59"}
                {"user_id":"u1","ts":"2024-01-01 10:01:10"}
                {"user_id":"u2","ts":"2024-01-01 10:02:01"}
                {"user_id":"u2","ts":"2024-01-01 10:02:02"}
                """);
        CellOutcome o = kit.execSuccess("""
                %%flinksql
                CREATE TABLE clicks_fs (
                  user_id STRING,
                  ts TIMESTAMP(3),
                  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
                ) WITH ('connector' = 'filesystem', 'path' = 'DIR', 'format' = 'json');
                SELECT window_start, COUNT(*) AS clicks, COUNT(DISTINCT user_id) AS users
                FROM TABLE(TUMBLE(TABLE clicks_fs, DESCRIPTOR(ts), INTERVAL '1' MINUTE))
                GROUP BY window_start, window_end
                """.replace("DIR", dir.toUri().toString()));
        String text = o.text();
        assertRow(text, "2024-01-01 10:00", "3", "2");
        assertRow(text, "2024-01-01 10:01", "1", "1");
        assertRow(text, "2024-01-01 10:02", "2", "1");
        assertTrue(text.contains("3 rows"), text);
    }

    @Test
    void intoBindsATablesawTable() {
        kit.execSuccess("""
                %%flinksql --mode batch --into scores
                SELECT name, score FROM (VALUES ('x', 1.5), ('y', 2.5), ('z', 4.0)) AS t(name, score)
                """);
        assertEquals(3, kit.eval("scores.rowCount()"));
        assertEquals(8.0, (Double) kit.eval("scores.doubleColumn(\"score\").sum()"), 1e-9);
        assertEquals("y", kit.eval("scores.stringColumn(\"name\").get(1)"));
        assertEquals("tech.tablesaw.api.Table", kit.eval("scores.getClass().getName()"));
    }

    @Test
    void timeoutStopsAnUnboundedQueryAndCancelsItsJob() {
        CellOutcome o = kit.execSuccess("""
                %%flinksql --timeout 4
                CREATE TEMPORARY TABLE ticks_t (n BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '5');
                SELECT n FROM ticks_t
                """);
        String text = o.text();
        assertTrue(text.contains("stopped: timeout after 4.0 s"), text);
        assertTrue(text.contains("CANCELED"), text);
        String job = jobId(text);
        assertEquals("CANCELED", stateOf(job));
    }

    @Test
    void maxRowsStopsTheQuery() {
        CellOutcome o = kit.execSuccess("""
                %%flinksql --max-rows 5
                CREATE TEMPORARY TABLE ticks_m (n BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '50');
                SELECT n FROM ticks_m
                """);
        String text = o.text();
        assertTrue(text.contains("5 rows"), text);
        assertTrue(text.contains("reached --max-rows 5"), text);
        assertEquals("CANCELED", stateOf(jobId(text)));
    }

    @Test
    void interruptCancelsTheJob() {
        CellOutcome o = kit.execInterrupted("""
                %%flinksql
                CREATE TEMPORARY TABLE ticks_i (n BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '5');
                SELECT n FROM ticks_i
                """, Duration.ofSeconds(6));
        String all = o.allText();
        Matcher m = Pattern.compile("Flink job ([0-9a-f]{32})").matcher(all);
        assertTrue(m.find(), all);
        assertEquals("CANCELED", stateOf(m.group(1)), all);
        // the kernel is alive and Flink still works
        assertTrue(kit.execSuccess("%%flinksql --mode batch\nSELECT 1 + 1 AS two").text().contains("2"));
    }

    @Test
    void streamingInsertRunsInBackgroundAndShowsInJobs() {
        CellOutcome o = kit.execSuccess("""
                %%flinksql
                CREATE TEMPORARY TABLE src_bg (n BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '1');
                CREATE TEMPORARY TABLE sink_bg (n BIGINT) WITH ('connector' = 'blackhole');
                INSERT INTO sink_bg SELECT n FROM src_bg
                """);
        String shown = o.allText();
        Matcher m = Pattern.compile("Flink job ([0-9a-f]{32})\\s+RUNNING").matcher(shown);
        assertTrue(m.find(), shown);
        String job = m.group(1);
        assertEquals("RUNNING", stateOf(job));
        String cancelled = kit.execSuccess("%flink cancel " + job).text();
        assertTrue(cancelled.contains("CANCELED"), cancelled);
        assertEquals("CANCELED", stateOf(job));
        String again = kit.execSuccess("%flink cancel " + job).text();
        assertTrue(again.contains("already ended"), again);
    }

    @Test
    void checkpointsGoUnderTheWorkspace() throws Exception {
        CellOutcome o = kit.execSuccess("""
                %%flinksql
                SET 'execution.checkpointing.interval' = '500 ms';
                CREATE TEMPORARY TABLE src_cp (n BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '10');
                CREATE TEMPORARY TABLE sink_cp (n BIGINT) WITH ('connector' = 'blackhole');
                INSERT INTO sink_cp SELECT n FROM src_cp
                """);
        String job = jobId(o.allText());
        Path jobDir = workspace.resolve("flink").resolve("checkpoints").resolve(job);
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
        boolean found = false;
        while (!found && System.nanoTime() < deadline) {
            Thread.sleep(250);
            if (Files.isDirectory(jobDir)) {
                try (var s = Files.list(jobDir)) {
                    found = s.anyMatch(p -> p.getFileName().toString().startsWith("chk-"));
                }
            }
        }
        kit.execSuccess("%flink cancel " + job);
        assertTrue(kit.execSuccess("%%flinksql\nSET").text().contains("execution.checkpointing.interval"));
        String reset = kit.execSuccess("%%flinksql\nRESET 'execution.checkpointing.interval'").stdout();
        assertTrue(reset.contains("OK  RESET execution.checkpointing.interval"), reset);
        assertTrue(!kit.execSuccess("%%flinksql\nSET").text().contains("execution.checkpointing.interval"));
        assertTrue(found, "no chk-* under " + jobDir);
    }

    @Test
    void badInputGivesOneClearMessageAndKeepsState() {
        kit.execSuccess("%%flinksql\nCREATE TEMPORARY VIEW kept AS SELECT * FROM (VALUES (7)) AS t(x)");

        String syntax = kit.execError("%%flinksql\nSELECT a,\n  FROM nowhere").errorMessage();
        assertTrue(syntax.contains("line 2, column 3"), syntax);
        assertTrue(syntax.contains("SQL parse failed") && syntax.contains("'FROM'"), syntax);

        String multi = kit.execError("%%flinksql\nSELECT 1;\nSELECT * FROM no_such_table").errorMessage();
        assertTrue(multi.contains("statement 2 of 2"), multi);
        assertTrue(multi.contains("no_such_table") && multi.contains("not found"), multi);
        assertTrue(multi.contains("line 2, column 15"), multi);

        String sub = kit.execError("%flink frobnicate").errorMessage();
        assertTrue(sub.contains("unknown subcommand 'frobnicate'"), sub);

        String opt = kit.execError("%%flinksql --colour red\nSELECT 1").errorMessage();
        assertTrue(opt.contains("unknown option --colour"), opt);
        String mode = kit.execError("%%flinksql --mode sideways\nSELECT 1").errorMessage();
        assertTrue(mode.contains("--mode must be one of streaming|batch"), mode);
        String rows = kit.execError("%%flinksql --max-rows many\nSELECT 1").errorMessage();
        assertTrue(rows.contains("--max-rows expects a whole number"), rows);

        String unknownJob = kit.execError("%flink cancel 0123456789abcdef0123456789abcdef").errorMessage();
        assertTrue(unknownJob.contains("no job with id 0123456789abcdef0123456789abcdef"), unknownJob);
        String notAnId = kit.execError("%flink cancel job-42").errorMessage();
        assertTrue(notAnId.contains("not a Flink job id"), notAnId);

        String connector = kit.execError("""
                %%flinksql
                CREATE TEMPORARY TABLE bad_conn (x INT) WITH ('connector' = 'kafkaa');
                SELECT * FROM bad_conn
                """).errorMessage();
        assertTrue(connector.contains("kafkaa") && connector.contains("datagen"), connector);

        String runtime = kit.execError("""
                %%flinksql --mode batch
                CREATE TEMPORARY TABLE gen_rt (a INT) WITH ('connector' = 'datagen', 'number-of-rows' = '3');
                SELECT CAST(CAST(a AS STRING) || 'x' AS INT) AS broken FROM gen_rt
                """).errorMessage();
        assertTrue(runtime.matches("(?s).*Flink job [0-9a-f]{32} failed: .*x.*"), runtime);

        String empty = kit.execError("%%flinksql\n  -- nothing here\n").errorMessage();
        assertTrue(empty.contains("no SQL"), empty);

        // the kernel and Flink's catalog survived all of it
        assertTrue(kit.execSuccess("%%flinksql\nSELECT x * 6 AS y FROM kept").text().contains("42"));
    }

    @Test
    void placeholderWithoutKafkaIsAClearError() {
        String prior = System.getProperty("streamlab.kafka.bootstrap");
        System.clearProperty("streamlab.kafka.bootstrap");
        try {
            String m = kit.execError("%%flinksql\nCREATE TEMPORARY TABLE k (x INT) WITH ('connector'='kafka', "
                    + "'properties.bootstrap.servers'='${kafka.bootstrap}', 'topic'='t', 'format'='json')").errorMessage();
            assertTrue(m.contains("${kafka.bootstrap} is not known yet"), m);
        } finally {
            if (prior != null) {
                System.setProperty("streamlab.kafka.bootstrap", prior);
            }
        }
    }

    @Test
    void usageIsComplete() {
        String help = kit.execSuccess("%help flinksql").allText();
        for (String s : new String[] {"--mode streaming|batch", "--max-rows N", "--timeout S", "--into VAR"}) {
            assertTrue(help.contains(s), help);
        }
        String jobsHelp = kit.execSuccess("%help flink").allText();
        assertTrue(jobsHelp.contains("%flink jobs") && jobsHelp.contains("%flink cancel JOB_ID"), jobsHelp);
    }

    static String jobId(String text) {
        Matcher m = Pattern.compile("Flink job ([0-9a-f]{32})").matcher(text);
        assertTrue(m.find(), text);
        return m.group(1);
    }

    /** The job's state as %flink jobs shows it. */
    static String stateOf(String jobId) {
        String jobs = kit.execSuccess("%flink jobs").text();
        for (String line : jobs.split("\n")) {
            if (line.startsWith(jobId)) {
                return line.split("\\|")[2].strip();
            }
        }
        throw new AssertionError("job " + jobId + " not in %flink jobs:\n" + jobs);
    }

    /** A line of the text table holding these cells in this order. */
    static void assertRow(String text, String... cells) {
        for (String line : text.split("\n")) {
            String[] parts = line.split("\\|");
            if (parts.length < cells.length) {
                continue;
            }
            boolean match = true;
            for (int i = 0; i < cells.length; i++) {
                if (!parts[i].strip().startsWith(cells[i])) {
                    match = false;
                    break;
                }
            }
            if (match) {
                return;
            }
        }
        throw new AssertionError("no row " + String.join(" | ", cells) + " in:\n" + text);
    }
}
