package org.streamlab.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.streamlab.clickhouse.ClickHouse;
import org.streamlab.flink.Flink;
import org.streamlab.kafka.Kafka;
import org.streamlab.kernel.UserError;
import org.streamlab.kernel.testkit.KernelTestKit;

/**
 * The window job against the real embedded services of a test kernel: Kafka (KRaft), the Flink MiniCluster and a
 * clickhouse-server process. One kernel for all tests (the engines start once); the ClickHouse-down test is last.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class UserWindowJobTest {
    @TempDir
    static Path workspace;

    private KernelTestKit kit;

    @BeforeAll
    void startKernel() {
        kit = KernelTestKit.start(workspace);
    }

    @AfterAll
    void stopKernel() {
        if (kit != null) {
            kit.close();
        }
    }

    private static void createTopic(String topic) throws Exception {
        try (Admin admin = Kafka.admin()) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
    }

    private static void produce(String topic, List<String> values) {
        try (KafkaProducer<String, String> p = Kafka.producer()) {
            for (String v : values) {
                p.send(new ProducerRecord<>(topic, null, v));
            }
            p.flush();
        }
    }

    private static ClickHouseSinkConfig table(String name) throws Exception {
        ClickHouseSinkConfig ch = ClickHouseSinkConfig.builder().server(ClickHouse.endpoint()).table(name).batchSize(100).build();
        WindowTable.create(ch);
        return ch;
    }

    private static UserWindowJobConfig.Builder job(String topic, ClickHouseSinkConfig ch) {
        return UserWindowJobConfig.builder().bootstrapServers(Kafka.bootstrapServers()).inputTopic(topic).clickHouse(ch)
                .window(Duration.ofMinutes(1)).outOfOrderness(Duration.ofMinutes(3));
    }

    private static long rows(ClickHouseSinkConfig ch, String suffix) throws Exception {
        return Long.parseLong(ch.client().query("SELECT count() FROM " + ch.qualifiedTable() + suffix));
    }

    @Test
    @Order(1)
    void windowRowsEqualIndependentCountsAndARerunDoublesNothing() throws Exception {
        List<TestClicks.Click> clicks = TestClicks.generate(11, 3_000, 25);
        Map<String, Long> expected = TestClicks.expectedCounts(clicks, 60_000);
        createTopic("clicks");
        produce("clicks", clicks.stream().map(TestClicks.Click::json).toList());
        ClickHouseSinkConfig ch = table("user_window_counts");
        UserWindowJobConfig config = job("clicks", ch).build();

        UserWindowJobResult first = new UserWindowJob(config).run(Flink.newEnv());
        assertEquals(3_000, first.eventsParsed());
        assertEquals(0, first.deadLettersTotal(), first.deadLetters().toString());
        assertEquals(expected.size(), first.windowFirings(), "one firing per (user, minute): no event is late with a 3-minute bound");
        assertEquals(expected, WindowTable.readCounts(ch));

        UserWindowJobResult second = new UserWindowJob(config).run(Flink.newEnv());
        assertEquals(3_000, second.eventsParsed());
        // the rerun inserted every row again: the table holds duplicates until a merge, but FINAL reads one per window
        assertEquals(expected, WindowTable.readCounts(ch), "counts after the rerun");
        assertEquals(3_000L, Long.parseLong(ch.client().query(
                "SELECT sum(event_count) FROM " + ch.qualifiedTable() + " FINAL")));
        ch.client().execute("OPTIMIZE TABLE " + ch.qualifiedTable() + " FINAL", null);
        assertEquals(expected.size(), rows(ch, ""), "after OPTIMIZE ... FINAL the parts hold one row per window");
    }

    @Test
    @Order(2)
    void badEventsGoToTheDeadLetterTopicWithReasonsAndTheCountersMatch() throws Exception {
        List<TestClicks.Click> clicks = TestClicks.generate(12, 500, 5);
        long future = System.currentTimeMillis() + Duration.ofDays(2).toMillis();
        List<String> bad = List.of(
                "not json",
                "{\"eventId\":\"x1\",\"userId\":\"user-001\",",
                "[1,2,3]",
                "{\"eventId\":\"x2\",\"type\":\"PAGE_VIEW\",\"eventTime\":" + TestClicks.START + "}",
                "{\"eventId\":\"x3\",\"userId\":\"user-001\",\"type\":\"PAGE_VIEW\",\"eventTime\":\"yesterday\"}",
                "{\"eventId\":\"x4\",\"userId\":\"user-001\",\"type\":\"PAGE_VIEW\",\"eventTime\":" + future + "}",
                "{\"eventId\":\"x5\",\"userId\":\"user-002\",\"type\":\"PAGE_VIEW\",\"eventTime\":" + (future + 1) + "}");
        List<String> values = new ArrayList<>();
        for (int i = 0; i < clicks.size(); i++) {
            values.add(clicks.get(i).json());
            if (i % 60 == 30 && i / 60 < bad.size()) {
                values.add(bad.get(i / 60));
            }
        }
        assertEquals(bad.size(), values.size() - clicks.size());
        createTopic("dirty");
        produce("dirty", values);
        try (KafkaProducer<String, String> p = Kafka.producer()) {
            p.send(new ProducerRecord<>("dirty", "k", null)).get(); // a tombstone: no value at all
        }
        ClickHouseSinkConfig ch = table("dirty_counts");
        UserWindowJobResult r = new UserWindowJob(job("dirty", ch).deadLetterTopic("dirty-dlq").build()).run(Flink.newEnv());

        Map<BadEventReason, Long> expectedReasons = Map.of(BadEventReason.MALFORMED_JSON, 4L, BadEventReason.MISSING_FIELD, 2L,
                BadEventReason.FUTURE_TIMESTAMP, 2L, BadEventReason.LATE, 0L, BadEventReason.INVALID_ENCODING, 0L, BadEventReason.EMPTY_TEXT, 0L);
        assertEquals(expectedReasons, r.deadLetters(), "the job's counters");
        List<DeadLetter> letters = DeadLetterTopic.readAll(Kafka.bootstrapServers(), "dirty-dlq");
        assertEquals(expectedReasons, DeadLetterTopic.countByReason(letters), "the dead-letter topic");
        List<String> payloads = letters.stream().map(DeadLetter::payload).toList();
        for (String b : bad) {
            assertTrue(payloads.contains(b), "the original payload is on the dead-letter topic: " + b);
        }
        assertTrue(letters.stream().allMatch(d -> d.source().startsWith("dirty-0@") && !d.detail().isBlank()));
        // the good events around them were all counted
        assertEquals(clicks.size(), r.eventsParsed());
        assertEquals(TestClicks.expectedCounts(clicks, 60_000), WindowTable.readCounts(ch));
    }

    @Test
    @Order(3)
    void eventsBeyondAllowedLatenessAreDeadLettersAndLaterFiringsReplaceEarlierRows() throws Exception {
        long t = TestClicks.START;
        String[] lines = {
                click("a1", "alice", t), click("a2", "alice", t + 10_000),
                click("a3", "alice", t + 62_000),   // watermark 57 s: window [0, 60 s) still open
                click("a4", "alice", t + 50_000),   // on time: counted in [0, 60 s)
                click("a5", "alice", t + 70_000),   // watermark 65 s: [0, 60 s) fires with 3
                click("a6", "alice", t + 55_000),   // within 10 s allowed lateness: [0, 60 s) fires again with 4
                click("a7", "alice", t + 80_000),   // watermark 75 s > 60 + 10: [0, 60 s) is gone
                click("a8", "alice", t + 58_000),   // late beyond allowed lateness: dead letter LATE
        };
        createTopic("late-clicks");
        produce("late-clicks", List.of(lines));
        ClickHouseSinkConfig ch = table("late_counts");
        UserWindowJobConfig config = job("late-clicks", ch).outOfOrderness(Duration.ofSeconds(5))
                .allowedLateness(Duration.ofSeconds(10)).watermarkPerEvent(true).build();
        UserWindowJobResult r = new UserWindowJob(config).run(Flink.newEnv());
        assertEquals(1L, r.deadLetters().get(BadEventReason.LATE));
        assertEquals(3, r.windowFirings(), "[0,60 s) twice (on time, then with the allowed-late event), [60 s,120 s) once");
        List<DeadLetter> letters = DeadLetterTopic.readAll(Kafka.bootstrapServers(), config.deadLetterTopic());
        assertEquals(1, letters.size());
        assertTrue(letters.get(0).payload().contains("\"a8\""), letters.get(0).payload());
        // the second firing of [0, 60 s) (count 4) replaced the first (count 3)
        assertEquals(Map.of(WindowTable.key("alice", t), 4L, WindowTable.key("alice", t + 60_000), 3L), WindowTable.readCounts(ch));
    }

    private static String click(String id, String user, long time) {
        return new TestClicks.Click(id, user, time).json();
    }

    @Test
    @Order(4)
    void clickHouseDownGivesOneClearErrorNamingClickHouse() throws Exception {
        List<TestClicks.Click> clicks = TestClicks.generate(13, 200, 3);
        createTopic("down");
        produce("down", clicks.stream().map(TestClicks.Click::json).toList());
        ClickHouseSinkConfig ch = ClickHouseSinkConfig.builder().url(ClickHouse.httpUrl()).table("down_counts")
                .maxRetries(2).retryBackoff(Duration.ofMillis(100)).build();
        WindowTable.create(ch);
        ClickHouse.service().stop();
        try {
            // checked before submitting
            UserError before = assertThrows(UserError.class, () -> new UserWindowJob(job("down", ch).build()).run(Flink.newEnv()));
            assertTrue(before.getMessage().startsWith("ClickHouse at " + ch.url() + " does not answer"), before.getMessage());
            assertTrue(before.hint().contains("%services start clickhouse"), before.hint());
            // found by the sink inside the running job: the job fails after the retries, with the sink's message
            UserError during = assertThrows(UserError.class,
                    () -> new UserWindowJob(job("down", ch).checkClickHouseFirst(false).build()).run(Flink.newEnv()));
            assertTrue(during.getMessage().startsWith("ClickHouse at " + ch.url() + " did not answer"), during.getMessage());
            assertTrue(during.getMessage().contains("not written after 3 attempts"), during.getMessage());
            assertFalse(during.getMessage().contains("\n"), "one line: " + during.getMessage());
        } finally {
            ClickHouse.service().ensureStarted();
        }
        // back up (data kept): the rerun writes the rows
        ClickHouseSinkConfig again = ClickHouseSinkConfig.builder().url(ClickHouse.httpUrl()).table("down_counts").build();
        new UserWindowJob(job("down", again).build()).run(Flink.newEnv());
        assertEquals(TestClicks.expectedCounts(clicks, 60_000), WindowTable.readCounts(again));
    }
}
