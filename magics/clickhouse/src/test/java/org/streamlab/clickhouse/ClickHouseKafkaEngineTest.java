package org.streamlab.clickhouse;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamlab.kernel.testkit.KernelTestKit;

/**
 * Kafka -> ClickHouse as the course teaches it: a Kafka-engine table reading the embedded broker of %kafka, a
 * materialized view writing into a MergeTree. Records produced before the table exists are read too (the
 * generated server config sets librdkafka's auto.offset.reset to smallest).
 */
class ClickHouseKafkaEngineTest {
    @TempDir
    Path workspace;

    @Test
    void kafkaEngineAndMaterializedViewLoadATopic() throws Exception {
        try (KernelTestKit kit = KernelTestKit.start(workspace)) {
            kit.execSuccess("%kafka create clicks --partitions 1");
            kit.execSuccess("""
                    %%kafka produce clicks
                    {"ts":"2024-03-01 10:00:05","page":"home"}
                    {"ts":"2024-03-01 10:00:50","page":"home"}
                    {"ts":"2024-03-01 10:01:10","page":"cart"}
                    """);
            String bootstrap = (String) kit.eval("org.streamlab.kafka.Kafka.bootstrapServers()");
            kit.execSuccess("""
                    %%clickhouse
                    CREATE TABLE clicks_queue (ts DateTime, page String)
                      ENGINE = Kafka('BOOTSTRAP', 'clicks', 'clickhouse', 'JSONEachRow');
                    CREATE TABLE clicks (ts DateTime, page String) ENGINE = MergeTree() ORDER BY ts;
                    CREATE MATERIALIZED VIEW clicks_mv TO clicks AS SELECT ts, page FROM clicks_queue
                    """.replace("BOOTSTRAP", bootstrap));
            kit.execSuccess("""
                    %%kafka produce clicks
                    {"ts":"2024-03-01 10:01:30","page":"cart"}
                    """);
            // the engine flushes blocks every stream_flush_interval_ms (7.5 s by default): poll for up to 60 s
            String html = "";
            for (int i = 0; i < 120; i++) {
                html = kit.execHtml("%%clickhouse\nSELECT toStartOfMinute(ts) AS m, page, count() AS n FROM clicks GROUP BY m, page ORDER BY m, page");
                if (html.contains("<td>2024-03-01 10:01:00</td><td>cart</td><td>2</td>")) {
                    break;
                }
                Thread.sleep(500);
            }
            assertTrue(html.contains("<td>2024-03-01 10:00:00</td><td>home</td><td>2</td>"), html);
            assertTrue(html.contains("<td>2024-03-01 10:01:00</td><td>cart</td><td>2</td>"), html);
        }
    }
}
