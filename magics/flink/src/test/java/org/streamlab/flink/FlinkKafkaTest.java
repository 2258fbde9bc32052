package org.streamlab.flink;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamlab.kernel.testkit.CellOutcome;
import org.streamlab.kernel.testkit.KernelTestKit;

/** A Flink SQL tumbling event-time window with a watermark over a real Kafka topic (the Kafka module's broker). */
class FlinkKafkaTest {
    @TempDir
    Path workspace;

    @Test
    void tumblingWindowOverKafkaTopicWithWatermark() {
        try (KernelTestKit kit = KernelTestKit.start(workspace)) {
            kit.execSuccess("%kafka create clicks --partitions 1");
            kit.execSuccess("""
                    %%kafka produce clicks --key-field user_id
                    {"user_id":"u1","ts":"2024-05-01 12:00:01"}
                    {"user_id":"u2","ts":"2024-05-01 12:00:20"}
                    {"user_id":"u1","ts":"2024-05-01 12:00:59"}
                    {"user_id":"u3","ts":"2024-05-01 12:01:00"}
                    {"user_id":"u1","ts":"2024-05-01 12:01:30"}
                    {"user_id":"u2","ts":"2024-05-01 12:02:10"}
                    {"user_id":"u2","ts":"2024-05-01 12:02:11"}
                    {"user_id":"u2","ts":"2024-05-01 12:02:40"}
                    {"user_id":"u9","ts":"2024-05-01 12:05:00"}
                    """); // the last event moves the watermark past 12:03, so the 12:02 window fires
            // Unbounded source: the query runs until --max-rows windows have fired (then its job is cancelled).
            // ${kafka.bootstrap} is where the Kafka module's broker listens.
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
        }
    }
}
