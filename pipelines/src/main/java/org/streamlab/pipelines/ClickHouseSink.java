package org.streamlab.pipelines;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.metrics.Counter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamlab.clickhouse.ClickHouseHttpClient;

/**
 * Writes a stream into a ClickHouse table in batches over HTTP, each element one row ({@link ClickHouseRows}). The
 * sink itself is at-least-once (a batch may be sent again after a failure or a restore, and a window that fires
 * again with late events is written again); the <b>table</b> makes it idempotent: a ReplacingMergeTree whose sorting
 * key is the row's identity keeps one row per identity (see {@link WindowTable}). Re-running a job over the same input
 * therefore replaces rows instead of adding them.
 *
 * <p>A batch goes out when it has {@code batchSize} rows, when it is older than the flush interval, at every
 * checkpoint and at the end of a bounded input. When ClickHouse cannot be reached the batch is retried
 * {@code maxRetries} times with a doubling wait; then the job fails with a {@link ClickHouseSinkException} that
 * names the server and the table.
 */
public final class ClickHouseSink<T> implements Sink<T> {
    private static final long serialVersionUID = 1L;

    private final ClickHouseSinkConfig config;
    private final ClickHouseRows<T> rows;

    public ClickHouseSink(ClickHouseSinkConfig config, ClickHouseRows<T> rows) {
        this.config = config;
        this.rows = rows;
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) {
        Writer<T> w = new Writer<>(config, rows, context.getProcessingTimeService(), context.metricGroup().getNumRecordsSendCounter());
        w.scheduleFlush();
        return w;
    }

    /** Buffers rows and sends them; one per parallel sink instance, called from the task's thread only. */
    public static final class Writer<T> implements SinkWriter<T> {
        private static final Logger LOG = LoggerFactory.getLogger(ClickHouseSink.class);
        private static final long REPORT_EVERY_NANOS = 10_000_000_000L;
        private final ClickHouseSinkConfig config;
        private final ClickHouseRows<T> rows;
        private final ClickHouseHttpClient client;
        private final ProcessingTimeService timers;
        private final Counter rowsSent;
        private final List<T> buffer = new ArrayList<>();
        private volatile boolean closed;
        // what the inserts cost, reported at INFO every 10 s (they run on the task thread)
        private long inserts;
        private long rowsInserted;
        private long insertNanos;
        private long reportedAt = System.nanoTime();

        /** {@code timers} and {@code rowsSent} may be null (no interval flush, no metric): then only size and flush() send. */
        public Writer(ClickHouseSinkConfig config, ClickHouseRows<T> rows, ProcessingTimeService timers, Counter rowsSent) {
            this.config = config;
            this.rows = rows;
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
        public void write(T row, Context context) throws IOException, InterruptedException {
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
            String body = tabSeparated(rows, buffer);
            String insert = "INSERT INTO " + config.qualifiedTable() + " (" + rows.columns() + ") FORMAT TabSeparated";
            long wait = config.retryBackoffMillis();
            IOException last = null;
            int attempts = config.maxRetries() + 1;
            for (int attempt = 1; attempt <= attempts; attempt++) {
                try {
                    long start = System.nanoTime();
                    client.execute(insert, body);
                    countInsert(buffer.size(), System.nanoTime() - start);
                    if (rowsSent != null) {
                        rowsSent.inc(buffer.size());
                    }
                    buffer.clear();
                    return;
                } catch (ClickHouseHttpClient.ServerError e) {
                    // reached and refused: retrying the same statement will not help
                    throw new ClickHouseSinkException("ClickHouse at " + client.base() + " refused the insert of " + buffer.size()
                            + " rows into " + config.qualifiedTable() + ": " + e.getMessage()
                            + " (" + rows.tableHint() + ")", e);
                } catch (IOException e) {
                    last = e;
                    if (attempt < attempts) {
                        Thread.sleep(wait);
                        wait *= 2;
                    }
                }
            }
            throw new ClickHouseSinkException("ClickHouse at " + client.base() + " did not answer: " + buffer.size()
                    + " rows for " + config.qualifiedTable() + " not written after " + attempts + " attempts ("
                    + last.getClass().getSimpleName() + ": " + last.getMessage() + "). Is clickhouse-server running? "
                    + "In a notebook: %services start clickhouse, then run the job again (an idempotent table makes the rerun replace rows, not add them)", last);
        }

        private void countInsert(int rows, long nanos) {
            inserts++;
            rowsInserted += rows;
            insertNanos += nanos;
            long now = System.nanoTime();
            if (now - reportedAt >= REPORT_EVERY_NANOS) {
                LOG.info("ClickHouse {}: {} inserts, {} rows in {} ms over the last {} s", config.qualifiedTable(), inserts, rowsInserted,
                        insertNanos / 1_000_000, (now - reportedAt) / 1_000_000_000);
                inserts = 0;
                rowsInserted = 0;
                insertNanos = 0;
                reportedAt = now;
            }
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

    /** Elements as TabSeparated rows, one line each. */
    static <T> String tabSeparated(ClickHouseRows<T> rows, List<T> elements) {
        StringBuilder b = new StringBuilder(elements.size() * 64);
        for (T e : elements) {
            rows.append(b, e);
        }
        return b.toString();
    }
}
