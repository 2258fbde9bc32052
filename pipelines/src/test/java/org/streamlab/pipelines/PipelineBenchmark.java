package org.streamlab.pipelines;

import static org.streamlab.pipelines.BenchmarkSupport.intArg;
import static org.streamlab.pipelines.BenchmarkSupport.loadAverage;
import static org.streamlab.pipelines.BenchmarkSupport.percentile;
import static org.streamlab.pipelines.BenchmarkSupport.seconds;

import java.time.Duration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.streamlab.clickhouse.ClickHouse;
import org.streamlab.clickhouse.ClickHouseHttpClient;
import org.streamlab.flink.Flink;
import org.streamlab.kafka.Kafka;
import org.streamlab.kernel.testkit.KernelTestKit;

/**
 * Benchmark harness (not a test): prints figures, asserts nothing. Runs on the embedded platform of a test
 * kernel (Kafka KRaft broker, Flink MiniCluster, clickhouse-server), in this JVM.
 *
 * <p>Run from the repository root:
 * <pre>
 * mvn -q -o -pl pipelines test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/test.cp
 * java -Xmx1g -cp pipelines/target/test-classes:pipelines/target/classes:$(cat pipelines/target/test.cp) \
 *      org.streamlab.pipelines.PipelineBenchmark [records=300000] [rounds=3] [users=500] [rate=1000] [seconds=150] [window=60]
 * </pre>
 * <ol>
 *   <li>Throughput: {@code records} events produced to a 1-partition topic beforehand, then the bounded per-user
 *       window job (parse, watermarks, keyBy user, 1-minute tumbling windows, count, ClickHouse sink) run
 *       {@code rounds} times over them; events/s = events parsed (all records, none bad) / job wall time (submission to finished). The reruns
 *       also show idempotence: the table's FINAL row count and sum stay the same.</li>
 *   <li>Latency: the unbounded job on a second topic while a producer sends {@code rate} events/s for
 *       {@code seconds}, each stamped with its send time as event time. A poller reads the table every 50 ms and
 *       notes when each (user, window) row first appears. Per record: row visible - record sent (p50, p95; this
 *       includes waiting for the window to end, up to a window length). Per row: row visible - (window end +
 *       watermark bound), the pipeline's own delay once the window could close. Only records whose window closed
 *       while the producer ran are measured (the watermark of the last window stops with the producer).</li>
 * </ol>
 */
public final class PipelineBenchmark {
    private static final long BOUND_MILLIS = 2_000;

    public static void main(String[] args) throws Exception {
        int records = intArg(args, "records", 300_000);
        int rounds = intArg(args, "rounds", 3);
        int users = intArg(args, "users", 500);
        int rate = intArg(args, "rate", 1_000);
        int seconds = intArg(args, "seconds", 150);
        int windowSeconds = intArg(args, "window", 60);
        System.out.printf("StreamLab pipeline benchmark: %d cores, java %s, max heap %d MB, load average %s%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
                Runtime.getRuntime().maxMemory() >> 20, loadAverage());
        Path workspace = Files.createTempDirectory("pipeline-bench");
        try (KernelTestKit kit = KernelTestKit.start(workspace)) {
            long t0 = System.nanoTime();
            Kafka.bootstrapServers();
            ClickHouse.httpUrl();
            Flink.restUrl();
            System.out.printf("platform up (Kafka, ClickHouse, Flink MiniCluster) in %.1f s%n", (System.nanoTime() - t0) / 1e9);
            throughput(records, rounds, users, windowSeconds);
            latency(rate, seconds, users, windowSeconds);
        }
    }

