package org.streamlab.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The sink's writer when nobody listens at ClickHouse's address: retries, then one error that names ClickHouse. */
class ClickHouseSinkTest {
    @Test
    void unreachableClickHouseFailsAfterRetriesNamingServerAndTableAndKeepsTheRows() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // closed again: connections are refused
        }
        ClickHouseSinkConfig config = ClickHouseSinkConfig.builder().url("http://127.0.0.1:" + port).table("wins")
                .batchSize(10).maxRetries(2).retryBackoff(Duration.ofMillis(20)).build();
        ClickHouseSink.Writer<UserWindowCount> writer = new ClickHouseSink.Writer<>(config, WindowTable.ROWS, null, null);
        writer.write(new UserWindowCount("u1", 0, 60_000, 3), null);
        long t0 = System.nanoTime();
        ClickHouseSinkException e = assertThrows(ClickHouseSinkException.class, () -> writer.flush(false));
        long waitedMillis = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(e.getMessage().startsWith("ClickHouse at http://127.0.0.1:" + port + " did not answer"), e.getMessage());
        assertTrue(e.getMessage().contains("default.wins"), e.getMessage());
        assertTrue(e.getMessage().contains("after 3 attempts"), e.getMessage());
        assertTrue(e.getMessage().contains("%services start clickhouse"), e.getMessage());
        assertTrue(waitedMillis >= 20 + 40, "two backoffs (20 ms, 40 ms) before giving up, waited " + waitedMillis + " ms");
        assertEquals(1, writer.pending(), "the unsent row stays buffered");
    }

    @Test
    void rowsAreTabSeparatedWithUtcDateTimesAndEscapedText() {
        String tsv = ClickHouseSink.tabSeparated(WindowTable.ROWS, List.of(new UserWindowCount("a\tb", 1_704_067_200_000L, 1_704_067_260_000L, 7)));
        assertEquals("a\\tb\t2024-01-01 00:00:00\t2024-01-01 00:01:00\t7\n", tsv);
    }
}
