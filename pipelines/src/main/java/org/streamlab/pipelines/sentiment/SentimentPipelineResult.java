package org.streamlab.pipelines.sentiment;

import java.util.Collections;
import java.util.Map;
import org.apache.flink.api.common.JobExecutionResult;
import org.streamlab.pipelines.BadEventReason;

/** What one run of the sentiment pipeline counted (a run's accumulators: what this run did, not its checkpoints' state). */
public record SentimentPipelineResult(String jobId, long reviewsParsed, long reviewsScored, long batches, long truncated,
                                      long unknownUsers, long alerts, Map<BadEventReason, Long> deadLetters) {

    public static SentimentPipelineResult of(JobExecutionResult r) {
        Map<String, Object> acc = r.getAllAccumulatorResults();
        return new SentimentPipelineResult(r.getJobID().toString(), number(acc, ReviewParser.PARSED_COUNTER),
                number(acc, MicroBatchScorer.SCORED_COUNTER), number(acc, MicroBatchScorer.BATCHES_COUNTER),
                number(acc, ReviewParser.TRUNCATED_COUNTER), number(acc, EnrichFromUsersTable.UNKNOWN_USERS_COUNTER),
                number(acc, SentimentPipeline.ALERTS_COUNTER), Collections.unmodifiableMap(BadEventReason.counts(acc)));
    }

    private static long number(Map<String, Object> acc, String name) {
        Object v = acc.get(name);
        return v == null ? 0L : ((Number) v).longValue();
    }

    /** All dead letters, whatever the reason. */
    public long deadLettersTotal() {
        return deadLetters.values().stream().mapToLong(Long::longValue).sum();
    }
}
