package org.streamlab.pipelines;

import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;

/**
 * Everything the per-user window job needs, in one object:
 * <pre>{@code
 * UserWindowJobConfig config = UserWindowJobConfig.builder()
 *         .bootstrapServers(Kafka.bootstrapServers())
 *         .inputTopic("clicks").deadLetterTopic("clicks-dead-letters")
 *         .clickHouse(ClickHouseSinkConfig.builder().server(ClickHouse.endpoint()).table("user_window_counts").build())
 *         .window(Duration.ofMinutes(1)).outOfOrderness(Duration.ofMinutes(3)).allowedLateness(Duration.ZERO)
 *         .build();
 * }</pre>
 * Bounded (default): the job reads the input topic up to the end offsets it sees at start, then finishes: a
 * re-run reads the same records. Unbounded: it runs until cancelled.
 */
public final class UserWindowJobConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String bootstrapServers;
    private final String inputTopic;
    private final String deadLetterTopic;
    private final String groupId;
    private final ClickHouseSinkConfig clickHouse;
    private final Duration window;
    private final Duration outOfOrderness;
    private final Duration allowedLateness;
    private final Duration futureHorizon;
    private final Duration idleness;
    private final boolean bounded;
    private final int parallelism;
    private final String jobName;
    private final boolean checkClickHouseFirst;
    private final boolean watermarkPerEvent;

    private UserWindowJobConfig(Builder b) {
        this.bootstrapServers = b.bootstrapServers;
        this.inputTopic = b.inputTopic;
        this.deadLetterTopic = b.deadLetterTopic == null ? b.inputTopic + "-dead-letters" : b.deadLetterTopic;
        this.groupId = b.groupId == null ? "streamlab-user-windows" : b.groupId;
        this.clickHouse = b.clickHouse;
        this.window = b.window;
        this.outOfOrderness = b.outOfOrderness;
        this.allowedLateness = b.allowedLateness;
        this.futureHorizon = b.futureHorizon;
        this.idleness = b.idleness;
        this.bounded = b.bounded;
        this.parallelism = b.parallelism;
        this.jobName = b.jobName == null ? "user windows: " + b.inputTopic + " -> ClickHouse " + b.clickHouse.qualifiedTable() : b.jobName;
        this.checkClickHouseFirst = b.checkClickHouseFirst;
        this.watermarkPerEvent = b.watermarkPerEvent;
    }

    public static Builder builder() {
        return new Builder();
    }

    public String bootstrapServers() { return bootstrapServers; }
    public String inputTopic() { return inputTopic; }
    public String deadLetterTopic() { return deadLetterTopic; }
    public String groupId() { return groupId; }
    public ClickHouseSinkConfig clickHouse() { return clickHouse; }
    public Duration window() { return window; }
    public Duration outOfOrderness() { return outOfOrderness; }
    public Duration allowedLateness() { return allowedLateness; }
    public Duration futureHorizon() { return futureHorizon; }
    /** Null when idle partitions are not marked idle. */
    public Duration idleness() { return idleness; }
    public boolean bounded() { return bounded; }
    public int parallelism() { return parallelism; }
    public String jobName() { return jobName; }
    public boolean checkClickHouseFirst() { return checkClickHouseFirst; }
    public boolean watermarkPerEvent() { return watermarkPerEvent; }

    @Override
    public String toString() {
        return "UserWindowJobConfig{" + inputTopic + " @ " + bootstrapServers + " -> " + clickHouse + "; dead letters -> "
                + deadLetterTopic + "; window " + window + ", out-of-orderness " + outOfOrderness + ", allowed lateness "
                + allowedLateness + ", future horizon " + futureHorizon + (bounded ? ", bounded" : ", unbounded") + "}";
    }

    public static final class Builder {
        private String bootstrapServers;
        private String inputTopic;
        private String deadLetterTopic;
        private String groupId;
        private ClickHouseSinkConfig clickHouse;
        private Duration window = Duration.ofMinutes(1);
        private Duration outOfOrderness = Duration.ofSeconds(5);
        private Duration allowedLateness = Duration.ZERO;
        private Duration futureHorizon = Duration.ofHours(1);
        private Duration idleness;
        private boolean bounded = true;
        private int parallelism = 1;
        private String jobName;
        private boolean checkClickHouseFirst = true;
        private boolean watermarkPerEvent;

        private Builder() {}

        public Builder bootstrapServers(String servers) { this.bootstrapServers = servers; return this; }
        public Builder inputTopic(String topic) { this.inputTopic = topic; return this; }
        /** Default: the input topic's name + "-dead-letters". Created (1 partition) if missing. */
        public Builder deadLetterTopic(String topic) { this.deadLetterTopic = topic; return this; }
        public Builder groupId(String groupId) { this.groupId = groupId; return this; }
        public Builder clickHouse(ClickHouseSinkConfig clickHouse) { this.clickHouse = clickHouse; return this; }
        /** Tumbling event-time window size (default 1 minute). */
        public Builder window(Duration size) { this.window = size; return this; }
        /** Watermark bound: how far behind the largest event time seen an event may still arrive on time. */
        public Builder outOfOrderness(Duration bound) { this.outOfOrderness = bound; return this; }
        /** How long after the watermark passes a window's end late events still update it; later ones are dead letters (LATE). */
        public Builder allowedLateness(Duration lateness) { this.allowedLateness = lateness; return this; }
        /** Events whose eventTime is further ahead of the job's clock are dead letters (FUTURE_TIMESTAMP). */
        public Builder futureHorizon(Duration horizon) { this.futureHorizon = horizon; return this; }
        /** Marks a Kafka partition idle after this long without records, so it does not hold the watermark back. */
        public Builder idleness(Duration idleness) { this.idleness = idleness; return this; }
        /** True (default): stop at the end offsets seen at start. False: run until cancelled. */
        public Builder bounded(boolean bounded) { this.bounded = bounded; return this; }
        public Builder parallelism(int parallelism) { this.parallelism = parallelism; return this; }
        public Builder jobName(String name) { this.jobName = name; return this; }
        /** True (default): before submitting, check that ClickHouse answers and the table exists. */
        public Builder checkClickHouseFirst(boolean check) { this.checkClickHouseFirst = check; return this; }

        /**
         * True: a watermark after every event instead of every 200 ms of wall clock, so which events are late depends
         * on the input order only (reproducible lessons and tests; costs throughput). Default false.
         */
        public Builder watermarkPerEvent(boolean perEvent) { this.watermarkPerEvent = perEvent; return this; }

        public UserWindowJobConfig build() {
            Objects.requireNonNull(bootstrapServers, "UserWindowJobConfig: bootstrapServers is required (Kafka.bootstrapServers() in a notebook)");
            Objects.requireNonNull(inputTopic, "UserWindowJobConfig: inputTopic is required");
            Objects.requireNonNull(clickHouse, "UserWindowJobConfig: clickHouse (a ClickHouseSinkConfig) is required");
            if (window.isNegative() || window.isZero() || outOfOrderness.isNegative() || allowedLateness.isNegative()
                    || futureHorizon.isNegative() || parallelism < 1) {
                throw new IllegalArgumentException("UserWindowJobConfig: window > 0, outOfOrderness, allowedLateness and futureHorizon >= 0, parallelism >= 1");
            }
            return new UserWindowJobConfig(this);
        }
    }
}
