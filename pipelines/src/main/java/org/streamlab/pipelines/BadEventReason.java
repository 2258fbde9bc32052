package org.streamlab.pipelines;

/** Why an input record went to the dead-letter topic instead of into the windows. */
public enum BadEventReason {
    /** The payload is not a JSON object (or is empty). */
    MALFORMED_JSON,
    /** A required field (eventId, userId, type, eventTime) is absent, null, empty or of the wrong type. */
    MISSING_FIELD,
    /** eventTime is further ahead of the job's clock than the configured horizon: it would drag the watermark
     *  forward and make every honest event late. */
    FUTURE_TIMESTAMP,
    /** The event came after its window had closed for good (watermark past window end + allowed lateness). */
    LATE;

    /** The name of the Flink accumulator and metric counter for this reason. */
    public String counterName() {
        return "dead-letters." + name();
    }
}
