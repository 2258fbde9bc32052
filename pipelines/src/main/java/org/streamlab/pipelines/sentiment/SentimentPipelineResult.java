package org.streamlab.pipelines.sentiment;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.JobExecutionResult;
import org.streamlab.pipelines.BadEventReason;

/** What one run of the sentiment pipeline counted (a run's accumulators: what this run did, not its checkpoints' state). */
public record SentimentPipelineResult(String jobId, long reviewsParsed, long reviewsScored, long batches, long truncated,
                                      long unknownUsers, long alerts, Map<BadEventReason, Long> deadLetters,
                                      Map<String, Long> scorerStats) {

    public static SentimentPipelineResult of(JobExecutionResult r) {
        Map<String, Object> acc = r.getAllAccumulatorResults();
        return new SentimentPipelineResult(r.getJobID().toString(), number(acc, ReviewParser.PARSED_COUNTER),
                number(acc, MicroBatchScorer.SCORED_COUNTER), number(acc, MicroBatchScorer.BATCHES_COUNTER),
                number(acc, ReviewParser.TRUNCATED_COUNTER), number(acc, EnrichFromUsersTable.UNKNOWN_USERS_COUNTER),
                number(acc, SentimentPipeline.ALERTS_COUNTER), Collections.unmodifiableMap(BadEventReason.counts(acc)),
                scorerStats(acc));
    }

    /** The scorer's time accumulators ({@code MicroBatchScorer.*_MILLIS}) by stage name, in the order of the stages. */
    public static Map<String, Long> scorerStats(Map<String, Object> accumulators) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (String name : List.of(MicroBatchScorer.LOAD_MILLIS, MicroBatchScorer.TOKENIZE_MILLIS, MicroBatchScorer.INFERENCE_MILLIS,
                MicroBatchScorer.POOL_MILLIS, MicroBatchScorer.HEAD_MILLIS, MicroBatchScorer.DOWNSTREAM_MILLIS,
                MicroBatchScorer.FULL_BATCHES_COUNTER, MicroBatchScorer.TIMED_OUT_BATCHES_COUNTER, MicroBatchScorer.EARLY_BATCHES_COUNTER)) {
            m.put(name.replace("time.ms.", ""), number(accumulators, name));
        }
        Object first = accumulators.get(MicroBatchScorer.FIRST_BATCH_AT);
        Object last = accumulators.get(MicroBatchScorer.LAST_BATCH_AT);
        if (first instanceof Number f && last instanceof Number l && l.longValue() >= f.longValue()) {
            m.put("first-to-last-batch", l.longValue() - f.longValue());
        }
        return Collections.unmodifiableMap(m);
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
