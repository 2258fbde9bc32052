package org.streamlab.pipelines;

import java.time.Instant;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.streamlab.kernel.UserError;

/**
 * The course's per-user window job: Kafka topic of JSON clickstream events -> parse (bad records to the
 * dead-letter topic) -> event-time watermarks -> keyBy user -> tumbling windows -> count -> ClickHouse, idempotently.
 * <pre>{@code
 * UserWindowJobResult r = new UserWindowJob(config).run(Flink.newEnv());
 * r.deadLetters();   // {MALFORMED_JSON=3, MISSING_FIELD=2, FUTURE_TIMESTAMP=1, LATE=0}
 * }</pre>
 * Late events beyond the allowed lateness also become dead letters (reason LATE), so nothing is dropped silently.
 * Their payload is the parsed event as JSON (the window operator holds parsed events, not the original bytes).
 */
public final class UserWindowJob {
    /** Events that arrived after their window closed for good. */
    public static final OutputTag<ClickEvent> LATE = new OutputTag<>("late", TypeInformation.of(ClickEvent.class));
    /** Accumulator: window results emitted (a window that fires again with late events counts again). */
    public static final String WINDOW_FIRINGS_COUNTER = "window.firings";

    private final UserWindowJobConfig config;

    public UserWindowJob(UserWindowJobConfig config) {
        this.config = config;
    }

    public UserWindowJobConfig config() {
        return config;
    }

    /** Parsed events, and the parser's dead letters through {@code getSideOutput(EventParser.DEAD_LETTERS)}. */
    public SingleOutputStreamOperator<ClickEvent> events(StreamExecutionEnvironment env) {
        KafkaSourceBuilder<RawEvent> source = KafkaSource.<RawEvent>builder()
                .setBootstrapServers(config.bootstrapServers())
                .setTopics(config.inputTopic())
                .setGroupId(config.groupId())
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setDeserializer(new RawEventDeserializer());
        if (config.bounded()) {
            source.setBounded(OffsetsInitializer.latest());
        }
        return env.fromSource(source.build(), WatermarkStrategy.noWatermarks(), "kafka: " + config.inputTopic())
                .process(new EventParser(config.futureHorizon())).name("parse events");
    }

    /** Per-user window counts from parsed events; late events through {@code getSideOutput(LATE)}. */
    public SingleOutputStreamOperator<UserWindowCount> windows(DataStream<ClickEvent> events) {
        long bound = config.outOfOrderness().toMillis();
        WatermarkStrategy<ClickEvent> watermarks = (config.watermarkPerEvent()
                ? WatermarkStrategy.<ClickEvent>forGenerator(ctx -> new EveryEventWatermarks(bound))
                : WatermarkStrategy.<ClickEvent>forBoundedOutOfOrderness(config.outOfOrderness()))
                .withTimestampAssigner((e, previous) -> e.eventTime());
        if (config.idleness() != null) {
            watermarks = watermarks.withIdleness(config.idleness());
        }
        return events.assignTimestampsAndWatermarks(watermarks).name("event-time watermarks")
                .keyBy(ClickEvent::userId)
                .window(TumblingEventTimeWindows.of(config.window()))
                .allowedLateness(config.allowedLateness())
                .sideOutputLateData(LATE)
                .aggregate(new CountEvents(), new EmitUserWindow()).name("count per user and window");
    }

    /** Adds the whole job (sources, windows, both sinks) to {@code env}. */
    public void addTo(StreamExecutionEnvironment env) {
        env.setParallelism(config.parallelism());
        SingleOutputStreamOperator<ClickEvent> events = events(env);
        SingleOutputStreamOperator<UserWindowCount> windows = windows(events);
        windows.sinkTo(new ClickHouseSink<>(config.clickHouse(), WindowTable.ROWS)).name("ClickHouse " + config.clickHouse().qualifiedTable());
        long windowMillis = config.window().toMillis();
        events.getSideOutput(EventParser.DEAD_LETTERS)
                .union(windows.getSideOutput(LATE).map(new LateToDeadLetter(windowMillis, config.inputTopic())).name("late events"))
                .sinkTo(DeadLetterTopic.sink(config.bootstrapServers(), config.deadLetterTopic())).name("kafka: " + config.deadLetterTopic());
    }

