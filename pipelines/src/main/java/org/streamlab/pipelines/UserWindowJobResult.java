package org.streamlab.pipelines;

import java.util.Map;
import org.apache.flink.api.common.JobExecutionResult;

/**
 * What a finished run of the window job counted: events parsed, dead letters per reason (the same numbers as
 * the job's {@code deadLetters.<REASON>} metrics), window results emitted, and how long it took.
 */
public record UserWindowJobResult(String jobId, long millis, long eventsParsed, Map<BadEventReason, Long> deadLetters,
                                  long windowFirings) {

    static UserWindowJobResult of(JobExecutionResult r, long millis) {
        Map<String, Object> acc = r.getAllAccumulatorResults();
        return new UserWindowJobResult(r.getJobID().toString(), millis, number(acc.get(EventParser.PARSED_COUNTER)),
                java.util.Collections.unmodifiableMap(BadEventReason.counts(acc)), number(acc.get(UserWindowJob.WINDOW_FIRINGS_COUNTER)));
    }

    private static long number(Object o) {
        return o == null ? 0L : ((Number) o).longValue();
    }

    /** All dead letters, whatever the reason. */
    public long deadLettersTotal() {
        return deadLetters.values().stream().mapToLong(Long::longValue).sum();
    }
}
