package org.streamlab.pipelines;

import java.util.EnumMap;
import java.util.Map;

/** Why an input record went to the dead-letter topic instead of into the windows. */
public enum BadEventReason {
    /** The record's bytes are not valid UTF-8: decoding them would silently replace characters. */
    INVALID_ENCODING,
    /** The payload is not a JSON object (or is empty). */
    MALFORMED_JSON,
    /** A required field (eventId, userId, type, eventTime) is absent, null, empty or of the wrong type. */
    MISSING_FIELD,
    /** eventTime is further ahead of the job's clock than the configured horizon: it would drag the watermark
     *  forward and make every honest event late. */
    FUTURE_TIMESTAMP,
    /** A review whose text is empty or blank: there is nothing to score. */
    EMPTY_TEXT,
    /** The event came after its window had closed for good (watermark past window end + allowed lateness). */
    LATE;

    /** The name of the Flink accumulator and metric counter for this reason. */
    public String counterName() {
        return "dead-letters." + name();
    }

    /** Dead letters per reason from a finished job's accumulators (every reason present, 0 when none). */
    public static Map<BadEventReason, Long> counts(Map<String, Object> accumulators) {
        Map<BadEventReason, Long> out = new EnumMap<>(BadEventReason.class);
        for (BadEventReason r : values()) {
            Object v = accumulators.get(r.counterName());
            out.put(r, v == null ? 0L : ((Number) v).longValue());
        }
        return out;
    }
}
