package org.streamlab.pipelines.sentiment;

import java.time.Instant;
import java.util.List;
import org.streamlab.pipelines.ClickHouseRows;
import org.streamlab.pipelines.delta.DeltaColumn;
import org.streamlab.pipelines.delta.DeltaRowMapper;
import org.streamlab.pipelines.delta.DeltaType;

/**
 * The pipeline's two outputs: alerts as rows of a ClickHouse table, and every enriched review as a row of the Delta
 * history table (what retraining and drift monitoring read later).
 */
public final class SentimentTables {
    private SentimentTables() {}

    /** Alert text is cut to this many characters in ClickHouse (the history keeps the scored text). */
    public static final int ALERT_TEXT_CHARS = 500;

    /**
     * Alerts into ClickHouse: {@code event_id String, user_id String, product_id String, segment String,
     * sentiment Float64, text String, event_time DateTime('UTC'), scored_at DateTime('UTC')}. The sink is
     * at-least-once: the table must keep one row per event id (a ReplacingMergeTree keyed by it) to be idempotent.
     */
    public static final ClickHouseRows<EnrichedReview> ALERT_ROWS = new ClickHouseRows<>() {
        @Override
        public String columns() {
            return "event_id, user_id, product_id, segment, sentiment, text, event_time, scored_at";
        }

        @Override
        public void append(StringBuilder tsv, EnrichedReview r) {
            ClickHouseRows.appendText(tsv, r.eventId()).append('\t');
            ClickHouseRows.appendText(tsv, r.userId()).append('\t');
            ClickHouseRows.appendText(tsv, r.productId() == null ? "" : r.productId()).append('\t');
            ClickHouseRows.appendText(tsv, r.segment() == null ? "" : r.segment()).append('\t');
            tsv.append(r.sentiment()).append('\t');
            String text = r.text().length() > ALERT_TEXT_CHARS ? r.text().substring(0, ALERT_TEXT_CHARS) : r.text();
            ClickHouseRows.appendText(tsv, text).append('\t');
            ClickHouseRows.appendUtcSeconds(tsv, r.eventTime()).append('\t');
            ClickHouseRows.appendUtcSeconds(tsv, r.scoredAt()).append('\n');
        }

        @Override
        public String tableHint() {
            return "does the alerts table exist with columns " + columns() + "?";
        }
    };

    /** The Delta history table's columns. */
    public static final List<DeltaColumn> HISTORY_COLUMNS = List.of(
            new DeltaColumn("event_id", DeltaType.STRING, false),
            new DeltaColumn("user_id", DeltaType.STRING, false),
            new DeltaColumn("product_id", DeltaType.STRING, true),
            new DeltaColumn("text", DeltaType.STRING, false),
            new DeltaColumn("event_time", DeltaType.TIMESTAMP, false),
            new DeltaColumn("truncated", DeltaType.BOOLEAN, false),
            new DeltaColumn("sentiment", DeltaType.DOUBLE, false),
            new DeltaColumn("scored_at", DeltaType.TIMESTAMP, false),
            new DeltaColumn("segment", DeltaType.STRING, true),
            new DeltaColumn("country", DeltaType.STRING, true),
            new DeltaColumn("known_user", DeltaType.BOOLEAN, false),
            new DeltaColumn("model", DeltaType.STRING, false));

    /**
     * An enriched review as a history row, with the model that scored it: the registry version the review carries
     * (a job following an alias), else {@code model}.
     */
    public static DeltaRowMapper<EnrichedReview> historyRow(String model) {
        return r -> new Object[] {r.eventId(), r.userId(), r.productId(), r.text(), Instant.ofEpochMilli(r.eventTime()),
                r.truncated(), r.sentiment(), Instant.ofEpochMilli(r.scoredAt()), r.segment(), r.country(), r.knownUser(),
                r.model() != null ? r.model() : model};
    }
}