    static void throughput(int records, int rounds, int users, int windowSeconds) throws Exception {
        createTopic("bench-clicks");
        SplittableRandom random = new SplittableRandom(1);
        long start = TestClicks.START;
        long t0 = System.nanoTime();
        try (KafkaProducer<String, String> p = Kafka.producer(Map.of("linger.ms", "20", "batch.size", "262144"))) {
            for (int i = 0; i < records; i++) {
                String user = String.format("user-%04d", random.nextInt(users));
                long time = start + i * 10L - random.nextLong(2_000); // 100 events per second of event time, out of order up to 2 s
                p.send(new ProducerRecord<>("bench-clicks", user, new TestClicks.Click("b-" + i, user, time).json()));
            }
            p.flush();
        }
        System.out.printf("%nthroughput: %,d events produced to bench-clicks in %.1f s (%,d users, %d s windows, %.0f minutes of event time)%n",
                records, (System.nanoTime() - t0) / 1e9, users, windowSeconds, records * 10.0 / 60_000);
        ClickHouseSinkConfig ch = ClickHouseSinkConfig.builder().server(ClickHouse.endpoint()).table("bench_throughput").batchSize(5_000).build();
        WindowTable.create(ch);
        UserWindowJobConfig config = UserWindowJobConfig.builder().bootstrapServers(Kafka.bootstrapServers()).inputTopic("bench-clicks")
                .clickHouse(ch).window(Duration.ofSeconds(windowSeconds)).outOfOrderness(Duration.ofMillis(BOUND_MILLIS)).build();
        List<Double> rates = new ArrayList<>();
        for (int r = 1; r <= rounds; r++) {
            UserWindowJobResult result = new UserWindowJob(config).run(Flink.newEnv());
            double perSecond = result.eventsParsed() / (result.millis() / 1000.0);
            rates.add(perSecond);
            ClickHouseHttpClient c = ch.client();
            String finalRows = c.query("SELECT count(), sum(event_count) FROM " + ch.qualifiedTable() + " FINAL");
            System.out.printf("round %d: %,d events in %.2f s = %,.0f events/s; %,d window firings; table FINAL (rows, sum) = %s; load %s%n",
                    r, result.eventsParsed(), result.millis() / 1000.0, perSecond, result.windowFirings(), finalRows.replace('\t', ','), loadAverage());
        }
        double[] sorted = rates.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        System.out.printf("throughput: median %,.0f events/s, best %,.0f events/s over %d rounds (job wall time incl. submission and start-up)%n",
                sorted[sorted.length / 2], sorted[sorted.length - 1], rounds);
    }