    /**
     * Runs the bounded job to its end and returns its counters. Fails with a {@link UserError} naming ClickHouse
     * when ClickHouse is down (before submitting, or after the sink's retries).
     */
    public UserWindowJobResult run(StreamExecutionEnvironment env) {
        if (!config.bounded()) {
            throw new IllegalStateException("run() waits for the end of the job: use start() for an unbounded job (bounded(false))");
        }
        prepare();
        addTo(env);
        long start = System.nanoTime();
        JobExecutionResult result;
        try {
            // executeAsync + the job's result: waits for the end whatever execution.attached says, and gets the accumulators
            JobClient client = env.executeAsync(config.jobName());
            try {
                result = client.getJobExecutionResult().get();
            } catch (InterruptedException e) {
                client.cancel();
                Thread.currentThread().interrupt();
                throw new UserError("interrupted: the window job " + client.getJobID() + " was cancelled", null, e);
            }
        } catch (UserError e) {
            throw e;
        } catch (Exception e) {
            throw explain(e);
        }
        return UserWindowJobResult.of(result, (System.nanoTime() - start) / 1_000_000);
    }

    /** Submits the job and returns at once (for unbounded jobs: cancel it with {@code client.cancel()}). */
    public JobClient start(StreamExecutionEnvironment env) {
        prepare();
        addTo(env);
        try {
            return env.executeAsync(config.jobName());
        } catch (Exception e) {
            throw explain(e);
        }
    }

    /** Checks what can be checked before submitting: the input topic, the dead-letter topic (created), ClickHouse and the table. */
    public void prepare() {
        JobControl.ensureTopics(config.bootstrapServers(), config.inputTopic(), config.deadLetterTopic());
        if (config.checkClickHouseFirst()) {
            config.clickHouse().checkTableExists("create it first, e.g. with WindowTable.createSql(\"" + config.clickHouse().qualifiedTable() + "\")");
        }
    }

    static RuntimeException explain(Exception e) {
        return JobControl.explainFailure(e, "the window job", "the table keeps one row per (user, window), so rows written "
                + "before the failure are replaced, not doubled");
    }

    /** Bounded out-of-orderness with a watermark after every event: lateness decided by input order alone. */
    static final class EveryEventWatermarks implements WatermarkGenerator<ClickEvent> {
        private final long boundMillis;
        private long maxTimestamp = Long.MIN_VALUE + 1;

        EveryEventWatermarks(long boundMillis) {
            this.boundMillis = boundMillis;
        }

        @Override
        public void onEvent(ClickEvent e, long timestamp, WatermarkOutput output) {
            if (timestamp > maxTimestamp) {
                maxTimestamp = timestamp;
                output.emitWatermark(new Watermark(maxTimestamp - boundMillis - 1));
            }
        }

        @Override
        public void onPeriodicEmit(WatermarkOutput output) {}
    }

    /** Counts events incrementally: the window keeps one long per user, not the events. */
    static final class CountEvents implements AggregateFunction<ClickEvent, Long, Long> {
        @Override public Long createAccumulator() { return 0L; }
        @Override public Long add(ClickEvent e, Long n) { return n + 1; }
        @Override public Long getResult(Long n) { return n; }
        @Override public Long merge(Long a, Long b) { return a + b; }
    }

    /** Adds the user and the window's bounds to the count. */
    static final class EmitUserWindow extends ProcessWindowFunction<Long, UserWindowCount, String, TimeWindow> {
        private transient LongCounter firings;

        @Override
        public void open(OpenContext openContext) {
            firings = new LongCounter();
            getRuntimeContext().addAccumulator(WINDOW_FIRINGS_COUNTER, firings);
        }

        @Override
        public void process(String user, Context ctx, Iterable<Long> counts, Collector<UserWindowCount> out) {
            firings.add(1);
            out.collect(new UserWindowCount(user, ctx.window().getStart(), ctx.window().getEnd(), counts.iterator().next()));
        }
    }

    /** A late event as a dead letter, counted like the parser's. */
    static final class LateToDeadLetter extends RichMapFunction<ClickEvent, DeadLetter> {
        private final long windowMillis;
        private final String topic;
        private transient DeadLetterCounters deadLetters;

        LateToDeadLetter(long windowMillis, String topic) {
            this.windowMillis = windowMillis;
            this.topic = topic;
        }

        @Override
        public void open(OpenContext openContext) {
            deadLetters = new DeadLetterCounters(getRuntimeContext(), java.util.EnumSet.of(BadEventReason.LATE));
        }

        @Override
        public DeadLetter map(ClickEvent e) {
            long start = e.eventTime() - Math.floorMod(e.eventTime(), windowMillis);
            String payload = "{\"eventId\":" + quote(e.eventId()) + ",\"userId\":" + quote(e.userId()) + ",\"type\":"
                    + quote(e.type()) + ",\"eventTime\":" + e.eventTime() + "}";
            return deadLetters.count(new DeadLetter(BadEventReason.LATE, "its window [" + Instant.ofEpochMilli(start) + ", "
                    + Instant.ofEpochMilli(start + windowMillis) + ") had closed (watermark past its end + allowed lateness)",
                    payload, topic));
        }

        private static String quote(String s) {
            return com.fasterxml.jackson.databind.node.TextNode.valueOf(s).toString();
        }
    }
}
