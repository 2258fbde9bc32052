package org.streamlab.pipelines;

import java.io.IOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.metrics.Counter;
import org.streamlab.clickhouse.ClickHouseHttpClient;

/**
 * Writes {@link UserWindowCount} rows into a ClickHouse table keyed by (user_id, window_start), in batches over
 * HTTP. The sink itself is at-least-once (a batch may be sent again after a failure, and a window that fires
 * again with late events is written again); the <b>table</b> makes it idempotent: a ReplacingMergeTree whose
 * sorting key is the window's identity keeps one row per window (see {@link WindowTable}). Re-running the job over
 * the same input therefore replaces rows instead of adding counts.
 *
 * <p>A batch goes out when it has {@code batchSize} rows, when it is older than the flush interval, at every
 * checkpoint and at the end of a bounded input. When ClickHouse cannot be reached the batch is retried
 * {@code maxRetries} times with a doubling wait; then the job fails with a {@link ClickHouseSinkException} that
 * names the server and the table.
 */
public final class ClickHouseWindowSink implements Sink<UserWindowCount> {
    private static final long serialVersionUID = 1L;

    private static final DateTimeFormatter UTC_SECONDS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

    private final ClickHouseSinkConfig config;

    public ClickHouseWindowSink(ClickHouseSinkConfig config) {
        this.config = config;
    }

    @Override
    public SinkWriter<UserWindowCount> createWriter(WriterInitContext context) {
        Writer w = new Writer(config, context.getProcessingTimeService(), context.metricGroup().getNumRecordsSendCounter());
        w.scheduleFlush();
        return w;
    }

    /** Buffers rows and sends them; one per parallel sink instance, called from the task's thread only. */
    public static final class Writer implements SinkWriter<UserWindowCount> {
        private final ClickHouseSinkConfig config;
        private final ClickHouseHttpClient client;
        private final ProcessingTimeService timers;
        private final Counter rowsSent;
        private final List<UserWindowCount> buffer = new ArrayList<>();
        private volatile boolean closed;

        /** {@code timers} and {@code rowsSent} may be null (no interval flush, no metric): then only size and flush() send. */
        public Writer(ClickHouseSinkConfig config, ProcessingTimeService timers, Counter rowsSent) {
            this.config = config;
            this.client = config.client();
            this.timers = timers;
            this.rowsSent = rowsSent;
        }

        void scheduleFlush() {
            if (timers == null || closed) {
                return;
            }
            timers.registerTimer(timers.getCurrentProcessingTime() + config.flushIntervalMillis(), time -> {
                if (!closed) {
                    send();
                    scheduleFlush();
                }
            });
        }

        @Override
        public void write(UserWindowCount row, Context context) throws IOException, InterruptedException {
            buffer.add(row);
            if (buffer.size() >= config.batchSize()) {
                send();
            }
        }

        @Override
        public void flush(boolean endOfInput) throws IOException, InterruptedException {
            send();
        }

        /** Sends the buffered rows as one INSERT, retrying when ClickHouse cannot be reached. */
        void send() throws ClickHouseSinkException, InterruptedException {
            if (buffer.isEmpty()) {
                return;
            }
            String body = tabSeparated(buffer);
            String insert = "INSERT INTO " + config.qualifiedTable() + " (user_id, window_start, window_end, event_count) FORMAT TabSeparated";
            long wait = config.retryBackoffMillis();
            IOException last = null;
            int attempts = config.maxRetries() + 1;
            for (int attempt = 1; attempt <= attempts; attempt++) {
                try {
                    client.execute(insert, body);
                    if (rowsSent != null) {
                        rowsSent.inc(buffer.size());
                    }
                    buffer.clear();
                    return;
                } catch (ClickHouseHttpClient.ServerError e) {
                    // reached and refused: retrying the same statement will not help
                    throw new ClickHouseSinkException("ClickHouse at " + client.base() + " refused the insert of " + buffer.size()
                            + " window rows into " + config.qualifiedTable() + ": " + e.getMessage()
                            + " (does the table exist with columns user_id, window_start, window_end, event_count? see WindowTable.createSql)", e);
                } catch (IOException e) {
                    last = e;
                    if (attempt < attempts) {
                        Thread.sleep(wait);
                        wait *= 2;
                    }
                }
            }
            throw new ClickHouseSinkException("ClickHouse at " + client.base() + " did not answer: " + buffer.size()
                    + " window rows for " + config.qualifiedTable() + " not written after " + attempts + " attempts ("
                    + last.getClass().getSimpleName() + ": " + last.getMessage() + "). Is clickhouse-server running? "
                    + "In a notebook: %services start clickhouse, then run the job again (the table makes the rerun idempotent)", last);
        }

        /** Rows buffered and not yet sent. */
        public int pending() {
            return buffer.size();
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    /**
     * Rows as TabSeparated text, times as {@code YYYY-MM-DD hh:mm:ss} in UTC for the table's {@code DateTime('UTC')}
     * columns (18.16 misreads Unix seconds in text formats: 1704067200 became 1704067204).
     */
    static String tabSeparated(List<UserWindowCount> rows) {
        StringBuilder b = new StringBuilder(rows.size() * 48);
        for (UserWindowCount r : rows) {
            escape(b, r.userId());
            b.append('\t').append(UTC_SECONDS.format(Instant.ofEpochMilli(r.windowStart())))
                    .append('\t').append(UTC_SECONDS.format(Instant.ofEpochMilli(r.windowEnd())))
                    .append('\t').append(r.count()).append('\n');
        }
        return b.toString();
    }

    private static void escape(StringBuilder b, String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\t' -> b.append("\\t");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\\' -> b.append("\\\\");
                default -> b.append(c);
            }
        }
    }
}
