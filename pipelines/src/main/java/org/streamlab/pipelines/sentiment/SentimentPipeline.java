package org.streamlab.pipelines.sentiment;

import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichFilterFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.streamlab.kernel.UserError;
import org.streamlab.pipelines.ClickHouseSink;
import org.streamlab.pipelines.DeadLetterTopic;
import org.streamlab.pipelines.EventParser;
import org.streamlab.pipelines.JobControl;
import org.streamlab.pipelines.RawEvent;
import org.streamlab.pipelines.RawEventDeserializer;
import org.streamlab.pipelines.delta.DeltaSink;

/**
 * The course's real-time sentiment pipeline (Phase 5 / 02):
 * <pre>
 * Kafka reviews ─ parse ─┬─ score (micro-batches) ─ enrich from the Delta users table ─┬─ |sentiment| ≥ threshold ─ ClickHouse alerts
 *                        │                                                              └─ every review ─ Delta history
 *                        └─ bad records ─ Kafka dead-letter topic
 * </pre>
 * Exactly once, across a cancel and a restore from a checkpoint: the history sink commits each checkpoint's rows in
 * one Delta transaction with an idempotent transaction id, and the alerts table keeps one row per event id (the
 * ClickHouse sink is at-least-once; the table makes it idempotent). Every operator has a uid, so a checkpoint restores
 * into the same job built again.
 */
public final class SentimentPipeline {
    /** Accumulator: alerts sent to ClickHouse. */
    public static final String ALERTS_COUNTER = "alerts.emitted";

    private final SentimentPipelineConfig config;

    public SentimentPipeline(SentimentPipelineConfig config) {
        this.config = config;
    }

    public SentimentPipelineConfig config() {
        return config;
    }

    /** Adds the whole job to {@code env}. */
    public void addTo(StreamExecutionEnvironment env) {
        env.setParallelism(config.parallelism());
        KafkaSourceBuilder<RawEvent> source = KafkaSource.<RawEvent>builder()
                .setBootstrapServers(config.bootstrapServers())
                .setTopics(config.inputTopic())
                .setGroupId(config.groupId())
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setDeserializer(new RawEventDeserializer());
        if (config.bounded()) {
            source.setBounded(OffsetsInitializer.latest());
        }
        SingleOutputStreamOperator<Review> reviews = env
                .fromSource(source.build(), WatermarkStrategy.noWatermarks(), "kafka: " + config.inputTopic()).uid("kafka-reviews")
                .process(new ReviewParser(config.maxTextChars())).uid("parse-reviews").name("parse reviews");
        SingleOutputStreamOperator<EnrichedReview> enriched = reviews
                .transform("score sentiment", TypeInformation.of(ScoredReview.class),
                        new MicroBatchScorer(config.headSource(), config.encoder(), config.batchSize(), config.batchWaitMillis()))
                .uid("score-sentiment")
                .map(new EnrichFromUsersTable(config.usersTable(), config.enricher())).uid("enrich-users").name("enrich from users table");
        enriched.sinkTo(DeltaSink.<EnrichedReview>builder()
                        .tablePath(config.historyTable())
                        .columns(SentimentTables.HISTORY_COLUMNS)
                        .rowMapper(SentimentTables.historyRow(config.modelName()))
                        .applicationId(config.historyApplicationId())
                        .build())
                .uid("delta-history").name("Delta " + config.historyTable());
        enriched.filter(new IsAlert(config.alertThreshold())).uid("alerts").name("|sentiment| >= " + config.alertThreshold())
                .sinkTo(new ClickHouseSink<>(config.alerts(), SentimentTables.ALERT_ROWS))
                .uid("clickhouse-alerts").name("ClickHouse " + config.alerts().qualifiedTable());
        reviews.getSideOutput(EventParser.DEAD_LETTERS)
                .sinkTo(DeadLetterTopic.sink(config.bootstrapServers(), config.deadLetterTopic()))
                .uid("dead-letters").name("kafka: " + config.deadLetterTopic());
    }

    /**
     * Checks what can be checked before submitting, each with a readable error: the input topic (the dead-letter topic
     * is created), the head (a champion alias must exist), ClickHouse and the alerts table, the users table.
     */
    public void prepare() {
        JobControl.ensureTopics(config.bootstrapServers(), config.inputTopic(), config.deadLetterTopic());
        config.headSource().open().close();   // a champion alias that does not exist (yet) fails here, readably
        config.alerts().checkTableExists("create the alerts table first (its columns: " + SentimentTables.ALERT_ROWS.columns() + ")");
        EnrichFromUsersTable.loadUsers(config.usersTable());
    }

    /** Submits the job and returns at once (an unbounded job runs until stopped or cancelled through the client). */
    public JobClient start(StreamExecutionEnvironment env) {
        prepare();
        addTo(env);
        try {
            return env.executeAsync(config.jobName());
        } catch (Exception e) {
            throw explain(e);
        }
    }

    /** Runs a bounded job to its end (an interrupt cancels it) and returns its counters. */
    public SentimentPipelineResult run(StreamExecutionEnvironment env) {
        if (!config.bounded()) {
            throw new IllegalStateException("run() waits for the end of the job: use start() for an unbounded job (bounded(false))");
        }
        JobClient job = start(env);
        try {
            return SentimentPipelineResult.of(job.getJobExecutionResult().get());
        } catch (InterruptedException e) {
            job.cancel();
            Thread.currentThread().interrupt();
            throw new UserError("interrupted: the sentiment pipeline " + job.getJobID() + " was cancelled", null, e);
        } catch (Exception e) {
            throw explain(e);
        }
    }

    /** The counters of a job that ended (finished, or stopped with a savepoint). */
    public static SentimentPipelineResult resultOf(JobClient job) throws Exception {
        JobExecutionResult r = job.getJobExecutionResult().get(120, java.util.concurrent.TimeUnit.SECONDS);
        return SentimentPipelineResult.of(r);
    }

    static RuntimeException explain(Exception e) {
        return JobControl.explainFailure(e, "the sentiment pipeline", "the alerts table keeps one row per event id and the "
                + "history commits once per checkpoint, so nothing is doubled");
    }

    /** Keeps reviews whose |sentiment| reaches the threshold, and counts them. */
    static final class IsAlert extends RichFilterFunction<EnrichedReview> {
        private final double threshold;
        private transient LongCounter alerts;

        IsAlert(double threshold) {
            this.threshold = threshold;
        }

        @Override
        public void open(OpenContext openContext) {
            alerts = getRuntimeContext().getLongCounter(ALERTS_COUNTER);
        }

        @Override
        public boolean filter(EnrichedReview r) {
            boolean alert = Math.abs(r.sentiment()) >= threshold;
            if (alert) {
                alerts.add(1);
            }
            return alert;
        }
    }
}
