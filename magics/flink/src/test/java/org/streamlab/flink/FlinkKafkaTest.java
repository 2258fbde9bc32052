package org.streamlab.flink;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamlab.kernel.testkit.CellOutcome;
import org.streamlab.kernel.testkit.KernelTestKit;

/** A Flink SQL tumbling event-time window with a watermark over a real Kafka topic (broker in this JVM). */
class FlinkKafkaTest {
    @TempDir
    Path dir;

    @Test
    void tumblingWindowOverKafkaTopicWithWatermark() throws Exception {
        try (TestKafkaBroker broker = TestKafkaBroker.start(Files.createDirectories(dir.resolve("kafka")))) {
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrap()))) {
                admin.createTopics(List.of(new NewTopic("clicks", 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            }
            Properties props = new Properties();
            props.put("bootstrap.servers", broker.bootstrap());
            props.put("key.serializer", StringSerializer.class.getName());
            props.put("value.serializer", StringSerializer.class.getName());
            String[][] events = {
                    {"u1", "2024-05-01 12:00:01"}, {"u2", "2024-05-01 12:00:20"}, {"u1", "2024-05-01 12:00:59"},
                    {"u3", "2024-05-01 12:01:00"}, {"u1", "2024-05-01 12:01:30"},
                    {"u2", "2024-05-01 12:02:10"}, {"u2", "2024-05-01 12:02:11"}, {"u2", "2024-05-01 12:02:40"},
                    {"u9", "2024-05-01 12:05:00"}, // moves the watermark past 12:03 so the 12:02 window fires
            };
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
                for (String[] e : events) {
                    producer.send(new ProducerRecord<>("clicks", e[0],
                            "{\"user_id\":\"" + e[0] + "\",\"ts\":\"" + e[1] + "\"}")).get();
                }
            }
            // The Kafka module publishes this property when it starts; the placeholder resolves from it.
            System.setProperty("streamlab.kafka.bootstrap", broker.bootstrap());
            try (KernelTestKit kit = KernelTestKit.start(Files.createDirectories(dir.resolve("ws")))) {
                // Unbounded source: the query runs until --max-rows windows have fired (then its job is cancelled).
                CellOutcome o = kit.execSuccess("""
                        %%flinksql --max-rows 3 --timeout 90
                        CREATE TABLE clicks (
                          user_id STRING,
                          ts TIMESTAMP(3),
                          WATERMARK FOR ts AS ts - INTERVAL '2' SECOND
                        ) WITH (
                          'connector' = 'kafka',
                          'topic' = 'clicks',
                          'properties.bootstrap.servers' = '${kafka.bootstrap}',
                          'properties.group.id' = 'flink-test',
                          'scan.startup.mode' = 'earliest-offset',
                          'format' = 'json'
                        );
                        SELECT window_start, window_end, COUNT(*) AS clicks, COUNT(DISTINCT user_id) AS users
                        FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '1' MINUTE))
                        GROUP BY window_start, window_end
                        """);
                String text = o.text();
                FlinkSqlTest.assertRow(text, "2024-05-01 12:00", "2024-05-01 12:01", "3", "2");
                FlinkSqlTest.assertRow(text, "2024-05-01 12:01", "2024-05-01 12:02", "2", "2");
                FlinkSqlTest.assertRow(text, "2024-05-01 12:02", "2024-05-01 12:03", "3", "1");
                assertTrue(text.contains("3 rows"), text);
                assertTrue(text.contains("reached --max-rows 3"), text);
                assertTrue(text.contains("CANCELED"), text);
            } finally {
                System.clearProperty("streamlab.kafka.bootstrap");
            }
        }
    }
}
