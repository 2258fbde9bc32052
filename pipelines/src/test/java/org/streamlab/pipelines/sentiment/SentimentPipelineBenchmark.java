package org.streamlab.pipelines.sentiment;

import static org.streamlab.pipelines.BenchmarkSupport.intArg;
import static org.streamlab.pipelines.BenchmarkSupport.loadAverage;
import static org.streamlab.pipelines.BenchmarkSupport.percentile;
import static org.streamlab.pipelines.BenchmarkSupport.seconds;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.streamlab.clickhouse.ClickHouse;
import org.streamlab.clickhouse.ClickHouseHttpClient;
import org.streamlab.flink.Flink;
import org.streamlab.kafka.Kafka;
import org.streamlab.kernel.testkit.KernelTestKit;
import org.streamlab.pipelines.ClickHouseSinkConfig;
import org.streamlab.pipelines.JobControl;
import org.streamlab.sentiment.LabelledSentence;
import org.streamlab.sentiment.SentenceEncoder;
import org.streamlab.sentiment.SentimentData;
import org.streamlab.sentiment.SentimentHead;
import org.streamlab.sentiment.TrainingOptions;

/**
 * Benchmark harness (not a test): prints figures, asserts nothing. The sentiment pipeline on the embedded platform of
 * a test kernel (Kafka, Flink MiniCluster, Spark + Delta for the users table, clickhouse-server), in this JVM.
 *
 * <p>Run from the repository root (nothing is installed: the reactor's own classes are on the class path):
 * <pre>
 * mvn -B -o -q -pl pipelines -am test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/test.cp
 * java -Xmx1500m -cp pipelines/target/test-classes:pipelines/target/classes:$(cat pipelines/target/test.cp) \
 *      org.streamlab.pipelines.sentiment.SentimentPipelineBenchmark [backlog=6000] [rate=1000] [seconds=60] [parallelism=1]
 *      [batch=256] [threads=1] [wait=50] [checkpoint=1000]
 * </pre>
 * {@code backlog=0} or {@code seconds=0} skips that part; {@code batch} is the scorer's micro-batch, {@code threads}
 * ONNX Runtime's intra-op threads, {@code wait} the batch wait in ms, {@code checkpoint} the latency run's interval.
 * <ol>
 *   <li>Throughput: first the encoder alone over the same texts in the same micro-batches (the ceiling, same
 *       moment, same load); then {@code backlog} reviews produced beforehand and the bounded pipeline over them
 *       (parse, score, enrich, alerts to ClickHouse, history to Delta); reviews/s = reviews scored / job wall time
 *       (submission to finished, model loading included), and first batch to last batch (without the job's start).</li>
 *   <li>Latency: the unbounded pipeline (checkpoint every second) while a producer sends {@code rate} reviews/s for
 *       {@code seconds}. A poller reads the alerts table every 50 ms and notes when each alert first appears:
 *       alert visible - review sent, p50/p95/p99, for the alerts of reviews sent during the run. If the scorer is
 *       slower than the rate, a backlog grows and the latency with it: the consumer lag at the end says so.</li>
 * </ol>
 * Both parts then print where the time went: the scorer's accumulators (ms of model loading, tokenizing, ONNX
 * Runtime, pooling, head, and the chained operators downstream; batches closed full, by the wait, or early) and the
 * sinks' own INFO lines (Delta commit ms per checkpoint, ClickHouse insert ms).
 *
 * <p>Figures (2 cores shared with other jobs, 2026-12-05; see README "Benchmarks" for the analysis):
 * <pre>
 * backlog=6000 seconds=0 batch=256 / batch=32 / batch=256, interleaved (load 8.8 / 5.8 / 3.0 at their starts):
 *   encoder alone        532 / 277 / 614 reviews/s
 *   end to end           319 / 216 / 340 reviews/s   (job wall 18.8 / 27.8 / 17.6 s, ~6-7 s of it job start)
 *   first to last batch  533 / 276 / 591 reviews/s
 *   scorer ms            onnx 10625 / 20825 / 9623; tokenize 246 / 391 / 227; pool 58 / 87 / 56; head 5 / 5 / 5;
 *                        downstream 27 / 38 / 25; Delta end commit 385 / 352 / 393; ClickHouse inserts 170 / 258 / 127
 * backlog=6000 seconds=0 threads=2 (load 2.7): encoder alone 939, end to end 307, first to last batch 458 reviews/s
 * backlog=0 seconds=30 rate=350 (load 2.9 -> 3.6): p50 0.38 s, p95 0.73 s, p99 0.87 s, max 1.02 s; 3016 alerts;
 *   Delta 31 commits, p50 207 ms, max 588 ms
 * backlog=0 seconds=30 rate=1000 (load 3.6 -> 2.7): p50 11.04 s, p95 18.26 s, p99 18.62 s (growing: 15489 records
 *   behind when the producer stopped); 21423 reviews scored in 36.6 s = 585/s, ONNX busy 34.6 s of it
 * </pre>
 */