    static void latency(int rate, int seconds, int users, int windowSeconds) throws Exception {
        createTopic("bench-live");
        ClickHouseSinkConfig ch = ClickHouseSinkConfig.builder().server(ClickHouse.endpoint()).table("bench_latency")
                .batchSize(1_000).flushInterval(Duration.ofMillis(100)).build();
        WindowTable.create(ch);
        long windowMillis = windowSeconds * 1000L;
        UserWindowJobConfig config = UserWindowJobConfig.builder().bootstrapServers(Kafka.bootstrapServers()).inputTopic("bench-live")
                .clickHouse(ch).window(Duration.ofMillis(windowMillis)).outOfOrderness(Duration.ofMillis(BOUND_MILLIS))
                .bounded(false).jobName("latency benchmark").build();
        JobClient job = new UserWindowJob(config).start(Flink.newEnv());
        Map<String, Long> firstSeen = new ConcurrentHashMap<>();
        ClickHouseHttpClient client = ch.client();
        Thread poller = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    String text = client.query("SELECT user_id, toUnixTimestamp(window_start) FROM " + ch.qualifiedTable() + " FORMAT TabSeparated");
                    long now = System.currentTimeMillis();
                    if (!text.isEmpty()) {
                        for (String line : text.split("\n")) {
                            String[] f = line.split("\t");
                            firstSeen.putIfAbsent(f[0] + "|" + Long.parseLong(f[1]) * 1000L, now);
                        }
                    }
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    System.err.println("poller: " + e.getMessage());
                }
            }
        }, "clickhouse-poller");
        poller.setDaemon(true);
        poller.start();
        try {
            Thread.sleep(3_000); // the job's source is assigned its partition before the first record
            int n = rate * seconds;
            long[] sent = new long[n];
            String[] keys = new String[n];
            SplittableRandom random = new SplittableRandom(2);
            long begin = System.nanoTime();
            long beginMillis = System.currentTimeMillis();
            long maxLagMillis = 0;
            try (KafkaProducer<String, String> p = Kafka.producer(Map.of("linger.ms", "0"))) {
                for (int i = 0; i < n; i++) {
                    long due = begin + (long) i * 1_000_000_000L / rate;
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    } else {
                        maxLagMillis = Math.max(maxLagMillis, -wait / 1_000_000);
                    }
                    String user = String.format("user-%04d", random.nextInt(users));
                    long now = System.currentTimeMillis();
                    sent[i] = now;
                    keys[i] = user + "|" + (now - Math.floorMod(now, windowMillis));
                    p.send(new ProducerRecord<>("bench-live", user, new TestClicks.Click("l-" + i, user, now).json()));
                }
                p.flush();
            }
            long endMillis = System.currentTimeMillis();
            System.out.printf("%nlatency: %,d events sent at %d/s for %d s (actual %.0f/s, producer at most %d ms behind schedule), %d s windows, watermark bound %d ms%n",
                    n, rate, seconds, n / ((endMillis - beginMillis) / 1000.0), maxLagMillis, windowSeconds, BOUND_MILLIS);
            // windows that closed while the producer ran: end + bound before the last event time
            long lastClosedEnd = endMillis - BOUND_MILLIS - 1 - Math.floorMod(endMillis - BOUND_MILLIS - 1, windowMillis);
            Map<String, Long> expectedRows = new HashMap<>();
            for (int i = 0; i < n; i++) {
                long windowStart = Long.parseLong(keys[i].substring(keys[i].indexOf('|') + 1));
                if (windowStart + windowMillis <= lastClosedEnd) {
                    expectedRows.merge(keys[i], 1L, Long::sum);
                }
            }
            long deadline = System.currentTimeMillis() + 30_000;
            while (!firstSeen.keySet().containsAll(expectedRows.keySet()) && System.currentTimeMillis() < deadline) {
                Thread.sleep(100);
            }
            poller.interrupt();
            List<Long> perRecord = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                Long seen = expectedRows.containsKey(keys[i]) ? firstSeen.get(keys[i]) : null;
                if (seen != null) {
                    perRecord.add(seen - sent[i]);
                }
            }
            List<Long> afterClose = new ArrayList<>();
            for (String key : expectedRows.keySet()) {
                Long seen = firstSeen.get(key);
                if (seen != null) {
                    long windowEnd = Long.parseLong(key.substring(key.indexOf('|') + 1)) + windowMillis;
                    afterClose.add(seen - (windowEnd + BOUND_MILLIS));
                }
            }
            Map<String, Long> inTable = WindowTable.readCounts(ch);
            long rowsRight = expectedRows.entrySet().stream().filter(e -> e.getValue().equals(inTable.get(e.getKey()))).count();
            System.out.printf("measured: %,d records in %,d (user, window) rows of %d closed windows; %,d rows seen, %,d with the producer's count%n",
                    perRecord.size(), expectedRows.size(), expectedRows.keySet().stream().map(k -> k.substring(k.indexOf('|'))).distinct().count(),
                    afterClose.size(), rowsRight);
            System.out.printf("record produced -> its window row visible in ClickHouse: p50 %s, p95 %s, max %s (includes waiting for the window to end)%n",
                    seconds(percentile(perRecord, 50)), seconds(percentile(perRecord, 95)), seconds(percentile(perRecord, 100)));
            System.out.printf("window closable (end + bound) -> row visible: p50 %s, p95 %s, max %s (watermark interval 200 ms, sink flush 100 ms, poll 50 ms)%n",
                    seconds(percentile(afterClose, 50)), seconds(percentile(afterClose, 95)), seconds(percentile(afterClose, 100)));
        } finally { // also on a failure: no job left running on the MiniCluster
            poller.interrupt();
            job.cancel().get(30, TimeUnit.SECONDS);
        }
    }

    private static void createTopic(String topic) throws Exception {
        try (Admin admin = Kafka.admin()) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
    }
}
