package org.streamlab.pipelines.delta;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.connector.sink2.Committer.CommitRequest;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.streamlab.flink.Flink;
import org.streamlab.kernel.UserError;
import org.streamlab.kernel.testkit.KernelTestKit;
import org.streamlab.spark.Spark;

/**
 * DeltaSink and DeltaTableReader against the real engines of one test kernel: the Flink MiniCluster writes through
 * Delta Kernel, Spark local (with Delta) reads the same files in the same JVM, and tables made by %%sparksql are read
 * back with Kernel.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DeltaSinkTest {
    @TempDir
    static Path workspace;

    private KernelTestKit kit;
    private long lap = System.nanoTime();

    /** Where the time goes (printed, never asserted: the machine is shared). */
    private void lap(String what) {
        long now = System.nanoTime();
        System.out.printf("delta test: %-60s %6.1f s%n", what, (now - lap) / 1e9);
        lap = now;
    }

    static final DeltaColumn[] COLUMNS = {
            DeltaColumn.required("id", DeltaType.LONG), DeltaColumn.of("name", DeltaType.STRING),
            DeltaColumn.of("n", DeltaType.INT), DeltaColumn.of("score", DeltaType.DOUBLE),
            DeltaColumn.of("flag", DeltaType.BOOLEAN), DeltaColumn.of("ts", DeltaType.TIMESTAMP)};
    static final long T0 = Instant.parse("2026-03-01T10:00:00Z").toEpochMilli();

    /** The row of element i: every type, a null name every 7th row, timestamps given as Instant or epoch millis. */
    static Object[] row(Long i) {
        Object ts = i % 2 == 0 ? Instant.ofEpochMilli(T0 + i * 1_001) : (Object) (T0 + i * 1_001);
        return new Object[] {i, i % 7 == 0 ? null : "name-" + i + "-é", (int) (i * 3), i / 4.0, i % 3 == 0, ts};
    }

    @BeforeAll
    void startKernel() {
        kit = KernelTestKit.start(workspace);
        lap("kernel started");
    }

    @AfterAll
    void stopKernel() {
        if (kit != null) {
            kit.close();
        }
    }

    private static DeltaSink<Long> sink(Path table, String app) {
        return DeltaSink.<Long>builder().tablePath(table).columns(COLUMNS).rowMapper(DeltaSinkTest::row).applicationId(app).build();
    }

    @Test
    @Order(1)
    void boundedJobWritesEveryRowOnceAndKernelAndSparkReadThemBack() throws Exception {
        int n = 400;
        Path table = workspace.resolve("delta/bounded");
        StreamExecutionEnvironment env = Flink.newEnv();
        env.setParallelism(2);   // two writers, one committer transaction
        env.fromSequence(0, n - 1).sinkTo(sink(table, "bounded-test")).uid("delta-sink");
        env.execute("delta bounded");
        lap("bounded job, 400 rows, parallelism 2");

        List<Map<String, Object>> read = DeltaTableReader.readAll(table.toString());
        assertEquals(n, read.size());
        Map<Long, Map<String, Object>> byId = new TreeMap<>();
        read.forEach(r -> byId.put((Long) r.get("id"), r));
        assertEquals(n, byId.size(), "each id once");
        for (long i = 0; i < n; i++) {
            Map<String, Object> r = byId.get(i);
            assertEquals(List.of("id", "name", "n", "score", "flag", "ts"), List.copyOf(r.keySet()));
            assertEquals(i % 7 == 0 ? null : "name-" + i + "-é", r.get("name"));
            assertEquals((int) (i * 3), r.get("n"));
            assertEquals(i / 4.0, r.get("score"));
            assertEquals(i % 3 == 0, r.get("flag"));
            assertEquals(Instant.ofEpochMilli(T0 + i * 1_001), r.get("ts"));
        }
        assertEquals(0, DeltaTableReader.version(table.toString()), "one commit: the table created with every row");
        // no checkpoint ran: Flink 2 gives the end-of-input rows the id the next checkpoint would have had
        assertEquals(1, DeltaTableReader.lastTransaction(table.toString(), "bounded-test").getAsLong());

        lap("DeltaTableReader checks");
        SparkSession spark = Spark.session();
        lap("Spark session");
        var df = spark.read().format("delta").load(table.toString());
        assertEquals("StructType(StructField(id,LongType,false),StructField(name,StringType,true),StructField(n,IntegerType,true),"
                + "StructField(score,DoubleType,true),StructField(flag,BooleanType,true),StructField(ts,TimestampType,true))",
                df.schema().toString());
        List<Row> rows = df.orderBy("id").collectAsList();
        assertEquals(n, rows.size());
        for (Row r : rows) {
            long i = r.getLong(0);
            assertEquals(i % 7 == 0 ? null : "name-" + i + "-é", r.getString(1));
            assertEquals((int) (i * 3), r.getInt(2));
            assertEquals(i / 4.0, r.getDouble(3));
            assertEquals(i % 3 == 0, r.getBoolean(4));
            assertEquals(Instant.ofEpochMilli(T0 + i * 1_001), r.getTimestamp(5).toInstant());
        }

        lap("Spark reads the sink's table");
        // the same application started afresh (not restored) would have its commits skipped as repeats: refused
        StreamExecutionEnvironment again = Flink.newEnv();
        again.setParallelism(1);
        Configuration noRestarts = new Configuration();
        noRestarts.setString("restart-strategy.type", "none");
        again.configure(noRestarts);
        again.fromSequence(0, 9).sinkTo(sink(table, "bounded-test"));
        Exception e = assertThrows(Exception.class, () -> again.execute("delta bounded, again"));
        assertTrue(causes(e).contains("already holds the commits of application 'bounded-test'"), causes(e));
        assertEquals(n, DeltaTableReader.readAll(table.toString()).size(), "nothing added by the refused run");
        lap("refused rerun");
    }

    private static String causes(Throwable e) {
        StringBuilder s = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            s.append(t.getMessage()).append(" | ");
        }
        return s.toString();
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** The id of the job's latest completed checkpoint (Flink's REST API), or -1. */
    private static long latestCheckpoint(JobClient job) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(Flink.restUrl() + "/jobs/" + job.getJobID() + "/checkpoints")).build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode completed = JSON.readTree(r.body()).path("latest").path("completed");
        return completed.isMissingNode() || completed.isNull() ? -1 : completed.path("id").asLong();
    }

    private static StreamExecutionEnvironment checkpointedEnv() {
        StreamExecutionEnvironment env = Flink.newEnv();
        env.setParallelism(1);
        env.enableCheckpointing(200);
        env.getCheckpointConfig().setExternalizedCheckpointRetention(ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        Configuration noRestarts = new Configuration();
        noRestarts.setString("restart-strategy.type", "none");
        env.configure(noRestarts);
        return env;
    }

    /** 2 ms per element: the job runs long enough to be cancelled between checkpoints. */
    private static void slowJob(StreamExecutionEnvironment env, int n, Path table) {
        env.fromSequence(0, n - 1).uid("numbers")
                .map(i -> {
                    Thread.sleep(2);
                    return i;
                }).uid("slow")
                .sinkTo(sink(table, "restore-test")).uid("delta-sink");
    }

    @Test
    @Order(2)
    void cancelledMidStreamAndRestoredFromItsCheckpointEachRowIsInTheTableOnce() throws Exception {
        int n = 1_500;
        Path table = workspace.resolve("delta/restored");
        StreamExecutionEnvironment first = checkpointedEnv();
        slowJob(first, n, table);
        JobClient job = first.executeAsync("delta, cancelled mid-stream");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (latestCheckpoint(job) < 2) {
            assertFalse(job.getJobStatus().get().isGloballyTerminalState(), "the job ended before 2 checkpoints: " + job.getJobStatus().get());
            assertTrue(System.nanoTime() < deadline, "no 2 completed checkpoints in 90 s");
            Thread.sleep(50);
        }
        job.cancel().get(60, TimeUnit.SECONDS);
        while (job.getJobStatus().get(60, TimeUnit.SECONDS) == JobStatus.CANCELLING && System.nanoTime() < deadline + TimeUnit.SECONDS.toNanos(60)) {
            Thread.sleep(50);
        }
        assertEquals(JobStatus.CANCELED, job.getJobStatus().get(60, TimeUnit.SECONDS));
        lap("first run, cancelled after checkpoint 2");
        long beforeRestore = DeltaTables.latest(table.toString()).isPresent() ? DeltaTableReader.readAll(table.toString()).size() : 0;
        assertTrue(beforeRestore < n, "cancelled mid-stream: " + beforeRestore + " of " + n + " rows committed");

        Path checkpoints = workspace.resolve("flink/checkpoints").resolve(job.getJobID().toString());
        Path retained;
        try (Stream<Path> dirs = Files.list(checkpoints)) {
            retained = dirs.filter(d -> d.getFileName().toString().startsWith("chk-") && Files.exists(d.resolve("_metadata")))
                    .max(Comparator.comparingLong(d -> Long.parseLong(d.getFileName().toString().substring(4))))
                    .orElseThrow();
        }
        StreamExecutionEnvironment second = checkpointedEnv();
        Configuration restore = new Configuration();
        restore.set(StateRecoveryOptions.SAVEPOINT_PATH, retained.toUri().toString());
        second.configure(restore);
        slowJob(second, n, table);
        second.execute("delta, restored");
        lap("restored run to the end");

        List<Map<String, Object>> rows = DeltaTableReader.readAll(table.toString());
        Set<Long> ids = rows.stream().map(r -> (Long) r.get("id")).collect(Collectors.toSet());
        System.out.println("delta restore: " + beforeRestore + " rows committed before the cancel, restored from " + retained.getFileName()
                + ", " + rows.size() + " rows after, table version " + DeltaTableReader.version(table.toString()));
        assertEquals(n, rows.size(), "count: no row lost or doubled (" + beforeRestore + " before the restore)");
        assertEquals(LongStream.range(0, n).boxed().collect(Collectors.toSet()), ids, "each id exactly once");
        assertEquals(n, Spark.sql("SELECT count(*), count(DISTINCT id) FROM delta.`" + table + "`").collectAsList().stream()
                .filter(r -> r.getLong(0) == r.getLong(1)).mapToLong(r -> r.getLong(0)).sum(), "Spark: count == distinct count");
    }

    /** A commit request as the committer operator hands it over; records what the committer signalled. */
    private static final class Request implements CommitRequest<DeltaCommittable> {
        final DeltaCommittable committable;
        boolean alreadyCommitted;

        Request(DeltaCommittable committable) { this.committable = committable; }

        @Override public DeltaCommittable getCommittable() { return committable; }
        @Override public int getNumberOfRetries() { return 0; }
        @Override public void signalFailedWithKnownReason(Throwable t) { throw new AssertionError(t); }
        @Override public void signalFailedWithUnknownReason(Throwable t) { throw new AssertionError(t); }
        @Override public void retryLater() { throw new AssertionError("retryLater"); }
        @Override public void updateAndRetryLater(DeltaCommittable c) { throw new AssertionError("updateAndRetryLater"); }
        @Override public void signalAlreadyCommitted() { alreadyCommitted = true; }
    }

    private static List<Object[]> rows(long from, long to) {
        List<Object[]> out = new ArrayList<>();
        for (long i = from; i < to; i++) {
            out.add(DeltaSinkWriter.normalize(List.of(COLUMNS), row(i), i));
        }
        return out;
    }

    @Test
    @Order(3)
    void aCheckpointCommittedTwiceLeavesOneCopy() throws Exception {
        String table = workspace.resolve("delta/retried").toString();
        DeltaCommitter committer = new DeltaCommitter(table, List.of(COLUMNS), "retry-test");
        DeltaCommittableSerializer serializer = new DeltaCommittableSerializer(List.of(COLUMNS));
        DeltaCommittable five = new DeltaCommittable(5, rows(0, 50));
        // the second request is the committable as a restored committer gets it back from its checkpoint
        DeltaCommittable fiveRestored = serializer.deserialize(1, serializer.serialize(five));
        Request first = new Request(five);
        committer.commit(List.<CommitRequest<DeltaCommittable>>of(first));
        Request retry = new Request(fiveRestored);
        committer.commit(List.<CommitRequest<DeltaCommittable>>of(retry));
        assertFalse(first.alreadyCommitted);
        assertTrue(retry.alreadyCommitted, "the repeat of checkpoint 5 is reported as already committed");
        assertEquals(DeltaCommitter.Outcome.ALREADY_COMMITTED, committer.commit(3, rows(100, 110)), "an older checkpoint is a repeat too");
        assertEquals(DeltaCommitter.Outcome.COMMITTED, committer.commit(6, rows(50, 60)));
        List<Map<String, Object>> read = DeltaTableReader.readAll(table);
        assertEquals(60, read.size());
        assertEquals(LongStream.range(0, 60).boxed().collect(Collectors.toSet()), read.stream().map(r -> (Long) r.get("id")).collect(Collectors.toSet()));
        assertEquals(1, DeltaTableReader.version(table), "version 0 holds checkpoint 5, version 1 checkpoint 6, nothing else");
        assertEquals(6, DeltaTableReader.lastTransaction(table, "retry-test").getAsLong());
        assertEquals(Instant.ofEpochMilli(T0 + 7 * 1_001), read.stream().filter(r -> r.get("id").equals(7L)).findFirst().orElseThrow().get("ts"));
    }

    @Test
    @Order(4)
    void tablesMadeBySparkSqlAreReadByKernelWithDeletionVectorsAndColumnMapping() throws Exception {
        // as the notebook's learner creates the lookup table: %%sparksql, in Spark's warehouse
        kit.execSuccess("""
                %%sparksql
                CREATE TABLE users (user_id STRING, name STRING, age INT, vip BOOLEAN, joined TIMESTAMP) USING delta;
                INSERT INTO users VALUES ('u1', 'Ada', 36, true, TIMESTAMP '2026-01-02 03:04:05.123456'),
                  ('u2', 'Bo', 23, false, TIMESTAMP '2026-01-03 00:00:00'), ('u3', NULL, NULL, NULL, NULL);
                """);
        lap("%%sparksql CREATE TABLE users + INSERT");
        Path warehouseTable = workspace.resolve("spark").resolve("warehouse").resolve("users");
        assertEquals(warehouseTable, Path.of(URI.create(Spark.sql("DESCRIBE DETAIL users").first().getAs("location").toString())),
                "%%sparksql tables live in workspace/spark/warehouse/<name>");
        List<Map<String, Object>> users = DeltaTableReader.readAll(warehouseTable.toString());
        Map<String, Map<String, Object>> byId = users.stream().collect(Collectors.toMap(u -> (String) u.get("user_id"), u -> u));
        assertEquals(3, users.size());
        assertEquals(Map.of("user_id", "u1", "name", "Ada", "age", 36, "vip", true, "joined", Instant.parse("2026-01-02T03:04:05.123456Z")),
                byId.get("u1"));
        assertEquals(Map.of("user_id", "u2", "name", "Bo", "age", 23, "vip", false, "joined", Instant.parse("2026-01-03T00:00:00Z")),
                byId.get("u2"));
        assertNull(byId.get("u3").get("name"));
        String protocol = Files.readAllLines(warehouseTable.resolve("_delta_log/00000000000000000000.json")).stream()
                .filter(l -> l.contains("\"protocol\"")).findFirst().orElseThrow();
        System.out.println("Spark 4.0.1 CREATE TABLE ... USING delta: " + protocol);

        // the features a learner may switch on: deletion vectors (a DELETE marks rows) and column mapping (Parquet
        // columns named by ids, the table's names in the log)
        Path located = workspace.resolve("delta/spark-located");
        kit.execSuccess("%%sparksql\nCREATE TABLE events_dv (id BIGINT, kind STRING, at TIMESTAMP) USING delta LOCATION '" + located + "'\n"
                + "TBLPROPERTIES ('delta.enableDeletionVectors' = 'true', 'delta.columnMapping.mode' = 'name');\n"
                + "INSERT INTO events_dv SELECT id, CASE WHEN id % 2 = 0 THEN 'even' ELSE 'odd' END, TIMESTAMP '2026-01-01 00:00:00' + make_interval(0, 0, 0, 0, 0, 0, id) FROM range(100);\n"
                + "DELETE FROM events_dv WHERE id % 10 = 3;\n");
        lap("%%sparksql table with deletion vectors and column mapping: INSERT, DELETE");
        String deleteCommit = Files.readString(located.resolve("_delta_log/00000000000000000002.json"));
        assertTrue(deleteCommit.contains("deletionVector"), "the DELETE wrote a deletion vector, not a new file: " + deleteCommit);
        List<Map<String, Object>> events = DeltaTableReader.readAll(located.toString());
        assertEquals(90, events.size());
        assertTrue(events.stream().noneMatch(e -> (Long) e.get("id") % 10 == 3), "deleted rows are gone");
        Map<String, Object> e42 = events.stream().filter(e -> e.get("id").equals(42L)).findFirst().orElseThrow();
        assertEquals(Map.of("id", 42L, "kind", "even", "at", Instant.parse("2026-01-01T00:00:42Z")), e42);
        assertEquals(2, DeltaTableReader.version(located.toString()), "create, insert, delete");
        String metadata = Files.readString(located.resolve("_delta_log/00000000000000000000.json"));
        assertTrue(metadata.contains("delta.columnMapping.physicalName"), "Parquet columns have physical names: " + metadata);
    }

    @Test
    @Order(5)
    void aMissingTableAndAnotherSchemaAreReadableErrors() throws Exception {
        Path missing = workspace.resolve("delta/no-such-table");
        UserError noTable = assertThrows(UserError.class, () -> DeltaTableReader.readAll(missing.toString()));
        assertTrue(noTable.getMessage().contains(missing.toString()), noTable.getMessage());
        assertTrue(noTable.hint().contains("%%sparksql CREATE TABLE"), noTable.hint());
        Path plainFolder = Files.createDirectories(workspace.resolve("delta/plain-folder"));
        Files.writeString(plainFolder.resolve("data.csv"), "a,b\n");
        try {
            long v = DeltaTableReader.version(plainFolder.toString());
            throw new AssertionError("a folder without _delta_log is no table, got version " + v + "; _delta_log: "
                    + Files.exists(plainFolder.resolve("_delta_log")) + ", " + Files.list(plainFolder).toList());
        } catch (UserError expected) {
            assertTrue(expected.getMessage().contains(plainFolder.toString()), expected.getMessage());
        }

        // the sink against the users table made by Spark: other columns
        Path users = workspace.resolve("spark").resolve("warehouse").resolve("users");
        UserError mismatch = assertThrows(UserError.class, () -> sink(users, "mismatch"));
        assertTrue(mismatch.getMessage().contains("has columns (user_id string, name string, age integer, vip boolean, joined timestamp)"),
                mismatch.getMessage());
        assertTrue(mismatch.getMessage().contains("the sink writes (id bigint NOT NULL, name string"), mismatch.getMessage());
        assertEquals(3, DeltaTableReader.readAll(users.toString()).size(), "the table is untouched");

        // a row that does not fit the columns names the column
        IllegalArgumentException badRow = assertThrows(IllegalArgumentException.class,
                () -> DeltaSinkWriter.normalize(List.of(COLUMNS), new Object[] {1L, "x", "three", 1.0, true, 0L}, "element-1"));
        assertTrue(badRow.getMessage().startsWith("column 'n' is INT: it takes an Integer, the row mapper gave String three"), badRow.getMessage());
        IllegalArgumentException nullId = assertThrows(IllegalArgumentException.class,
                () -> DeltaSinkWriter.normalize(List.of(COLUMNS), new Object[] {null, "x", 3, 1.0, true, 0L}, "element-2"));
        assertTrue(nullId.getMessage().contains("'id' is NOT NULL"), nullId.getMessage());
    }
}
