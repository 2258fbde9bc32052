package org.streamlab.pipelines.sentiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.streamlab.clickhouse.ClickHouse;
import org.streamlab.flink.Flink;
import org.streamlab.kafka.Kafka;
import org.streamlab.kernel.UserError;
import org.streamlab.kernel.testkit.KernelTestKit;
import org.streamlab.pipelines.BadEventReason;
import org.streamlab.pipelines.ClickHouseSinkConfig;
import org.streamlab.pipelines.DeadLetterTopic;
import org.streamlab.pipelines.JobControl;
import org.streamlab.pipelines.delta.DeltaTableReader;
import org.streamlab.sentiment.LabelledSentence;
import org.streamlab.sentiment.SentenceEncoder;
import org.streamlab.sentiment.SentimentData;
import org.streamlab.sentiment.SentimentHead;
import org.streamlab.sentiment.TrainingOptions;
import org.streamlab.sentiment.registry.MlflowServer;
import org.streamlab.sentiment.registry.ModelRegistry;

/**
 * The sentiment pipeline against the real embedded services of a test kernel: Kafka, the Flink MiniCluster, Spark
 * with Delta (the users table), a clickhouse-server process, and the real encoder. One kernel and one trained head
 * for all tests. The champion test also starts a real MLflow server (the venv ./streamlab setup makes, .venv-mlflow).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SentimentPipelineTest {
    private static final double THRESHOLD = 0.8;
    private static final int USERS_IN_TABLE = 30;

    @TempDir
    static Path workspace;

    private KernelTestKit kit;
    private SentimentHead head;
    private List<LabelledSentence> sentences;
    private String usersTable;

    /** The enricher a learner writes: the profile's fields, or "unknown" defaults. */
    static final UserEnricher ENRICHER = (review, users) -> {
        UserProfile p = users.get(review.userId());
        return p == null ? EnrichedReview.of(review, "unknown", "unknown", false) : EnrichedReview.of(review, p.segment(), p.country(), true);
    };

    @BeforeAll
    void start() throws Exception {
        kit = KernelTestKit.start(workspace);
        sentences = SentimentData.load(Path.of("../datasets/sentiment/sentences.csv"));
        List<LabelledSentence> train = sentences.subList(0, 600);
        try (SentenceEncoder encoder = SentenceEncoder.open()) {
            float[][] x = encoder.embed(train.stream().map(LabelledSentence::text).toList());
            head = SentimentHead.train(x, train.stream().mapToInt(LabelledSentence::label).toArray(), TrainingOptions.defaults());
        }
        StringBuilder insert = new StringBuilder("INSERT INTO users VALUES ");
        for (int u = 0; u < USERS_IN_TABLE; u++) {
            insert.append(u == 0 ? "" : ", ").append("('u-").append(u).append("', '").append(u % 3 == 0 ? "gold" : "basic").append("', 'NL')");
        }
        kit.execSuccess("%%sparksql\nCREATE OR REPLACE TABLE users (user_id STRING, segment STRING, country STRING) USING delta;\n" + insert);
        usersTable = (String) kit.eval("org.streamlab.spark.Spark.sql(\"DESCRIBE DETAIL users\").first().getAs(\"location\").toString()");
    }

    @AfterAll
    void stop() {
        if (kit != null) {
            kit.close();
        }
    }

    /** Reviews r-0..r-(n-1) by users u-0..u-39 (u-30 and above are not in the users table), as JSON. */
    private List<String> reviews(int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String text = sentences.get(600 + i % 2000).text().replace("\\", "\\\\").replace("\"", "\\\"");
            out.add("{\"eventId\":\"r-" + i + "\",\"userId\":\"u-" + (i % 40) + "\",\"productId\":\"p-" + (i % 7)
                    + "\",\"text\":\"" + text + "\",\"eventTime\":" + (1_704_067_200_000L + i * 1000L) + "}");
        }
        return out;
    }

    private static void createTopic(String topic, int partitions) throws Exception {
        try (Admin admin = Kafka.admin()) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
    }

    private static void produce(String topic, List<byte[]> values) throws Exception {
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of("bootstrap.servers", Kafka.bootstrapServers()),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            for (byte[] v : values) {
                p.send(new ProducerRecord<>(topic, v)).get();
            }
        }
    }

    private static List<byte[]> utf8(List<String> values) {
        return values.stream().map(v -> v.getBytes(StandardCharsets.UTF_8)).toList();
    }

    private ClickHouseSinkConfig alertsTable(String name) {
        ClickHouse.execute("CREATE TABLE IF NOT EXISTS " + name + " (event_id String, user_id String, product_id String, segment String,"
                + " sentiment Float64, text String, event_time DateTime('UTC'), scored_at DateTime('UTC'))"
                + " ENGINE = ReplacingMergeTree ORDER BY event_id");
        return ClickHouseSinkConfig.builder().server(ClickHouse.endpoint()).table(name).batchSize(200).build();
    }

    private SentimentPipelineConfig.Builder pipeline(String topic, String alerts, String history) {
        return SentimentPipelineConfig.builder().bootstrapServers(Kafka.bootstrapServers()).inputTopic(topic).groupId(topic + "-group")
                .head(head).usersTable(usersTable).enricher(ENRICHER).alerts(alertsTable(alerts)).alertThreshold(THRESHOLD)
                .historyTable(workspace.resolve(history).toString());
    }

    /** event id -> sentiment, from the Delta history; fails on a duplicate. */
    private static Map<String, Double> history(String path) {
        Map<String, Double> byId = new HashMap<>();
        for (Map<String, Object> row : DeltaTableReader.readAll(path)) {
            Object previous = byId.put((String) row.get("event_id"), (Double) row.get("sentiment"));
            assertEquals(null, previous, "event " + row.get("event_id") + " is twice in the history");
        }
        return byId;
    }

    /** Event ids in the alerts table after a forced merge, with a failure on a duplicate row. */
    private static Set<String> alerts(String table) {
        ClickHouse.execute("OPTIMIZE TABLE " + table + " FINAL");
        Set<String> ids = new HashSet<>();
        for (String id : ClickHouse.query("SELECT event_id FROM " + table).stringColumn("event_id")) {
            assertTrue(ids.add(id), "alert " + id + " is twice in " + table);
        }
        return ids;
    }

    private static Set<String> expectedAlerts(Map<String, Double> history) {
        Set<String> out = new HashSet<>();
        history.forEach((id, s) -> { if (Math.abs(s) >= THRESHOLD) out.add(id); });
        return out;
    }

    @Test
    void boundedRunScoresEnrichesAlertsAndRoutesBadRecords() throws Exception {
        createTopic("reviews-bounded", 2);
        List<byte[]> values = new ArrayList<>(utf8(reviews(200)));
        values.add("{\"eventId\":\"bad-1\",\"userId\":\"u-1\",\"text\":\"   \",\"eventTime\":1}".getBytes(StandardCharsets.UTF_8));
        values.add("not json".getBytes(StandardCharsets.UTF_8));
        values.add("{\"eventId\":\"bad-2\",\"text\":\"no user\",\"eventTime\":1}".getBytes(StandardCharsets.UTF_8));
        byte[] latin1 = "{\"eventId\":\"bad-3\",\"userId\":\"u-1\",\"text\":\"caf\u00e9\",\"eventTime\":1}".getBytes(StandardCharsets.ISO_8859_1);
        values.add(latin1);
        String huge = "This is wonderful. ".repeat(100_000 / 19 + 1);
        values.add(("{\"eventId\":\"long-1\",\"userId\":\"u-2\",\"text\":\"" + huge + "\",\"eventTime\":1}").getBytes(StandardCharsets.UTF_8));
        produce("reviews-bounded", values);

        SentimentPipeline job = new SentimentPipeline(pipeline("reviews-bounded", "alerts_bounded", "history-bounded").bounded(true).build());
        SentimentPipelineResult r = job.run(Flink.newEnv());

        assertEquals(201, r.reviewsParsed(), r.toString());
        assertEquals(201, r.reviewsScored(), r.toString());
        assertEquals(1, r.truncated(), r.toString());
        assertTrue(r.batches() < 201, "reviews are scored in batches: " + r);
        Map<BadEventReason, Long> reasons = r.deadLetters();
        assertEquals(1L, reasons.get(BadEventReason.EMPTY_TEXT));
        assertEquals(1L, reasons.get(BadEventReason.MALFORMED_JSON));
        assertEquals(1L, reasons.get(BadEventReason.MISSING_FIELD));
        assertEquals(1L, reasons.get(BadEventReason.INVALID_ENCODING));
        assertEquals(reasons, DeadLetterTopic.countByReason(Kafka.bootstrapServers(), "reviews-bounded-dead-letters"));

        Map<String, Double> history = history(workspace.resolve("history-bounded").toString());
        assertEquals(201, history.size());
        assertTrue(history.containsKey("long-1"));
        assertTrue(history.get("long-1") > 0.5, "a long run of 'This is wonderful.' is positive: " + history.get("long-1"));
        long unknown = 200 / 40 * 10;  // u-30..u-39 of every 40 reviews
        assertEquals(unknown, r.unknownUsers());
        Set<String> alerts = alerts("alerts_bounded");
        assertEquals(expectedAlerts(history), alerts);
        assertEquals(alerts.size(), r.alerts());
        assertFalse(alerts.isEmpty(), "some of 200 review sentences are strongly positive or negative");
        // enrichment: a gold user and an unknown one, read back through Spark
        kit.execSuccess("var enriched = org.streamlab.spark.Spark.sql(\"SELECT user_id, segment, known_user FROM delta.`"
                + workspace.resolve("history-bounded") + "` WHERE event_id IN ('r-3', 'r-33')\").collectAsList()");
        String rows = String.valueOf(kit.eval("enriched.toString()"));
        assertTrue(rows.contains("[u-3,gold,true]"), rows);
        assertTrue(rows.contains("[u-33,unknown,false]"), rows);
    }

    @Test
    void cancelledMidStreamAndRestoredScoresEveryReviewExactlyOnce() throws Exception {
        // enough reviews for the job to be mid-stream when the cancel lands: with 1,500 a quiet machine scored and
        // committed them all first (in micro-batches of 32 too), and the test failed "1500 of 1500 in the history"
        int n = 6_000;
        createTopic("reviews-restore", 3);
        produce("reviews-restore", utf8(reviews(n)));
        // micro-batches of 32 (not the default 256): the slower scorer keeps the job mid-stream for longer
        SentimentPipelineConfig config = pipeline("reviews-restore", "alerts_restore", "history-restore").bounded(false)
                .batching(32, Duration.ofMillis(50)).build();
        String history = config.historyTable();

        JobControl.forgetGroup(Kafka.bootstrapServers(), config.groupId());
        JobClient first = new SentimentPipeline(config).start(checkpointed(null));
        JobControl.Checkpoint seen;
        try {
            JobControl.awaitWhileRunning(first, "a checkpoint covering 10 % of the topic", Duration.ofSeconds(180),
                    () -> JobControl.latestCheckpoint(Flink.restUrl(), first).isPresent()
                            && JobControl.consumed(Kafka.bootstrapServers(), config.groupId()) >= n / 10);
            seen = JobControl.latestCheckpoint(Flink.restUrl(), first).orElseThrow();
        } catch (Exception | Error e) {
            first.cancel();
            throw e;
        }
        JobControl.Checkpoint retained = JobControl.cancelAndFindRetainedCheckpoint(first, seen, Duration.ofSeconds(60));
        int committedBeforeRestore = DeltaTableReader.readAll(history).size();
        assertTrue(committedBeforeRestore < n, "cancelled mid-stream: " + committedBeforeRestore + " of " + n + " in the history");

        JobClient restored = new SentimentPipeline(config).start(checkpointed(retained.path()));
        JobControl.stopWhenConsumed(restored, Kafka.bootstrapServers(), config.inputTopic(), config.groupId(), Duration.ofSeconds(300));
        SentimentPipelineResult r = SentimentPipeline.resultOf(restored);
        assertTrue(r.reviewsScored() < n, "the restored run resumed at the checkpoint's offsets, it scored " + r.reviewsScored());

        Map<String, Double> byId = history(history);
        assertEquals(n, byId.size(), "every review exactly once in the history");
        for (int i = 0; i < n; i++) {
            assertTrue(byId.containsKey("r-" + i), "r-" + i + " missing from the history");
        }
        assertEquals(expectedAlerts(byId), alerts("alerts_restore"), "alerts: exactly the strongly scored reviews, once each");
    }

    @Test
    void missingUsersTableOrAlertsTableIsAReadableErrorBeforeSubmitting() throws Exception {
        createTopic("reviews-misconfigured", 1);
        UserError noUsers = assertThrows(UserError.class, () -> new SentimentPipeline(pipeline("reviews-misconfigured", "alerts_x", "h-x")
                .usersTable(workspace.resolve("no-such-table").toString()).bounded(true).build()).prepare());
        assertTrue(noUsers.getMessage().contains("no-such-table"), noUsers.getMessage());
        ClickHouseSinkConfig missing = ClickHouseSinkConfig.builder().server(ClickHouse.endpoint()).table("no_such_alerts").build();
        UserError noAlerts = assertThrows(UserError.class, () -> new SentimentPipeline(pipeline("reviews-misconfigured", "alerts_x", "h-x")
                .alerts(missing).bounded(true).build()).prepare());
        assertTrue(noAlerts.getMessage().contains("no_such_alerts"), noAlerts.getMessage());
    }

    @Test
    void runningJobFollowsTheChampionAliasWhenItMoves(@TempDir Path mlflowDir) throws Exception {
        String model = "pipeline-test";
        int n = 40;
        try (MlflowServer server = MlflowServer.start(mlflowDir); ModelRegistry registry = new ModelRegistry(server)) {
            // v1: the trained head; v2: the same head inverted (p -> 1 - p), so every sentiment flips its sign
            SentimentHead inverted = SentimentHead.of(head.modelId(), Arrays.stream(head.weights()).map(w -> -w).toArray(), -head.bias());
            int v1 = registry.register(model, registry.logHead("pipeline-test", "v1", head, Map.of(), Map.of())).version();
            int v2 = registry.register(model, registry.logHead("pipeline-test", "v2", inverted, Map.of(), Map.of())).version();
            registry.setAlias(model, "champion", v1);

            createTopic("reviews-champion", 1);
            produce("reviews-champion", utf8(reviews(n)));
            SentimentPipelineConfig config = pipeline("reviews-champion", "alerts_champion", "history-champion").head(null)
                    .champion(server.uri(), model, "champion").championRefresh(Duration.ZERO).bounded(false).build();
            String history = config.historyTable();
            JobClient job = new SentimentPipeline(config).start(checkpointed(null));
            try {
                JobControl.awaitWhileRunning(job, "the first " + n + " reviews in the history", Duration.ofSeconds(180), () -> rows(history) >= n);
                registry.setAlias(model, "champion", v2);
                // the same texts again, under other ids: scored after the alias moved
                produce("reviews-champion", utf8(reviews(n).stream().map(j -> j.replace("\"eventId\":\"r-", "\"eventId\":\"s-")).toList()));
                JobControl.awaitWhileRunning(job, "the second " + n + " reviews in the history", Duration.ofSeconds(180), () -> rows(history) >= 2 * n);
            } finally {
                job.cancel().get(60, TimeUnit.SECONDS);
            }
            Map<String, Map<String, Object>> byId = new HashMap<>();
            DeltaTableReader.readAll(history).forEach(r -> byId.put((String) r.get("event_id"), r));
            assertEquals(2 * n, byId.size());
            int flipped = 0;
            for (int i = 0; i < n; i++) {
                Map<String, Object> before = byId.get("r-" + i), after = byId.get("s-" + i);
                assertEquals("models:/" + model + "/" + v1, before.get("model"), "r-" + i + " was scored before the alias moved");
                assertEquals("models:/" + model + "/" + v2, after.get("model"), "s-" + i + " was scored after the alias moved to v" + v2);
                // the same text under the inverted head: the opposite sentiment (up to the quantised encoder's batch
                // dependence: its activations are quantised per batch, and the two batches are cut differently)
                double b = (Double) before.get("sentiment"), a = (Double) after.get("sentiment");
                if (Math.abs(b) > 0.3) {
                    assertTrue(Math.signum(a) == -Math.signum(b), "r-" + i + " scored " + b + " by v" + v1 + ", s-" + i + " (same text) " + a + " by v" + v2);
                    flipped++;
                }
            }
            assertTrue(flipped > n / 2, "most of the " + n + " texts are clearly positive or negative: " + flipped);
        }
    }

    /** Rows in the table, 0 before its first commit. */
    private static int rows(String deltaTable) {
        try {
            return DeltaTableReader.readAll(deltaTable).size();
        } catch (UserError e) {
            return 0;   // "No Delta table at ...": the sink has not committed yet
        }
    }

    /** Checkpoints every 300 ms, retained on cancel, no restarts; restored from {@code checkpoint} when given. */
    private static StreamExecutionEnvironment checkpointed(String checkpoint) {
        StreamExecutionEnvironment env = Flink.newEnv();
        env.enableCheckpointing(300);
        Configuration noRestarts = new Configuration();
        noRestarts.setString("restart-strategy.type", "none");
        env.configure(noRestarts);
        env.getCheckpointConfig().setExternalizedCheckpointRetention(ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        if (checkpoint != null) {
            Configuration c = new Configuration();
            c.set(StateRecoveryOptions.SAVEPOINT_PATH, checkpoint);
            env.configure(c);
        }
        return env;
    }
}
