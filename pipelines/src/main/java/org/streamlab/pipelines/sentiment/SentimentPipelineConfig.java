package org.streamlab.pipelines.sentiment;

import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;
import org.streamlab.pipelines.ClickHouseSinkConfig;
import org.streamlab.sentiment.EncoderOptions;
import org.streamlab.sentiment.SentimentHead;

/**
 * What the sentiment pipeline reads, scores with, enriches from and writes to.
 * <pre>{@code
 * SentimentPipelineConfig config = SentimentPipelineConfig.builder()
 *         .bootstrapServers(Kafka.bootstrapServers()).inputTopic("reviews").groupId("sentiment")
 *         .head(head)                                   // a trained SentimentHead, or:
 *         // .champion(server.uri(), "review-sentiment", "champion")   the version an MLflow alias points to
 *         .usersTable(usersPath).enricher(myEnricher)   // the Delta users table and the join
 *         .alerts(ClickHouseSinkConfig.builder().server(ClickHouse.endpoint()).table("sentiment_alerts").build())
 *         .alertThreshold(0.8).historyTable(historyPath)
 *         .build();
 * }</pre>
 */
public final class SentimentPipelineConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String bootstrapServers;
    private final String inputTopic;
    private final String groupId;
    private final String deadLetterTopic;
    private final boolean bounded;
    private final SentimentHead head;
    private final HeadSource headSource;
    private final String modelName;
    private final EncoderOptions encoder;
    private final int batchSize;
    private final long batchWaitMillis;
    private final int maxTextChars;
    private final String usersTable;
    private final UserEnricher enricher;
    private final ClickHouseSinkConfig alerts;
    private final double alertThreshold;
    private final String historyTable;
    private final String historyApplicationId;
    private final int parallelism;
    private final String jobName;

    private SentimentPipelineConfig(Builder b) {
        bootstrapServers = b.bootstrapServers;
        inputTopic = b.inputTopic;
        groupId = b.groupId;
        deadLetterTopic = b.deadLetterTopic != null ? b.deadLetterTopic : b.inputTopic + "-dead-letters";
        bounded = b.bounded;
        head = b.head;
        headSource = b.championUri != null
                ? HeadSource.champion(b.championUri, b.championModel, b.championAlias, b.championRefresh)
                : HeadSource.fixed(b.head);
        modelName = b.modelName;
        encoder = b.encoder;
        batchSize = b.batchSize;
        batchWaitMillis = b.batchWait.toMillis();
        maxTextChars = b.maxTextChars;
        usersTable = b.usersTable;
        enricher = b.enricher;
        alerts = b.alerts;
        alertThreshold = b.alertThreshold;
        historyTable = b.historyTable;
        historyApplicationId = b.historyApplicationId;
        parallelism = b.parallelism;
        jobName = b.jobName;
    }

    public static Builder builder() {
        return new Builder();
    }

    public String bootstrapServers() { return bootstrapServers; }
    public String inputTopic() { return inputTopic; }
    public String groupId() { return groupId; }
    public String deadLetterTopic() { return deadLetterTopic; }
    /** True: read the topic up to its end offsets at start and finish; false: run until stopped. */
    public boolean bounded() { return bounded; }
    /** The fixed head; null when the job follows a registry alias ({@link #headSource()}). */
    public SentimentHead head() { return head; }
    /** Where the scorer takes its head from: the fixed head, or a registry alias. */
    public HeadSource headSource() { return headSource; }
    /** The model's name in the history table (which model scored a row). */
    public String modelName() { return modelName; }
    public EncoderOptions encoder() { return encoder; }
    public int batchSize() { return batchSize; }
    public long batchWaitMillis() { return batchWaitMillis; }
    public int maxTextChars() { return maxTextChars; }
    public String usersTable() { return usersTable; }
    public UserEnricher enricher() { return enricher; }
    public ClickHouseSinkConfig alerts() { return alerts; }
    /** A review is an alert when |sentiment| is at least this. */
    public double alertThreshold() { return alertThreshold; }
    public String historyTable() { return historyTable; }
    /** The Delta transaction application id of the history sink (see {@code DeltaSink}). */
    public String historyApplicationId() { return historyApplicationId; }
    public int parallelism() { return parallelism; }
    public String jobName() { return jobName; }

    @Override
    public String toString() {
        return "sentiment pipeline: kafka " + bootstrapServers + " topic " + inputTopic + (bounded ? " (bounded)" : "") + ", group " + groupId
                + ", dead letters to " + deadLetterTopic + "; model " + (head != null ? modelName : headSource) + " (batches of " + batchSize + ", wait " + batchWaitMillis
                + " ms, texts cut at " + maxTextChars + " chars); users " + usersTable + "; alerts |sentiment| >= " + alertThreshold
                + " to ClickHouse " + alerts.url() + " " + alerts.qualifiedTable() + "; history " + historyTable + " (app id "
                + historyApplicationId + "); parallelism " + parallelism;
    }

    public static final class Builder {
        private String bootstrapServers;
        private String inputTopic = "reviews";
        private String groupId = "sentiment-pipeline";
        private String deadLetterTopic;
        private boolean bounded;
        private SentimentHead head;
        private String championUri;
        private String championModel;
        private String championAlias;
        private Duration championRefresh = Duration.ofSeconds(2);
        private String modelName = "all-MiniLM-L6-v2-q+logistic-regression";
        private EncoderOptions encoder = EncoderOptions.defaults();
        // 256, not the encoder's 32: the scorer sorts a micro-batch by length before cutting it into the encoder's
        // batches, so a larger one pads less (backlog: 343 vs 225 reviews/s, README "Benchmarks"); below the
        // throughput, batches close at batchWait anyway, so the larger size costs no latency
        private int batchSize = 256;
        private Duration batchWait = Duration.ofMillis(50);
        private int maxTextChars = 2_000;
        private String usersTable;
        private UserEnricher enricher;
        private ClickHouseSinkConfig alerts;
        private double alertThreshold = 0.8;
        private String historyTable;
        private String historyApplicationId = "sentiment-history";
        private int parallelism = 1;
        private String jobName = "sentiment pipeline";

        private Builder() {}

        public Builder bootstrapServers(String servers) { this.bootstrapServers = servers; return this; }
        public Builder inputTopic(String topic) { this.inputTopic = topic; return this; }
        /** The consumer group the Kafka source commits its checkpointed offsets to (for lag, not for recovery). */
        public Builder groupId(String groupId) { this.groupId = groupId; return this; }
        /** Default: the input topic's name + "-dead-letters". */
        public Builder deadLetterTopic(String topic) { this.deadLetterTopic = topic; return this; }
        public Builder bounded(boolean bounded) { this.bounded = bounded; return this; }
        /** The trained logistic-regression head on top of the sentence encoder. */
        public Builder head(SentimentHead head) { this.head = head; return this; }
        /**
         * Instead of a fixed head: the version {@code alias} points to in the MLflow registry at {@code trackingUri},
         * reloaded when the alias moves (looked up before a batch, at most every {@link #championRefresh}); each
         * history row records the version that scored it ({@code models:/MODEL/VERSION}).
         */
        public Builder champion(String trackingUri, String model, String alias) {
            this.championUri = trackingUri;
            this.championModel = model;
            this.championAlias = alias;
            return this;
        }
        /** How often a job following an alias looks it up (default 2 s). */
        public Builder championRefresh(Duration every) { this.championRefresh = every; return this; }
        public Builder modelName(String name) { this.modelName = name; return this; }
        public Builder encoder(EncoderOptions options) { this.encoder = options; return this; }
        /**
         * Reviews per scoring micro-batch (default 256), and how long the first review of a batch may wait for the rest
         * (default 50 ms). The encoder sorts a micro-batch by length and runs it in its own batches
         * ({@link EncoderOptions#batchSize()}, 32): the larger the micro-batch, the less padding is computed.
         */
        public Builder batching(int batchSize, Duration maxWait) { this.batchSize = batchSize; this.batchWait = maxWait; return this; }
        /** Longer texts are cut to this many characters before scoring (the encoder reads its first tokens only). */
        public Builder maxTextChars(int chars) { this.maxTextChars = chars; return this; }
        /** The Delta table of users (columns user_id, segment, country), by path. */
        public Builder usersTable(String path) { this.usersTable = path; return this; }
        public Builder enricher(UserEnricher enricher) { this.enricher = enricher; return this; }
        /** Where alerts go: a ClickHouse table with {@link SentimentTables#ALERT_ROWS}' columns. */
        public Builder alerts(ClickHouseSinkConfig alerts) { this.alerts = alerts; return this; }
        public Builder alertThreshold(double threshold) { this.alertThreshold = threshold; return this; }
        /** The Delta table every enriched review is appended to (created by the job if missing), by path. */
        public Builder historyTable(String path) { this.historyTable = path; return this; }
        /**
         * The id under which the history sink commits (default "sentiment-history"). A job that is not restored from a
         * checkpoint needs an id the table has not seen: Delta would take its commits for repeats of the old job's.
         */
        public Builder historyApplicationId(String id) { this.historyApplicationId = id; return this; }
        public Builder parallelism(int parallelism) { this.parallelism = parallelism; return this; }
        public Builder jobName(String name) { this.jobName = name; return this; }

        public SentimentPipelineConfig build() {
            require(bootstrapServers, "bootstrapServers (Kafka's address, e.g. Kafka.bootstrapServers())");
            if ((head == null) == (championUri == null)) {
                throw new IllegalArgumentException("SentimentPipelineConfig: give either head (a trained SentimentHead) or "
                        + "champion (a registry alias), " + (head == null ? "not neither" : "not both"));
            }
            if (championUri != null) {
                require(championModel, "the champion's registered model name");
                require(championAlias, "the champion's alias");
                if (championRefresh.isNegative()) {
                    throw new IllegalArgumentException("SentimentPipelineConfig: championRefresh must not be negative");
                }
            }
            require(usersTable, "usersTable (the path of the users Delta table)");
            require(enricher, "enricher (how a scored review is joined with its author's profile)");
            require(alerts, "alerts (the ClickHouseSinkConfig of the alerts table)");
            require(historyTable, "historyTable (the path of the Delta history table)");
            if (!(alertThreshold > 0 && alertThreshold <= 1)) {
                throw new IllegalArgumentException("SentimentPipelineConfig: alertThreshold must be in (0, 1], got " + alertThreshold);
            }
            if (batchSize < 1 || batchWait.toMillis() < 1 || maxTextChars < 1 || parallelism < 1) {
                throw new IllegalArgumentException("SentimentPipelineConfig: batch size, batch wait (ms), maxTextChars and parallelism must be at least 1");
            }
            return new SentimentPipelineConfig(this);
        }

        private static void require(Object value, String what) {
            Objects.requireNonNull(value, () -> "SentimentPipelineConfig: " + what + " is required");
        }
    }
}