public final class SentimentPipelineBenchmark {
    static int threads = 1;
    static int batchWaitMillis = 50;
    static int checkpointMillis = 1_000;
    /** The pipeline's INFO lines (Delta commits, ClickHouse inserts): their costs, printed after each run. */
    static final List<String> pipelineLog = java.util.Collections.synchronizedList(new ArrayList<>());

    public static void main(String[] args) throws Exception {
        int backlog = intArg(args, "backlog", 6_000);
        int rate = intArg(args, "rate", 1_000);
        int seconds = intArg(args, "seconds", 60);
        int parallelism = intArg(args, "parallelism", 1);
        int batch = intArg(args, "batch", 256);
        threads = intArg(args, "threads", 1);
        batchWaitMillis = intArg(args, "wait", 50);
        checkpointMillis = intArg(args, "checkpoint", 1_000);
        System.out.printf("StreamLab sentiment pipeline benchmark: %d cores, java %s, max heap %d MB, load average %s%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), Runtime.getRuntime().maxMemory() >> 20, loadAverage());
        Path workspace = Files.createTempDirectory("sentiment-bench");
        captureInfoLines("org.streamlab.pipelines");
        try (KernelTestKit kit = KernelTestKit.start(workspace)) {
            List<LabelledSentence> sentences = SentimentData.load(Path.of("datasets/sentiment/sentences.csv"));
            SentimentData.Split split = SentimentData.split(sentences, 0.5, 42);
            SentimentHead head;
            try (SentenceEncoder encoder = SentenceEncoder.open()) {
                head = SentimentHead.train(encoder.embed(split.train().stream().map(LabelledSentence::text).toList()),
                        split.train().stream().mapToInt(LabelledSentence::label).toArray(), TrainingOptions.defaults());
            }
            List<String> texts = split.test().stream().map(LabelledSentence::text).toList();
            kit.execSuccess("%%sparksql\nCREATE OR REPLACE TABLE users (user_id STRING, segment STRING, country STRING) USING delta;\n"
                    + "INSERT INTO users VALUES ('u-1', 'gold', 'NL'), ('u-2', 'basic', 'DE')");
            String users = (String) kit.eval("org.streamlab.spark.Spark.sql(\"DESCRIBE DETAIL users\").first().getAs(\"location\").toString()");

            if (backlog > 0) {
                throughput(workspace, head, users, texts, backlog, parallelism, batch);
            }
            if (seconds > 0) {
                latency(workspace, head, users, texts, rate, seconds, parallelism, batch);
            }
        }
    }

    static SentimentPipelineConfig.Builder config(Path workspace, SentimentHead head, String users, String name, int parallelism, int batch) {
        ClickHouse.execute("CREATE TABLE IF NOT EXISTS " + name + " (event_id String, user_id String, product_id String, segment String,"
                + " sentiment Float64, text String, event_time DateTime('UTC'), scored_at DateTime('UTC')) ENGINE = ReplacingMergeTree ORDER BY event_id");
        return SentimentPipelineConfig.builder().bootstrapServers(Kafka.bootstrapServers()).inputTopic(name).groupId(name)
                .head(head).usersTable(users).enricher((r, u) -> {
                    UserProfile p = u.get(r.userId());
                    return p == null ? EnrichedReview.of(r, "unknown", "unknown", false) : EnrichedReview.of(r, p.segment(), p.country(), true);
                })
                .alerts(ClickHouseSinkConfig.builder().server(ClickHouse.endpoint()).table(name).build())
                .historyTable(workspace.resolve(name).toString()).parallelism(parallelism).batching(batch, Duration.ofMillis(batchWaitMillis))
                .encoder(org.streamlab.sentiment.EncoderOptions.defaults().withIntraOpThreads(threads));
    }

    static String review(int i, String text, long sentAt) {
        String quoted = com.fasterxml.jackson.databind.node.TextNode.valueOf(text).toString();
        return "{\"eventId\":\"r-" + i + "\",\"userId\":\"u-" + (i % 3) + "\",\"productId\":\"p-" + (i % 11) + "\",\"text\":" + quoted + ",\"eventTime\":" + sentAt + "}";
    }

    static void throughput(Path workspace, SentimentHead head, String users, List<String> texts, int backlog, int parallelism, int batch) throws Exception {
        String topic = "bench_backlog";
        createTopic(topic);
        try (KafkaProducer<String, String> p = Kafka.producer()) {
            for (int i = 0; i < backlog; i++) {
                p.send(new ProducerRecord<>(topic, "u-" + (i % 3), review(i, texts.get(i % texts.size()), System.currentTimeMillis())));
            }
        }
        encoderAlone(texts, backlog, batch);
        pipelineLog.clear();
        long t0 = System.nanoTime();
        SentimentPipelineResult r = new SentimentPipeline(config(workspace, head, users, topic, parallelism, batch).bounded(true).build()).run(Flink.newEnv());
        double secs = (System.nanoTime() - t0) / 1e9;
        System.out.printf("throughput: %d reviews scored in %.1f s = %.0f reviews/s end to end (parallelism %d, batch %d, %d batches, %d alerts; load %s)%n",
                r.reviewsScored(), secs, r.reviewsScored() / secs, parallelism, batch, r.batches(), r.alerts(), loadAverage());
        Long steady = r.scorerStats().get("first-to-last-batch");
        if (steady != null && steady > 0) {
            System.out.printf("  first to last batch: %.1f s = %.0f reviews/s (without job start and end)%n", steady / 1000.0, r.reviewsScored() * 1000.0 / steady);
        }
        System.out.printf("  settings: onnx threads %d, batch wait %d ms; scorer (ms summed over subtasks; batch counts): %s%n", threads, batchWaitMillis, r.scorerStats());
        printSinkCosts();
    }

    /**
     * The ceiling in the same conditions: one encoder with the pipeline's options over the same texts in the same
     * order, in micro-batches of {@code batch} (each sorted by length inside, as the scorer does), nothing else.
     */
    static void encoderAlone(List<String> texts, int backlog, int batch) {
        try (SentenceEncoder encoder = SentenceEncoder.open(org.streamlab.sentiment.EncoderOptions.defaults().withIntraOpThreads(threads))) {
            encoder.embed(texts.subList(0, Math.min(64, texts.size()))); // warm-up
            long t0 = System.nanoTime();
            for (int start = 0; start < backlog; start += batch) {
                List<String> chunk = new ArrayList<>(batch);
                for (int i = start; i < Math.min(backlog, start + batch); i++) {
                    chunk.add(texts.get(i % texts.size()));
                }
                encoder.embed(chunk);
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            System.out.printf("encoder alone (same texts, micro-batches of %d, %d onnx thread(s)): %.0f reviews/s (%s; load %s)%n",
                    batch, threads, backlog / secs, encoder.timings(), loadAverage());
        }
    }

    /** Sums the Delta commit and ClickHouse insert lines logged during the run. */
    static void printSinkCosts() {
        java.util.regex.Pattern delta = java.util.regex.Pattern.compile("holds (\\d+) rows of .* committed in (\\d+) ms");
        java.util.regex.Pattern ch = java.util.regex.Pattern.compile(": (\\d+) inserts, (\\d+) rows in (\\d+) ms");
        List<Long> commitMillis = new ArrayList<>();
        long deltaRows = 0, inserts = 0, chRows = 0, chMillis = 0;
        synchronized (pipelineLog) {
            for (String line : pipelineLog) {
                java.util.regex.Matcher m = delta.matcher(line);
                if (m.find()) {
                    deltaRows += Long.parseLong(m.group(1));
                    commitMillis.add(Long.parseLong(m.group(2)));
                }
                m = ch.matcher(line);
                if (m.find()) {
                    inserts += Long.parseLong(m.group(1));
                    chRows += Long.parseLong(m.group(2));
                    chMillis += Long.parseLong(m.group(3));
                }
            }
        }
        System.out.printf("  Delta history: %d commits, %d rows, commit time total %d ms, p50 %d ms, max %d ms; "
                        + "ClickHouse alerts (reported every 10 s): %d inserts, %d rows, %d ms%n",
                commitMillis.size(), deltaRows, commitMillis.stream().mapToLong(Long::longValue).sum(),
                percentile(commitMillis, 50), percentile(commitMillis, 100), inserts, chRows, chMillis);
    }

    /** Raises {@code logger} to INFO and keeps its lines in {@link #pipelineLog} (the kernel's log config sends them to a file at WARN). */
    static void captureInfoLines(String logger) {
        var context = (org.apache.logging.log4j.core.LoggerContext) org.apache.logging.log4j.LogManager.getContext(false);
        var appender = new org.apache.logging.log4j.core.appender.AbstractAppender("sentiment-bench", null, null, true,
                org.apache.logging.log4j.core.config.Property.EMPTY_ARRAY) {
            @Override
            public void append(org.apache.logging.log4j.core.LogEvent event) {
                pipelineLog.add(event.getMessage().getFormattedMessage());
            }
        };
        appender.start();
        var config = context.getConfiguration();
        var loggerConfig = new org.apache.logging.log4j.core.config.LoggerConfig(logger, org.apache.logging.log4j.Level.INFO, false);
        loggerConfig.addAppender(appender, org.apache.logging.log4j.Level.INFO, null);
        config.addLogger(logger, loggerConfig);
        context.updateLoggers();
    }

    static void latency(Path workspace, SentimentHead head, String users, List<String> texts, int rate, int seconds, int parallelism, int batch) throws Exception {
        String topic = "bench_live";
        createTopic(topic);
        SentimentPipelineConfig config = config(workspace, head, users, topic, parallelism, batch).build();
        StreamExecutionEnvironment env = Flink.newEnv();
        env.enableCheckpointing(checkpointMillis);
        Configuration noRestarts = new Configuration();
        noRestarts.setString("restart-strategy.type", "none");
        env.configure(noRestarts);
        JobClient job = new SentimentPipeline(config).start(env);
        Map<String, Long> sentAt = new ConcurrentHashMap<>();
        Map<String, Long> seenAt = new ConcurrentHashMap<>();
        ClickHouseHttpClient client = config.alerts().client();
        long runEnd = System.currentTimeMillis() + seconds * 1000L + 30_000;
        Thread poller = new Thread(() -> {
            long since = System.currentTimeMillis() / 1000 - 5;
            while (System.currentTimeMillis() < runEnd && !Thread.currentThread().isInterrupted()) {
                try {
                    String ids = client.query("SELECT event_id FROM " + topic + " WHERE scored_at >= toDateTime(" + since + ") FORMAT TabSeparated");
                    long now = System.currentTimeMillis();
                    for (String id : ids.isEmpty() ? new String[0] : ids.split("\n")) {
                        seenAt.putIfAbsent(id, now);
                    }
                    since = now / 1000 - 3;
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    System.out.println("poller: " + e.getMessage());
                }
            }
        }, "alert-poller");
        poller.start();
        pipelineLog.clear();
        Thread.sleep(3_000); // the job's first checkpoint and model load before the clock starts
        try (KafkaProducer<String, String> p = Kafka.producer()) {
            long start = System.nanoTime();
            int total = rate * seconds;
            for (int i = 0; i < total; i++) {
                long due = start + (long) (i * 1e9 / rate);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                long now = System.currentTimeMillis();
                sentAt.put("r-" + i, now);
                p.send(new ProducerRecord<>(topic, "u-" + (i % 3), review(i, texts.get(i % texts.size()), now)));
            }
        }
        long lagAtEnd = rate * (long) seconds - JobControl.consumed(Kafka.bootstrapServers(), topic);
        Thread.sleep(10_000);
        poller.interrupt();
        poller.join();
        Map<String, Object> accumulators = job.getAccumulators().get(60, TimeUnit.SECONDS);
        job.cancel().get(60, TimeUnit.SECONDS);
        List<Long> latencies = new ArrayList<>();
        seenAt.forEach((id, seen) -> {
            Long sent = sentAt.get(id);
            if (sent != null) {
                latencies.add(seen - sent);
            }
        });
        System.out.printf("latency at %d reviews/s for %d s: %d alerts seen; review sent -> alert visible in ClickHouse p50 %s, p95 %s, p99 %s, max %s; "
                        + "records not yet committed by the consumer group when the producer stopped: %d (load %s)%n",
                rate, seconds, latencies.size(), seconds(percentile(latencies, 50)), seconds(percentile(latencies, 95)),
                seconds(percentile(latencies, 99)), seconds(percentile(latencies, 100)), lagAtEnd, loadAverage());
        System.out.printf("  settings: parallelism %d, batch %d, onnx threads %d, batch wait %d ms, checkpoint every %d ms; scorer (ms summed over subtasks; batch counts): %s%n",
                parallelism, batch, threads, batchWaitMillis, checkpointMillis, SentimentPipelineResult.scorerStats(accumulators));
        printSinkCosts();
    }

    private static void createTopic(String topic) throws Exception {
        try (Admin admin = Kafka.admin()) {
            admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
    }
}
